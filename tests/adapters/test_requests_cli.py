"""`rempart requests ...` through Typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.adapters.test_requests_http import CUSTOMERS, TRANSACTIONS, request_body
from typer.testing import CliRunner

from rempart.adapters.cli.main import app as cli


def test_evaluate_json_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "req.json"
    path.write_text(json.dumps(request_body()))
    r = CliRunner().invoke(cli, ["requests", "evaluate", str(path), "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["outcome"] == "partial" and out["allowed_categories"] == ["subscriber", "identification"]
    assert {x["category"]: x["needs"] for x in out["refused_categories"]} == {
        "transactions": "epoc",
        "content": "epoc",
    }
    path.write_text("{not json")
    r = CliRunner().invoke(cli, ["requests", "evaluate", str(path), "--json"])
    assert r.exit_code == 2 and "malformed JSON" in r.stderr
    path.write_text(json.dumps(request_body(date_range={"from": "2026-01-02", "to": "2026-01-01"})))
    r = CliRunner().invoke(cli, ["requests", "evaluate", str(path)])
    assert r.exit_code == 2 and "wrong order" in r.stderr


def test_stored_walk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = f"sqlite:///{tmp_path / 'r.db'}"
    (tmp_path / "c.csv").write_text(CUSTOMERS)
    (tmp_path / "t.csv").write_text(TRANSACTIONS)
    run = CliRunner().invoke
    assert run(cli, ["customers", "import", str(tmp_path / "c.csv"), "--db", db]).exit_code == 0
    assert (
        run(cli, ["requests", "import", "transactions", str(tmp_path / "t.csv"), "--db", db]).exit_code == 0
    )
    from rempart.adapters.storage.db import Store
    from rempart.services import users

    store = Store.open(db)
    for name, roles in (("intake", ["legal_intake"]), ("a1", ["approver"]), ("a2", ["approver"])):
        users.create_user(store, name, roles)
    body = request_body(targets=[{"type": "txid", "value": "tx-in-range"}], data_categories=["subscriber"])
    (tmp_path / "req.json").write_text(json.dumps(body))
    r = run(
        cli, ["requests", "submit", str(tmp_path / "req.json"), "--actor", "intake", "--db", db, "--json"]
    )
    assert r.exit_code == 0, r.output
    rid = json.loads(r.stdout)["id"]
    for who in ("a1", "a2"):
        r = run(cli, ["requests", "approve", rid, "--actor", who, "--reason", "ok", "--db", db, "--json"])
        assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["state"] == "approved"
    monkeypatch.setenv("REMPART_KEY_DIR", str(tmp_path / "keys"))
    out = tmp_path / "pkg.zip"
    r = run(cli, ["requests", "produce", rid, "--actor", "intake", "--out", str(out), "--db", db, "--json"])
    assert r.exit_code == 0, r.output
    from rempart.adapters.crypto_keys import load_public_key
    from rempart.domain.requests.production import verify_package

    assert verify_package(out.read_bytes(), load_public_key(tmp_path / "keys" / "public_key.pem")) == []
    r = run(cli, ["requests", "due", "--db", db, "--json"])
    assert r.exit_code == 0
