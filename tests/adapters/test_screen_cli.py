"""`rempart screen ...` and `rempart alerts ...` through Typer's CliRunner, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from rempart.adapters.cli.main import app
from rempart.adapters.storage.db import Store
from rempart.domain.dates import PartialDate
from rempart.domain.lists import ListedEntity, ListSnapshot, Name, SourceFile, Wallet
from rempart.services.lists import import_snapshot
from rempart.services.provider import import_customers

runner = CliRunner()
EVM = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
IVAN = ListedEntity(
    source_id="1001",
    schema="Person",
    names=(Name("Ivan Petrovich Testerov"),),
    birth_dates=(PartialDate(1961),),
    wallets=(Wallet("ETH", EVM),),
    programs=("UKRAINE-EO13660",),
)
CUSTOMERS = """customer_id,type,name,birth_date,wallets
c1,person,Ivan Testerov,1961,
c2,person,Alice Example,1990,ETH:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed
c3,person,Nobody Special,1980,
"""


def invoke(*args: str) -> tuple[int, str, str]:
    r = runner.invoke(app, list(args))
    return r.exit_code, r.stdout, r.stderr


def _setup(db_url: str) -> None:
    store = Store.open(db_url)
    import_snapshot(
        store, ListSnapshot("ofac", date(2026, 1, 1), (SourceFile("sdn.csv", "0" * 64),), (IVAN,))
    )
    store.dispose()


def test_screen_name_address_pairs(db_url: str, tmp_path: Path) -> None:
    _setup(db_url)
    code, out, err = invoke(
        "screen", "name", "Ivan Testerov", "--birth-date", "1961", "--db", db_url, "--json"
    )
    assert code == 0, err
    hits = json.loads(out)["hits"]
    assert (
        hits[0]["entity_id"] == "ofac:1001" and hits[0]["source_id"] == "1001" and hits[0]["list"] == "ofac"
    )
    code, out, err = invoke("screen", "name", "Ivan Testerov", "--list", "nope", "--db", db_url, "--json")
    assert code == 2 and "no list 'nope'" in err
    code, out, err = invoke("screen", "address", EVM.lower(), "--chain", "ETH", "--db", db_url, "--json")
    assert code == 0 and json.loads(out)["hits"][0]["entity_id"] == "ofac:1001"
    code, out, err = invoke("screen", "address", "0xZZ", "--db", db_url)
    assert code == 2 and "0x followed by 40" in err
    pairs = tmp_path / "pairs.csv"
    pairs.write_text(
        "name1,name2,schema\nVladimir Putin,PUTIN Vladimir,Person\nSiemens AG,Daimler AG,Organization\n"
    )
    code, out, err = invoke("screen", "pairs", str(pairs))
    assert code == 0, err
    rows = [json.loads(x) for x in out.splitlines()]
    assert len(rows) == 2 and rows[0]["match"] and not rows[1]["match"]
    assert set(rows[0]) >= {"score", "match", "explanation"}


def test_batch_file_stored_delta_and_alerts(db_url: str, tmp_path: Path) -> None:
    _setup(db_url)
    cust = tmp_path / "customers.csv"
    cust.write_text(CUSTOMERS)
    out = tmp_path / "out.jsonl"
    code, stdout, err = invoke(
        "screen", "batch", str(cust), "--out", str(out), "--workers", "2", "--db", db_url, "--json"
    )
    assert code == 0, err
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert [x["id"] for x in lines] == ["c1", "c2", "c3"]
    assert [len(x["hits"]) for x in lines] == [1, 1, 0]
    assert json.loads(stdout)["records"] == 3
    store = Store.open(db_url)
    import_customers(store, cust)
    store.dispose()
    code, stdout, err = invoke("screen", "batch", "--workers", "1", "--db", db_url)
    assert code == 0, err
    assert "2 alerts opened" in err
    code, stdout, err = invoke("screen", "delta", "--db", db_url, "--json")
    assert code == 0 and json.loads(stdout)["alerts_opened"] == 0
    code, stdout, err = invoke("alerts", "list", "--state", "open", "--db", db_url, "--json")
    alerts = {a["customer_id"]: a for a in json.loads(stdout)}
    assert set(alerts) == {"c1", "c2"}
    code, stdout, err = invoke(
        "alerts",
        "confirm",
        alerts["c1"]["id"],
        "--reason",
        "same birth year",
        "--actor",
        "ana",
        "--db",
        db_url,
        "--json",
    )
    assert code == 0 and json.loads(stdout)["state"] == "confirmed"
    code, stdout, err = invoke(
        "alerts",
        "dismiss",
        alerts["c2"]["id"],
        "--reason",
        "exchange wallet",
        "--actor",
        "ana",
        "--db",
        db_url,
        "--json",
    )
    assert code == 0 and json.loads(stdout)["decided_by"] == "ana"
    code, stdout, err = invoke("alerts", "dismiss", alerts["c2"]["id"], "--reason", "again", "--db", db_url)
    assert code == 2 and "dismissed" in err
