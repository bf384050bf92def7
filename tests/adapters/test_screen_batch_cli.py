"""`rempart screen batch FILE`: the customer file of the spec as CSV or JSON lines, output in input
order, bad records reported in place, exit codes."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from rempart.adapters.cli.main import app
from rempart.adapters.storage.db import Store
from rempart.domain.dates import PartialDate
from rempart.domain.lists import ListedEntity, ListSnapshot, Name, NameKind, SourceFile, Wallet
from rempart.services.lists import import_snapshot

runner = CliRunner()
EVM = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
TESTEROV = ListedEntity(
    source_id="3001",
    schema="Person",
    names=(Name("Ivan Petrovich TESTEROV"), Name("Иван Петрович Тестеров", NameKind.ALIAS, "Cyrl")),
    birth_dates=(PartialDate(1961),),
    wallets=(Wallet("ETH", EVM),),
)
EXAMPLAR = ListedEntity(
    source_id="3002", schema="Organization", names=(Name("Examplar Shipping Company LLC"),)
)


def _setup(db_url: str) -> None:
    store = Store.open(db_url)
    import_snapshot(
        store,
        ListSnapshot("ofac", date(2026, 1, 1), (SourceFile("sdn.csv", "0" * 64),), (TESTEROV, EXAMPLAR)),
    )
    store.dispose()


def _records() -> list[dict[str, str]]:
    return [
        {"customer_id": "k1", "type": "person", "name": "Иван Тестеров", "birth_date": "1961-05-01"},
        {"customer_id": "k2", "type": "person", "name": "Alice Example", "wallets": f"ETH:{EVM.lower()}"},
        {"customer_id": "k3", "type": "organization", "name": "Examplar Shipping Co. LLC"},
        {"customer_id": "k4", "type": "person", "name": "Nobody Special", "birth_date": "1980"},
    ]


def test_jsonl_and_csv_give_the_same_lines_in_order(db_url: str, tmp_path: Path) -> None:
    _setup(db_url)
    jsonl = tmp_path / "customers.jsonl"
    jsonl.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in _records()), encoding="utf-8")
    csv_file = tmp_path / "customers.csv"
    cols = ["customer_id", "type", "name", "birth_date", "wallets"]
    csv_file.write_text(
        ",".join(cols) + "\n" + "".join(",".join(r.get(c, "") for c in cols) + "\n" for r in _records()),
        encoding="utf-8",
    )
    outs = []
    for f in (jsonl, csv_file):
        out = tmp_path / f"{f.suffix[1:]}.out.jsonl"
        r = runner.invoke(
            app, ["screen", "batch", str(f), "--out", str(out), "--workers", "1", "--db", db_url, "--json"]
        )
        assert r.exit_code == 0, r.stderr
        assert json.loads(r.stdout)["records"] == 4 and json.loads(r.stdout)["with_hits"] == 3
        outs.append([json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()])
    assert outs[0] == outs[1]
    lines = outs[0]
    assert [x["id"] for x in lines] == ["k1", "k2", "k3", "k4"]
    assert [h["entity_id"] for h in lines[0]["hits"]] == ["ofac:3001"]
    k2 = lines[1]["hits"]
    assert [h["entity_id"] for h in k2] == ["ofac:3001"] and "address" in k2[0]["explanation"]
    assert [h["entity_id"] for h in lines[2]["hits"]] == ["ofac:3002"] and lines[3]["hits"] == []
    for h in (h for x in lines for h in x["hits"]):
        assert h["match"] and h["list"] == "ofac" and h["list_version"] and h["algorithm"] and h["name"]
        assert 0 < h["score"] <= 1


def test_bad_record_is_reported_in_place_and_exit_2(db_url: str, tmp_path: Path) -> None:
    _setup(db_url)
    f = tmp_path / "customers.jsonl"
    recs = _records()
    recs[1] = {"customer_id": "k2", "type": "person", "name": "Alice Example", "birth_date": "31/02/1990"}
    f.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
    r = runner.invoke(app, ["screen", "batch", str(f), "--workers", "1", "--db", db_url])
    assert r.exit_code == 2
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    assert [x["id"] for x in lines] == ["k1", "k2", "k3", "k4"]
    err = lines[1]["error"]
    assert lines[1]["hits"] == [] and err["line"] == 2 and err["field"] == "birth_date"
    assert lines[0]["hits"] and lines[2]["hits"]
    assert "1 errors" in r.stderr


def test_file_errors_and_no_lists(db_url: str, tmp_path: Path) -> None:
    f = tmp_path / "customers.csv"
    f.write_text("customer_id,type,name\nk1,person,Alice Example\n")
    r = runner.invoke(app, ["screen", "batch", str(f), "--db", db_url])
    assert r.exit_code == 2 and "no list is imported" in r.stderr  # no silent pass against nothing
    _setup(db_url)
    r = runner.invoke(app, ["screen", "batch", str(tmp_path / "missing.csv"), "--db", db_url])
    assert r.exit_code == 2 and "missing.csv" in r.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("id,full_name\nk1,Alice\n")
    r = runner.invoke(app, ["screen", "batch", str(bad), "--db", db_url])
    assert r.exit_code == 2 and "customer_id" in r.stderr and "line 1" in r.stderr
