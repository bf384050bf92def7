"""The restriction scenarios on stored customers: the gate (`restrictions check`) gives the scenario's outcome,
and every stored decision replays identically (`restrictions replay`), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from tests.scenario_files import RULES, facts_document

from rempart.adapters.storage.db import Store
from rempart.services import provider
from rempart.services import restrictions as svc

FILES = ("examiner-01-dates", "examiner-03-persons", "examiner-05-sanctions-actions")


def storable(facts: dict[str, Any], case: dict[str, Any]) -> bool:
    """What a stored customer can carry: the customer file's fields, balances, one shared price table."""
    c = facts["customer"]
    return (
        not case.get("overrides")
        and facts.get("prices_eur") == {"BTC": "20000.00"}
        and not facts.get("services")
        and not facts.get("provider_entity")
        and not c.get("sanctions")
        and not c.get("ownership")
        and all(
            p.get("kind") in ("temporary", "permanent") and "valid_from" not in p
            for p in c.get("residence_permits") or []
        )
    )


def load_cases() -> list[tuple[str, dict[str, Any], str]]:
    out = []
    for stem in FILES:
        doc = yaml.safe_load(
            (RULES / "scenarios" / "restrictions" / f"{stem}.yaml").read_text(encoding="utf-8")
        )
        for i, case in enumerate(doc["cases"]):
            facts = facts_document(doc, case)
            if storable(facts, case):
                out.append((f"{stem}[{i}]", facts, case["expect"]["outcome"]))
    return out


def test_stored_scenarios_decide_and_replay_identically(store: Store, tmp_path: Path) -> None:
    cases = load_cases()
    assert len(cases) > 40
    records, balances = [], ["customer_id,account_id,asset,amount"]
    for n, (_, facts, _) in enumerate(cases):
        c = facts["customer"]
        records.append(
            {
                "customer_id": f"x{n}",
                "type": "company" if c["type"] == "entity" else c["type"],
                "name": f"Example Customer {n}",
                "nationalities": c.get("nationalities") or [],
                "residence_country": c.get("residence_country") or "",
                "residence_permits": [
                    f"{p['country']}:{p['kind']}:{p.get('valid_until') or ''}".rstrip(":")
                    for p in c.get("residence_permits") or []
                ],
                "establishment_country": c.get("establishment_country") or "",
                "email": f"x{n}@example.com",
            }
        )
        balances += [
            f"x{n},{h['account_id']},{h['asset']},{h['amount']}" for h in facts.get("holdings") or []
        ]
    (tmp_path / "customers.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n")
    (tmp_path / "balances.csv").write_text("\n".join(balances) + "\n")
    (tmp_path / "prices.csv").write_text(
        "asset,price_eur,as_of,source\nBTC,20000.00,2014-01-01T00:00:00Z,example-feed\n"
    )
    provider.import_customers(store, tmp_path / "customers.jsonl")
    provider.import_balances(store, tmp_path / "balances.csv", as_of="2014-01-01")
    provider.import_prices(store, tmp_path / "prices.csv")
    rules = svc.load_rules(RULES)

    for n, (name, facts, outcome) in enumerate(cases):
        out = svc.check_customer(
            store,
            rules,
            customer_id=f"x{n}",
            action=facts.get("action", "hold"),
            asset=facts.get("asset"),
            amount=facts.get("amount"),
            as_of=facts["as_of"],
        )
        assert out["outcome"] == outcome, (name, [(r["id"], r["status"], r["reason"]) for r in out["rules"]])
        stateless = svc.decide_json(facts, rules)
        assert svc.replay_key(out) == svc.replay_key(stateless), name
        rep = svc.replay(store, out["decision_id"])
        assert rep["identical"], (name, rep["differences"])

    replayed = 0
    for d in (date(2022, 4, 8), date(2022, 4, 9), date(2022, 10, 7), date(2025, 2, 24)):
        run = svc.evaluate_base(store, rules, d)
        for item in run["changes"]["items"]:
            replayed += 1
            rep = svc.replay(store, item["decision_id"])
            assert rep["identical"], (d, item["customer_id"], rep["differences"])
    assert replayed > 10  # the whole-base runs changed outcomes, and each change replayed
