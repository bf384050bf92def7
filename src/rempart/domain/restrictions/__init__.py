"""Restriction decisions: facts, valuation, `decide()`, offboarding and freeze plans. Pure."""

from rempart.domain.restrictions.decide import (
    Decision,
    RuleResult,
    Valuation,
    decide,
    fmt_eur,
    rules_snapshot,
    value_holdings,
)
from rempart.domain.restrictions.facts import (
    Customer,
    Facts,
    Holding,
    Owner,
    Permit,
    Price,
    Sanction,
    parse_facts,
)

__all__ = [
    "Customer",
    "Decision",
    "Facts",
    "Holding",
    "Owner",
    "Permit",
    "Price",
    "RuleResult",
    "Sanction",
    "Valuation",
    "decide",
    "fmt_eur",
    "parse_facts",
    "rules_snapshot",
    "value_holdings",
]
