"""Every restriction scenario replays identically from what a stored decision keeps.

A stored decision keeps its facts (`Facts.to_dict()`), the country groups and the snapshot of the rule
versions in force on its date (`rules_snapshot`). Rebuilding the rules from that snapshot and deciding
again from the stored facts must give the same outcome, deciding rules, holdings, rule versions and
statuses (with operator overrides too), as `rempart restrictions replay` checks.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from tests.scenario_files import RULES, cases, facts_document

from rempart.domain.restrictions import decide, parse_facts, rules_snapshot
from rempart.domain.rules import ruleset_from_versions
from rempart.domain.rules.loader import load_groups
from rempart.services.restrictions import load_rules, replay_key

GROUPS = load_groups((RULES / "groups.yaml").read_text(encoding="utf-8"), "groups.yaml")


@pytest.mark.parametrize(("doc", "case"), cases())
def test_scenario_replays_identically(doc: dict[str, Any], case: dict[str, Any]) -> None:
    facts_doc = facts_document(doc, case)
    rules = load_rules(RULES, case.get("overrides") or {})
    facts = parse_facts(facts_doc)
    first = decide(facts, rules, facts.as_of).to_dict()

    stored_facts = json.loads(json.dumps(facts.to_dict()))  # as the decision store keeps them
    snapshot = json.loads(json.dumps(rules_snapshot(rules, facts.as_of)))
    again_facts = parse_facts(stored_facts)
    assert again_facts.content_hash() == facts.content_hash(), case["name"]
    again = decide(again_facts, ruleset_from_versions(snapshot, GROUPS), again_facts.as_of).to_dict()

    assert replay_key(again) == replay_key(first), case["name"]
    assert again["plan"] == first["plan"] and again["missing_facts"] == first["missing_facts"], case["name"]
    assert again["valuation"] == first["valuation"], case["name"]
