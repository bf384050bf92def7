"""Restriction rules as data: model, loader with precise errors, and the one `as_of()` resolver."""

from rempart.domain.rules.loader import (
    load_groups,
    load_rule_documents,
    parse_overrides,
    ruleset_from_versions,
)
from rempart.domain.rules.model import (
    ACTIONS,
    OUTCOMES,
    Citation,
    Coverage,
    Exemption,
    ResolvedRule,
    Rule,
    RuleSet,
    RuleVersion,
    Threshold,
)
from rempart.domain.rules.resolve import as_of, version_as_of

__all__ = [
    "ACTIONS",
    "OUTCOMES",
    "Citation",
    "Coverage",
    "Exemption",
    "ResolvedRule",
    "Rule",
    "RuleSet",
    "RuleVersion",
    "Threshold",
    "as_of",
    "load_groups",
    "load_rule_documents",
    "parse_overrides",
    "ruleset_from_versions",
    "version_as_of",
]
