"""`rempart restrictions decide FACTS.json --json` and `POST /v1/restrictions/decide` on every scenario.

Both take exactly the product.md input (optional fields may be absent) and return its output shape, the
same decision as `decide()`; bad input is refused with an error naming the field.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from tests.scenario_files import RULES, SCENARIOS, facts_document
from typer.testing import CliRunner

from rempart.adapters.storage.db import Store
from rempart.domain.restrictions import decide, parse_facts
from rempart.services.restrictions import load_rules

OUTCOMES = {"allow", "deny", "offboard", "freeze", "review"}


def scenario_inputs() -> list[tuple[str, dict[str, Any], str]]:
    """(name, decision input, expected outcome) of every scenario that runs on the rules as shipped."""
    out = []
    for path in SCENARIOS:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for i, case in enumerate(doc["cases"]):
            if case.get("overrides"):
                continue
            facts = facts_document(doc, case)
            out.append((f"{path.stem}[{i}]", facts, case["expect"]["outcome"]))
    return out


def check_shape(out: dict[str, Any]) -> None:
    assert out["outcome"] in OUTCOMES
    assert isinstance(out["holdings_eur"], str)
    assert "." in out["holdings_eur"] and float(out["holdings_eur"]) >= 0
    assert isinstance(out["rules"], list) and out["rules"]
    for r in out["rules"]:
        assert isinstance(r["id"], str) and r["id"]
        assert r["version_from"] is None or len(r["version_from"]) == 10
        assert isinstance(r["citation"], str) and r["citation"]
        assert isinstance(r["applied"], bool)
        assert isinstance(r["reason"], str) and r["reason"]


@pytest.fixture(scope="module")
def rules() -> Any:
    return load_rules(RULES)


def test_http_and_cli_give_the_domain_decision_for_every_scenario(
    sqlite_store: Store, tmp_path: Path, rules: Any
) -> None:
    from rempart.adapters.cli.main import app as cli
    from rempart.adapters.http.app import create_app
    from rempart.settings import Settings

    client = TestClient(create_app(Settings(rules_dir=RULES), store=sqlite_store))
    runner = CliRunner()
    inputs = scenario_inputs()
    assert len(inputs) > 150
    for k, (name, facts, outcome) in enumerate(inputs):
        parsed = parse_facts(facts)
        want = decide(parsed, rules, parsed.as_of).to_dict()
        assert want["outcome"] == outcome, name
        resp = client.post("/v1/restrictions/decide", json=facts)
        assert resp.status_code == 200, (name, resp.text)
        got = resp.json()
        check_shape(got)
        assert got == want, name
        if k % 4 == 0:  # the CLI loads the rules on each call: a quarter of the scenarios is enough
            path = tmp_path / "facts.json"
            path.write_text(json.dumps(facts), encoding="utf-8")
            r = runner.invoke(cli, ["restrictions", "decide", str(path), "--json"])
            assert r.exit_code == 0, (name, r.output)
            assert json.loads(r.stdout) == want, name


MINIMAL = {
    "as_of": "2023-06-01",
    "customer": {"type": "person", "nationalities": ["RU"], "residence_country": "RU"},
}


@pytest.mark.parametrize(
    ("body", "outcome"),
    [
        (MINIMAL, "offboard"),  # no action (hold), holdings, prices, permits, sanctions or establishment
        ({**MINIMAL, "customer": {**MINIMAL["customer"], "nationalities": ["RU", "DE"]}}, "allow"),
        ({**MINIMAL, "as_of": "2022-06-01", "holdings": [], "prices_eur": {}}, "allow"),
        ({"as_of": "2023-06-01", "customer": {"type": "person", "residence_country": "RU"}}, "review"),
    ],
)
def test_optional_fields_may_be_absent(sqlite_store: Store, body: dict[str, Any], outcome: str) -> None:
    from rempart.adapters.http.app import create_app
    from rempart.settings import Settings

    client = TestClient(create_app(Settings(rules_dir=RULES), store=sqlite_store))
    resp = client.post("/v1/restrictions/decide", json=body)
    assert resp.status_code == 200, resp.text
    check_shape(resp.json())
    assert resp.json()["outcome"] == outcome


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"as_of": None}, "as_of"),
        ({"as_of": "2023-02-30"}, "as_of"),
        ({"action": "sell"}, "action"),
        ({"customer": None}, "customer"),
        ({"customer": {"type": "robot"}}, "customer.type"),
        ({"customer": {"type": "person", "nationalities": ["Russia"]}}, "customer.nationalities[0]"),
        ({"customer": {"type": "person", "residence_country": 7}}, "customer.residence_country"),
        (
            {"customer": {"type": "person", "residence_permits": [{"country": "DE", "kind": "card"}]}},
            "customer.residence_permits[0].kind",
        ),
        (
            {
                "customer": {
                    "type": "person",
                    "residence_permits": [
                        {"country": "DE", "kind": "temporary", "valid_until": "2027-13-01"}
                    ],
                }
            },
            "customer.residence_permits[0].valid_until",
        ),
        ({"customer": {"type": "person", "sanctions": [{"list": "interpol"}]}}, "customer.sanctions[0].list"),
        ({"holdings": [{"account_id": "a1", "asset": "BTC"}]}, "holdings[0].amount"),
        ({"holdings": [{"account_id": "a1", "asset": "BTC", "amount": "-1"}]}, "holdings[0].amount"),
        ({"holdings": [{"account_id": "a1", "amount": "1"}]}, "holdings[0].asset"),
        ({"prices_eur": {"BTC": "lots"}}, "prices_eur.BTC"),
        ({"prices_eur": ["BTC"]}, "prices_eur"),
        ({"provider_entity": "MARS"}, "provider_entity"),
        ({"amount": "1"}, "asset"),
    ],
)
def test_bad_input_names_the_field(
    sqlite_store: Store, tmp_path: Path, patch: dict[str, Any], field: str
) -> None:
    from rempart.adapters.cli.main import app as cli
    from rempart.adapters.http.app import create_app
    from rempart.settings import Settings

    body = dict(MINIMAL)
    for key, value in patch.items():
        if value is None:
            body.pop(key)
        else:
            body[key] = value
    client = TestClient(create_app(Settings(rules_dir=RULES), store=sqlite_store))
    resp = client.post("/v1/restrictions/decide", json=body)
    assert resp.status_code == 422, resp.text
    assert resp.json()["error"]["field"] == field
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    r = CliRunner().invoke(cli, ["restrictions", "decide", str(path), "--json"])
    assert r.exit_code != 0 and field in r.stderr, r.stderr
