"""`rempart customers|balances import` refuses what the store cannot hold, on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from rempart.adapters.cli.main import app
from rempart.domain.parties import Balance
from rempart.services.provider import insert_balance_snapshot

runner = CliRunner()
HEADER = (
    "customer_id,type,name,alt_names,birth_date,nationalities,residence_country,residence_permits,"
    "establishment_country,registration_number,email,wallets,created_at\n"
)


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ("X" * 121 + ",person,Long Id,,,,,,,,,,", "customer_id"),
        ("C1,person,Long Wallet,,,,,,,,,ETH:0x" + "a" * 200 + ",", "wallets"),
        ("C1,company,Long Reg,,,,,,RU," + "9" * 121 + ",,,", "registration_number"),
    ],
)
def test_customer_values_too_long_are_refused(db_url: str, tmp_path: Path, row: str, field: str) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(HEADER + row + "\n", encoding="utf-8")
    r = runner.invoke(app, ["customers", "import", str(path), "--db", db_url, "--json"])
    assert r.exit_code == 2 and r.stdout == ""
    assert (
        "customers.csv" in r.stderr and "line 2" in r.stderr and field in r.stderr and "too long" in r.stderr
    )


def test_not_utf8_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_bytes((HEADER + "C1,person,Ok,,,,,,,,,,\nC2,person,Müller,,,,,,,,,,\n").encode("latin-1"))
    r = runner.invoke(app, ["customers", "import", str(path), "--db", f"sqlite:///{tmp_path / 'p.db'}"])
    assert r.exit_code == 2 and "line 3" in r.stderr and "UTF-8" in r.stderr


def test_parquet_float_amount_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "balances.parquet"
    pq.write_table(
        pa.table({"customer_id": ["C1"], "account_id": ["a1"], "asset": ["BTC"], "amount": [0.1]}), path
    )
    r = runner.invoke(app, ["balances", "import", str(path), "--db", f"sqlite:///{tmp_path / 'p.db'}"])
    assert r.exit_code == 2 and "amount" in r.stderr and "float" in r.stderr


def test_duplicate_balance_rows_add_up_exactly(store: object) -> None:
    amount = Decimal("12345678901.123456789012345678")  # 29 significant digits (wei precision)
    items = [Balance("C1", "a1", "ETH", amount), Balance("C1", "a1", "ETH", amount)]
    from rempart.adapters.storage.db import Store
    from rempart.adapters.storage.tables import balances

    assert isinstance(store, Store)
    with store.begin() as conn:
        sid = insert_balance_snapshot(
            conn, items, as_of="2022-06-01", sha="0" * 64, now="2022-06-01T00:00:00Z"
        )
        stored = conn.execute(balances.select().where(balances.c.snapshot_id == sid)).one()
    assert stored.amount == "24691357802.246913578024691356"  # not rounded to 28 digits
