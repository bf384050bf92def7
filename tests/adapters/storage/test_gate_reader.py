"""The gate's cursor-level read of a stored customer equals `restrictions_store.facts_document`
(SQLite and PostgreSQL): customer, balances of the latest snapshot, sanctions matches, prices."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from rempart.adapters.batch import restrictions_store
from rempart.adapters.storage import gate_reader
from rempart.adapters.storage.db import Store
from rempart.adapters.storage.tables_screening import screening_alerts
from rempart.errors import NotFound
from rempart.services import provider

CUSTOMERS = """customer_id,type,name,alt_names,birth_date,nationalities,residence_country,residence_permits,establishment_country,registration_number,email,wallets,created_at
k1,person,Anna Example,,1980-01-01,RU;DE,DE,NO:temporary:2023-01-31,,,anna@example.com,,2022-01-01
k2,company,Example Holding Ltd,,,,,,CY,R2,office@example.com,,2022-01-01
k3,person,Boris Example,,1975-05-05,BY,BY,,,,boris@example.com,,2022-01-01
k4,person,Nobody Example,,1990-01-01,,,,,,nobody@example.com,,2022-01-01
"""
BALANCES = """customer_id,account_id,asset,amount
k1,a2,ETH,1.5
k1,a1,BTC,0.25
k1,a1,ETH,0.000001
k2,a1,EUR,120000
k3,w1,USDT,50
"""
PRICES = """asset,price_eur,as_of,source
BTC,25000.00,2022-05-01T00:00:00Z,example-feed
ETH,1800.50,2022-05-15T00:00:00Z,example-feed
BTC,26000.00,2022-07-01T00:00:00Z,example-feed
"""


def _alert(i: int, customer: str, list_name: str, state: str) -> dict[str, object]:
    return {
        "id": f"al{i}",
        "customer_id": customer,
        "entity_id": f"NK-{i}",
        "list_name": list_name,
        "list_version": f"{list_name}-2022-05-{i:02d}",
        "source_id": f"s{i}",
        "schema": "Person",
        "matched_name": "Example Person",
        "score": "0.9500",
        "kind": "name",
        "explanation": "{}",
        "algorithm": "test",
        "state": state,
        "customer_data_hash": "0" * 64,
        "entity_content_hash": "1" * 64,
        "regimes": "[]",
        "created_at": "2022-05-20T00:00:00Z",
    }


def _seed(store: Store, tmp: Path) -> None:
    for name, text in (("customers.csv", CUSTOMERS), ("balances.csv", BALANCES), ("prices.csv", PRICES)):
        (tmp / name).write_text(text)
    provider.import_customers(store, tmp / "customers.csv")
    provider.import_balances(store, tmp / "balances.csv", as_of="2022-05-01")
    (tmp / "balances2.csv").write_text(BALANCES.replace("0.25", "0.5") + "k4,a1,SOL,3\n")
    provider.import_balances(store, tmp / "balances2.csv", as_of="2022-06-01")  # the latest snapshot counts
    provider.import_prices(store, tmp / "prices.csv")
    with store.begin() as conn:
        for i, (cust, lst, state) in enumerate(
            [
                ("k1", "eu", "confirmed"),
                ("k1", "ofac", "open"),
                ("k1", "uk", "dismissed"),  # not a fact
                ("k3", "un", "open"),
                ("k3", "other-list", "confirmed"),  # not a sanctions list of the rules
                ("k2", "eu", "dismissed"),
            ],
            start=1,
        ):
            conn.execute(screening_alerts.insert().values(**_alert(i, cust, lst, state)))


@pytest.mark.parametrize("day", [date(2022, 5, 20), date(2022, 6, 1), date(2022, 7, 2)])
def test_same_document_as_restrictions_store(store: Store, tmp_path: Path, day: date) -> None:
    _seed(store, tmp_path)
    with store.read() as conn:
        for cid in ("k1", "k2", "k3", "k4"):
            mine = gate_reader.facts_document(conn, cid, day)
            assert mine == restrictions_store.facts_document(conn, cid, day), cid
    with store.read() as conn:
        doc, evidence = gate_reader.facts_document(conn, "k1", date(2022, 6, 1))
    assert [(h["account_id"], h["asset"], h["amount"]) for h in doc["holdings"]] == [
        ("a1", "BTC", "0.5"),
        ("a1", "ETH", "0.000001"),
        ("a2", "ETH", "1.5"),
    ]
    assert sorted((s["list"], s["status"]) for s in doc["customer"]["sanctions"]) == [
        ("eu", "confirmed"),
        ("ofac", "possible"),
    ]
    assert evidence["list_versions"] == ["eu:eu-2022-05-01", "ofac:ofac-2022-05-02"]
    assert set(doc["prices_eur"]) == {"BTC", "ETH"} and doc["prices_eur"]["BTC"]["price"] == "25000.00"


def test_unknown_customer_is_not_found(store: Store, tmp_path: Path) -> None:
    _seed(store, tmp_path)
    with store.read() as conn, pytest.raises(NotFound):
        gate_reader.facts_document(conn, "nobody", date(2022, 6, 1))
