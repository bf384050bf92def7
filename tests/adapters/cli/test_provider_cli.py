"""`rempart customers|balances|prices import` through the CLI: counts, exact amounts, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from rempart.adapters.cli.main import app

runner = CliRunner()
HEADER = "customer_id,type,name,alt_names,birth_date,nationalities,residence_country,residence_permits,establishment_country,registration_number,email,wallets,created_at\n"


def test_imports_and_errors(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'p.db'}"
    customers = tmp_path / "customers.csv"
    customers.write_text(HEADER + "C1,person,Olga Example,,1985,RU,RU,,,,olga@example.com,,2021-01-01\n")
    r = runner.invoke(app, ["customers", "import", str(customers), "--db", db, "--json"])
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["added"] == 1

    balances = tmp_path / "balances.jsonl"
    balances.write_text('{"customer_id": "C1", "account_id": "a1", "asset": "BTC", "amount": "0.40000001"}\n')
    r = runner.invoke(
        app, ["balances", "import", str(balances), "--as-of", "2022-06-01", "--db", db, "--json"]
    )
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["rows"] == 1

    prices = tmp_path / "prices.csv"
    prices.write_text("asset,price_eur,as_of,source\nBTC,twenty,2022-06-01,example\n")
    r = runner.invoke(app, ["prices", "import", str(prices), "--db", db])
    assert r.exit_code == 2
    assert (
        "prices.csv" in r.stderr
        and "line 2" in r.stderr
        and "price_eur" in r.stderr
        and "decimal" in r.stderr
    )

    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "C2,person,Too Many Cells,,,,,,,,,,,extra\n")
    r = runner.invoke(app, ["customers", "import", str(bad), "--db", db])
    assert r.exit_code == 2 and "line 2" in r.stderr and "13 cells" in r.stderr

    r = runner.invoke(app, ["customers", "import", str(tmp_path / "customers.xlsx"), "--db", db])
    assert r.exit_code == 2

    r = runner.invoke(app, ["audit", "verify", "--db", db, "--json"])
    assert r.exit_code == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["ok"] is True and report["events"] >= 2


def test_empty_balance_file_is_refused(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'e.db'}"
    empty = tmp_path / "balances.csv"
    empty.write_text("customer_id,account_id,asset,amount\n")
    r = runner.invoke(app, ["balances", "import", str(empty), "--db", db])
    assert r.exit_code == 2 and "no balance rows" in r.stderr


def test_unreachable_database_is_a_clear_error(tmp_path: Path) -> None:
    r = runner.invoke(app, ["lists", "show", "--db", "postgresql+psycopg://nobody@127.0.0.1:1/none"])
    assert r.exit_code == 3 and r.stderr.startswith("error: database:")
