"""Restriction use cases: load the rules (with operator overrides), decide, check a stored customer,
evaluate the whole base, replay a stored decision."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from rempart.domain.restrictions import Decision, Facts, decide, parse_facts
from rempart.domain.rules import RuleSet, load_groups, load_rule_documents, parse_overrides
from rempart.errors import InputError

RULE_DIRS = ("eu", "freeze")  # restriction regimes; rules/requests is another area's


def rule_files(rules_dir: Path) -> list[Path]:
    files: list[Path] = []
    for sub in RULE_DIRS:
        files.extend(sorted((rules_dir / sub).glob("*.yaml")))
    return files


def read_overrides(value: str) -> tuple[dict[str, Any], str]:
    """REMPART_RULE_OVERRIDES: inline JSON/YAML, or a path to a YAML/JSON file."""
    text = value.strip()
    if not text:
        return {}, "REMPART_RULE_OVERRIDES"
    if not text.startswith("{") and Path(text).is_file():
        return parse_overrides(Path(text).read_text(encoding="utf-8"), text), text
    return parse_overrides(text), "REMPART_RULE_OVERRIDES"


def aggregation_overrides(rules_dir: Path, scope: str) -> dict[str, Any]:
    """REMPART_VALUATION_SCOPE=wallet: every threshold is measured per account (wallet)."""
    if scope != "wallet":
        return {}
    rs = load_rules(rules_dir)
    return {
        f"{r.id}@{v.valid_from.isoformat()}": {"threshold.aggregation": "per_account"}
        for r in rs.rules for v in r.versions if v.threshold is not None
    }


@functools.lru_cache(maxsize=16)
def _load_cached(rules_dir: str, overrides_json: str, origin: str) -> RuleSet:
    root = Path(rules_dir)
    schema = json.loads((root / "schema.json").read_text(encoding="utf-8"))
    groups = load_groups((root / "groups.yaml").read_text(encoding="utf-8"), str(root / "groups.yaml"))
    texts = [(str(p.relative_to(root.parent)) if root.parent in p.parents else str(p),
              p.read_text(encoding="utf-8")) for p in rule_files(root)]
    if not texts:
        raise InputError("no rule files", file=str(root), expected="rules/eu/*.yaml and rules/freeze/*.yaml")
    return load_rule_documents(texts, schema, groups, json.loads(overrides_json), origin)


def load_rules(rules_dir: Path, overrides: Mapping[str, Any] | None = None,
               origin: str = "REMPART_RULE_OVERRIDES") -> RuleSet:
    return _load_cached(str(rules_dir.resolve()), json.dumps(dict(overrides or {}), sort_keys=True), origin)


def load_groups_dir(rules_dir: Path) -> dict[str, frozenset[str]]:
    return load_groups((rules_dir / "groups.yaml").read_text(encoding="utf-8"), str(rules_dir / "groups.yaml"))


def rules_from_settings(settings: Any) -> RuleSet:
    """The rules with the operator's overrides and valuation scope from the settings object."""
    rules_dir = Path(settings.rules_dir)
    overrides, origin = read_overrides(getattr(settings, "rule_overrides", "") or "")
    scope = getattr(settings, "valuation_scope", "provider")
    merged = {**aggregation_overrides(rules_dir, scope), **overrides}
    return load_rules(rules_dir, merged, origin)


def decide_document(doc: Any, rules: RuleSet, *, file: str | None = None) -> tuple[Facts, Decision]:
    facts = parse_facts(doc, file)
    return facts, decide(facts, rules, facts.as_of)


def decide_json(doc: Any, rules: RuleSet, *, file: str | None = None, as_of: date | None = None) -> dict[str, Any]:
    facts = parse_facts(doc, file)
    return decide(facts, rules, as_of or facts.as_of).to_dict()
