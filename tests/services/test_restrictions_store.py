"""The gate, whole-base evaluation and replay on a stored customer base (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from rempart.adapters.storage.db import Store
from rempart.services import provider
from rempart.services import restrictions as svc

RULES = Path(__file__).resolve().parents[2] / "rules"

CUSTOMERS = """customer_id,type,name,alt_names,birth_date,nationalities,residence_country,residence_permits,establishment_country,registration_number,email,wallets,created_at
c1,person,Ivan Example,,1980-01-01,RU,RU,,,,ivan@example.com,,2022-01-01
c2,person,Olga Example,,1985-01-01,RU,DE,DE:temporary:2022-08-31,,,olga@example.com,,2022-01-01
c3,person,Jean Example,,1970-01-01,FR,FR,,,,jean@example.com,,2022-01-01
c4,company,Example OOO,,,,,,RU,123,ooo@example.com,,2022-01-01
"""
BALANCES = """customer_id,account_id,asset,amount
c1,a1,BTC,0.4
c2,a1,BTC,1
c3,a1,BTC,2
c4,a1,EUR,50
"""
PRICES = """asset,price_eur,as_of,source
BTC,25000.00,2022-05-01T00:00:00Z,example-feed
"""


def seed(store: Store, tmp: Path) -> None:
    for name, text in (("customers.csv", CUSTOMERS), ("balances.csv", BALANCES), ("prices.csv", PRICES)):
        (tmp / name).write_text(text)
    provider.import_customers(store, tmp / "customers.csv")
    provider.import_balances(store, tmp / "balances.csv", as_of="2022-06-01")
    provider.import_prices(store, tmp / "prices.csv")


def test_gate_evaluate_replay(store: Store, tmp_path: Path) -> None:
    seed(store, tmp_path)
    rules = svc.load_rules(RULES)
    out = svc.check_customer(
        store, rules, customer_id="c1", action="deposit", asset="BTC", amount="0.0000004", as_of="2022-06-01"
    )
    assert out["outcome"] == "deny" and out["decided_by"] == ["eu.833.5b2"]
    assert out["holdings_eur"] == "10000.00"
    rep = svc.replay(store, out["decision_id"])
    assert rep["identical"], rep["differences"]

    first = svc.evaluate_base(store, rules, date(2022, 6, 1))
    assert first["outcomes"] == {"allow": 4}  # under the cap, or exempt
    again = svc.evaluate_base(store, rules, date(2022, 9, 1))  # c2's permit expired on 31 Aug
    changes = {i["customer_id"]: i for i in again["changes"]["items"]}
    assert set(changes) == {"c2"} and changes["c2"]["to"] == "offboard"
    assert svc.replay(store, changes["c2"]["decision_id"])["identical"]
    later = svc.evaluate_base(store, rules, date(2022, 10, 7))  # full ban: c1 and the Russian company c4
    assert {i["customer_id"] for i in later["changes"]["items"]} == {"c1", "c4"}


def test_cli_and_http(sqlite_store: Store, tmp_path: Path) -> None:
    from rempart.adapters.cli.main import app as cli
    from rempart.adapters.http.app import create_app
    from rempart.settings import Settings

    facts = {
        "as_of": "2022-06-01",
        "action": "hold",
        "customer": {
            "type": "person",
            "nationalities": ["RU"],
            "residence_country": "RU",
            "residence_permits": [],
            "establishment_country": None,
            "sanctions": [],
        },
        "holdings": [{"account_id": "a1", "asset": "BTC", "amount": "0.5"}],
        "prices_eur": {"BTC": "25000.00"},
    }
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(facts))
    r = CliRunner().invoke(cli, ["restrictions", "decide", str(path), "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["outcome"] == "offboard" and out["holdings_eur"] == "12500.00"
    bad = dict(facts, action="sell")
    path.write_text(json.dumps(bad))
    r = CliRunner().invoke(cli, ["restrictions", "decide", str(path), "--json"])
    assert r.exit_code != 0 and "action" in r.stderr

    app = create_app(Settings(rules_dir=RULES), store=sqlite_store)
    client = TestClient(app)
    resp = client.post("/v1/restrictions/decide", json=facts)
    assert resp.status_code == 200 and resp.json()["outcome"] == "offboard"
    resp = client.post(
        "/v1/restrictions/decide", json={**facts, "holdings": [{"asset": "BTC", "amount": "x"}]}
    )
    assert resp.status_code == 422 and resp.json()["error"]["field"] == "holdings[0].amount"


def test_rules_snapshot_stored_once_replayed_and_in_evidence(store: Store, tmp_path: Path) -> None:
    """The gate stores the rule versions once per hash; replay and evidence packages read them back."""
    import io
    import zipfile

    from sqlalchemy import func, select

    from rempart.adapters.crypto_keys import load_or_create
    from rempart.adapters.storage.decisions import get_decision, save_decision
    from rempart.adapters.storage.tables_restrictions import rule_snapshots
    from rempart.domain.lists import sha256_json
    from rempart.services.evidence import export_evidence
    from rempart.verifier import Result, check_evidence

    seed(store, tmp_path)
    rules = svc.load_rules(RULES)
    ids = [
        svc.check_customer(store, rules, customer_id=c, as_of="2022-06-01")["decision_id"]
        for c in ("c1", "c2", "c3")
    ]
    with store.read() as conn:
        assert conn.execute(select(func.count()).select_from(rule_snapshots)).scalar() == 1
        stored = get_decision(conn, ids[0])
    digest = stored.refs["rules_snapshot_hash"]
    assert stored.inputs["rules_snapshot_hash"] == digest and "rules" not in stored.inputs
    rep = svc.replay(store, ids[0])
    assert rep["identical"], rep["differences"]
    assert rep["rules_snapshot_hash"] == digest

    key = load_or_create(tmp_path / "keys")
    with zipfile.ZipFile(io.BytesIO(export_evidence(store, ids[0], key)[0])) as zf:
        files = {n: zf.read(n) for n in zf.namelist()}
    ev = json.loads(files["evidence.json"])
    assert sha256_json(ev["rules_snapshot"]) == digest
    res = Result("ev.zip", "evidence package")
    check_evidence(files, key.public_key_bytes(), res)
    assert res.ok, res.problems
    ev["rules_snapshot"][0]["title"] = "something else"
    files["evidence.json"] = json.dumps(ev).encode()
    res = Result("ev.zip", "evidence package")
    check_evidence(files, key.public_key_bytes(), res)
    assert any("rules snapshot does not match" in p for p in res.problems)

    # a decision stored before rule_snapshots (the snapshot inline in its inputs) still replays
    with store.begin() as conn:
        snapshot = json.loads(conn.execute(select(rule_snapshots.c.body)).scalar_one())
        inputs = {k: v for k, v in stored.inputs.items() if k != "rules_snapshot_hash"}
        refs = {k: v for k, v in stored.refs.items() if k != "rules_snapshot_hash"}
        old = save_decision(
            conn,
            kind="restriction",
            subject=stored.subject,
            inputs={**inputs, "rules": snapshot},
            outputs=stored.outputs,
            refs=refs,
        )
    rep = svc.replay(store, old.id)
    assert rep["identical"], rep["differences"]
    assert rep["rules_snapshot_hash"] == digest
