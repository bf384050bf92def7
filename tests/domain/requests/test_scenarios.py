"""Table-driven scenarios from rules/scenarios/requests/*.yaml (edge cases 13-17, table 2.4)."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from rempart.domain.requests.evaluate import EvaluationContext, evaluate
from rempart.domain.requests.model import parse_request
from rempart.domain.requests.rules import RequestRules
from rempart.domain.screening.model import Hit

SCENARIO_DIR = Path(__file__).resolve().parents[3] / "rules" / "scenarios" / "requests"


def deep_merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        elif isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def load_scenarios() -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = []
    for path in sorted(SCENARIO_DIR.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        bases = doc.get("bases", {})
        for sc in doc["scenarios"]:
            request = (
                deep_merge(bases[sc["base"]], sc.get("request") or {}) if "base" in sc else sc["request"]
            )
            out.append((f"{path.stem}:{sc['id']}", {**sc, "request": request}))
    return out


SCENARIOS = load_scenarios()


def make_context(raw: dict[str, Any] | None) -> EvaluationContext:
    raw = raw or {}
    hits = None
    if "sanction_hits" in raw:
        hits = tuple(
            Hit(
                h["entity_id"],
                h["source_id"],
                h["list"],
                h["list_version"],
                h["schema"],
                h["name"],
                float(h["score"]),
                bool(h["match"]),
            )
            for h in raw["sanction_hits"]
        )
    tags = {k: tuple(v) for k, v in (raw.get("target_tags") or {}).items()}
    return EvaluationContext(sanction_hits=hits, target_tags=tags)


def test_there_are_scenarios_for_every_cell_and_edge_case() -> None:
    ids = [sid for sid, _ in SCENARIOS]
    for edge in (13, 14, 15, 16, 17):
        assert any(f"edge-{edge}." in i for i in ids), edge
    rows = ("us-gov", "foreign-to-us", "eu-other-ms", "eu-same-ms", "third-country", "sanctioned")
    columns = ("subscriber", "identification", "transactions", "content", "preservation", "emergency")
    for row in rows:
        for col in columns:
            assert any(f":{row}.{col}" in i for i in ids), (row, col)


@pytest.mark.parametrize(("sid", "scenario"), SCENARIOS, ids=[s for s, _ in SCENARIOS])
def test_scenario(sid: str, scenario: dict[str, Any], request_rules: RequestRules) -> None:
    req = parse_request(scenario["request"])
    as_of = date.fromisoformat(str(scenario.get("as_of") or scenario["request"]["received_at"][:10]))
    ev = evaluate(req, request_rules, make_context(scenario.get("context")), as_of)
    out = ev.to_dict()
    exp = scenario["expect"]
    codes = [r["code"] for r in out["reasons"]]
    why = f"{sid}: {out['outcome']} {out['allowed_categories']} reasons={[(r['code'], r['effect']) for r in out['reasons']]}"
    assert out["outcome"] == exp["outcome"], why
    assert out["allowed_categories"] == exp["allowed_categories"], why
    for cat, needs in (exp.get("refused") or {}).items():
        assert any(r["category"] == cat and r["needs"] == needs for r in out["refused_categories"]), (
            why,
            out["refused_categories"],
        )
    for code in exp.get("reasons") or ():
        assert code in codes, (code, why)
    if "deadline" in exp:
        assert out["deadline"] == exp["deadline"], why
    if "preservation_until" in exp:
        assert out["preservation_until"] == exp["preservation_until"], why
    if "action" in exp:
        assert out["action"] == exp["action"], why
    if "user_notice" in exp:
        assert out["user_notice"]["status"] == exp["user_notice"], why
    if "review_at" in exp:
        assert out["user_notice"]["review_at"] == exp["review_at"], why
    for r in out["reasons"]:
        assert r["code"] and r["message"] and r["citation"], r
