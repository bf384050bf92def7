"""POST /v1/restrictions/check reads its body itself (orjson, no body model): malformed bodies get the
error table's 422 with the field named; the documented body stays in the OpenAPI schema."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from tests.services.test_restrictions_store import RULES, seed

from rempart.adapters.http.app import create_app
from rempart.adapters.storage.db import Store
from rempart.adapters.storage.decisions import get_decision, list_decisions
from rempart.services import users
from rempart.settings import Settings


def test_check_body_errors_and_schema(sqlite_store: Store, tmp_path: Path) -> None:
    seed(sqlite_store, tmp_path)
    users.ensure_user(sqlite_store, "gate", ["analyst"])
    token, _ = users.issue_token(sqlite_store, "gate")
    client = TestClient(create_app(Settings(rules_dir=RULES), store=sqlite_store))
    url = "/v1/restrictions/check"
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    for body, field in (
        (b"{not json", "(body)"),
        (b"[1, 2]", "(body)"),
        (b'{"customer_id": 7}', "customer_id"),
    ):
        r = client.post(url, content=body, headers=auth)
        assert r.status_code == 422, r.text
        assert r.json()["error"]["field"] == field
    bad = {"Authorization": "Bearer rk_not-a-real-token", "Content-Type": "application/json"}
    assert client.post(url, content=b'{"customer_id": "c1"}', headers=bad).status_code == 401

    r = client.post(
        url,
        json={"customer_id": "c3", "action": "trade", "as_of": "2022-06-01", "record": False},
        headers=auth,
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    out = r.json()
    assert (out["customer_id"], out["outcome"], out["action"]) == ("c3", "allow", "trade")
    assert "decision_id" not in out
    r = client.post(url, json={"customer_id": "c1", "as_of": "2022-06-01"}, headers=auth)
    assert r.status_code == 200 and r.json()["decision_id"].startswith("d_")
    r = client.post(url, json={"customer_id": "c1", "as_of": "01/06/2022"}, headers=auth)
    assert r.status_code == 422 and r.json()["error"]["field"] == "as_of"

    schema = client.get("/openapi.json").json()["paths"][url]["post"]["requestBody"]
    props = schema["content"]["application/json"]["schema"]["properties"]
    assert {"customer_id", "action", "asset", "amount", "as_of", "record"} <= set(props)


def test_check_body_types_are_checked_and_amounts_read_exactly(sqlite_store: Store, tmp_path: Path) -> None:
    seed(sqlite_store, tmp_path)
    users.ensure_user(sqlite_store, "gate", ["analyst"])
    token, _ = users.issue_token(sqlite_store, "gate")
    client = TestClient(create_app(Settings(rules_dir=RULES), store=sqlite_store))
    url = "/v1/restrictions/check"
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def stored() -> int:
        with sqlite_store.read() as conn:
            return len(list_decisions(conn, kind="restriction", limit=1000))

    before = stored()
    for body, field in (
        # truthiness made null "do not store" and "false" "store"
        (b'{"customer_id": "c1", "as_of": "2022-06-01", "record": null}', "record"),
        (b'{"customer_id": "c1", "as_of": "2022-06-01", "record": "false"}', "record"),
        (b'{"customer_id": "c1", "as_of": "2022-06-01", "record": 0}', "record"),
        # str() made ["BTC"] an unpriced asset "['BTC']": a stored review instead of a 422
        (b'{"customer_id": "c1", "as_of": "2022-06-01", "asset": ["BTC"], "amount": "1"}', "asset"),
        (b'{"customer_id": "c1", "as_of": 20220601}', "as_of"),
        (b'{"customer_id": "c1", "as_of": "2022-06-01", "provider_entity": 0}', "provider_entity"),
    ):
        r = client.post(url, content=body, headers=auth)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["error"]["field"] == field
    assert stored() == before

    # a JSON number is read as the decimal written, not through a binary float
    body = b'{"customer_id": "c1", "as_of": "2022-06-01", "action": "deposit", "asset": "BTC", "amount": 0.30000000000000004441}'
    r = client.post(url, content=body, headers=auth)
    assert r.status_code == 200, r.text
    with sqlite_store.read() as conn:
        facts = get_decision(conn, r.json()["decision_id"]).inputs["facts"]
    assert facts["amount"] == "0.30000000000000004441"
    r = client.post(url, content=body.replace(b"0.30000000000000004441", b"0.1"), headers=auth)
    with sqlite_store.read() as conn:
        assert get_decision(conn, r.json()["decision_id"]).inputs["facts"]["amount"] == "0.1"
    r = client.post(url, json={"customer_id": "c1", "as_of": "2022-06-01", "record": False}, headers=auth)
    assert r.status_code == 200 and "decision_id" not in r.json()
