"""POST /v1/restrictions/check: the gate over HTTP (authentication, roles, the decision, errors).

Here rather than under tests/adapters/http: it exercises the stored-customer path of `restrictions_store`."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from rempart.adapters.http.app import create_app
from rempart.adapters.storage.db import Store
from rempart.services import provider, users
from rempart.settings import Settings

RULES = Path(__file__).resolve().parents[3] / "rules"


def test_check_over_http(sqlite_store: Store, tmp_path: Path) -> None:
    (tmp_path / "customers.csv").write_text(
        "customer_id,type,name,alt_names,birth_date,nationalities,residence_country,residence_permits,"
        "establishment_country,registration_number,email,wallets,created_at\n"
        "c1,person,Ivan Example,,1980-01-01,RU,RU,,,,ivan@example.com,,2022-01-01\n"
    )
    (tmp_path / "balances.csv").write_text(
        "customer_id,account_id,asset,amount\nc1,a1,BTC,0.2\nc1,a2,BTC,0.2\n"
    )
    (tmp_path / "prices.csv").write_text(
        "asset,price_eur,as_of,source\nBTC,25000.00,2022-05-01T00:00:00Z,feed\n"
    )
    provider.import_customers(sqlite_store, tmp_path / "customers.csv")
    provider.import_balances(sqlite_store, tmp_path / "balances.csv", as_of="2022-06-01")
    provider.import_prices(sqlite_store, tmp_path / "prices.csv")
    users.ensure_user(sqlite_store, "gate", ["engineer"])
    users.ensure_user(sqlite_store, "intake", ["legal_intake"])
    token, _ = users.issue_token(sqlite_store, "gate")
    other, _ = users.issue_token(sqlite_store, "intake")
    client = TestClient(create_app(Settings(rules_dir=RULES), store=sqlite_store))
    url = "/v1/restrictions/check"
    hold = {"customer_id": "c1", "action": "hold", "as_of": "2022-06-01"}

    assert client.post(url, json=hold).status_code == 401
    assert client.post(url, json=hold, headers={"Authorization": f"Bearer {other}"}).status_code == 403
    auth = {"Authorization": f"Bearer {token}"}
    r = client.post(url, json=hold, headers=auth)
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["outcome"], out["holdings_eur"], out["customer_id"]) == ("allow", "10000.00", "c1")
    assert out["decision_id"]  # stored by default
    r = client.post(
        url,
        json={**hold, "action": "deposit", "asset": "EUR", "amount": "0.01", "record": False},
        headers=auth,
    )
    assert r.status_code == 200 and r.json()["outcome"] == "deny" and "decision_id" not in r.json()
    assert client.post(url, json={"action": "hold"}, headers=auth).json()["error"]["field"] == "customer_id"
    assert client.post(url, json={**hold, "customer_id": "nobody"}, headers=auth).status_code == 404
