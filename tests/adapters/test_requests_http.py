"""The desk over HTTP, as two approvers would walk it: take in, approve twice, produce, verify, deliver."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from rempart.adapters.crypto_keys import load_public_key
from rempart.adapters.storage.db import Store
from rempart.domain.requests.production import FIELD_CATEGORIES, verify_package
from rempart.services import provider, users
from rempart.services import requests as svc

ROOT = Path(__file__).resolve().parents[2]

CUSTOMERS = """customer_id,type,name,alt_names,birth_date,nationalities,residence_country,residence_permits,establishment_country,registration_number,email,wallets,created_at
c1,person,Alice Example,,1980-01-02,FR,FR,,,,alice@example.com,ETH:0x00000000000000000000000000000000000000a1,2024-01-01
c2,person,Bob Example,,1975-05-06,DE,DE,,,,bob@example.com,,2024-02-01
"""
TRANSACTIONS = """customer_id,txid,kind,asset,amount,address,at
c1,tx-in-range,deposit,ETH,1.5,0x00000000000000000000000000000000000000a1,2025-03-01T10:00:00Z
c1,tx-too-late,withdrawal,ETH,0.5,0x00000000000000000000000000000000000000b2,2026-08-20T10:00:00Z
c2,tx-other,deposit,BTC,0.1,bc1qother,2025-03-01T10:00:00Z
"""
LOGINS = """customer_id,at,ip,device
c1,2025-04-01T08:00:00Z,198.51.100.7,iPhone
c2,2025-04-01T08:00:00Z,198.51.100.8,Android
"""
MESSAGES = """customer_id,at,channel,subject,body
c1,2025-05-01T08:00:00Z,chat,help,private support chat
"""


def request_body(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "received_at": "2026-09-01T10:00:00Z",
        "provider_entity": "EU",
        "requester": {
            "agency": "Police nationale",
            "country": "FR",
            "authority_type": "police",
            "officer": "Capitaine Exemple",
            "email": "capitaine@interieur.gouv.fr",
            "verified": True,
        },
        "instrument": {
            "type": "epoc",
            "issuer_role": "prosecutor",
            "reference": "EPOC-1",
            "issued_at": "2026-08-30",
            "offence": "money laundering",
            "max_penalty_years": 5,
        },
        "emergency": False,
        "targets": [{"type": "email", "value": "alice@example.com"}],
        "data_categories": ["subscriber", "identification", "transactions", "content"],
        "date_range": {"from": "2025-01-01", "to": "2026-08-01"},
    }
    body.update(over)
    return body


@pytest.fixture
def client(sqlite_store: Store, tmp_path: Path) -> tuple[TestClient, dict[str, str], Path]:
    from rempart.adapters.http.app import create_app
    from rempart.settings import Settings

    for name, text in (("c.csv", CUSTOMERS), ("t.csv", TRANSACTIONS), ("l.csv", LOGINS), ("m.csv", MESSAGES)):
        (tmp_path / name).write_text(text)
    provider.import_customers(sqlite_store, tmp_path / "c.csv")
    svc.import_records(sqlite_store, "transactions", tmp_path / "t.csv")
    svc.import_records(sqlite_store, "logins", tmp_path / "l.csv")
    svc.import_records(sqlite_store, "messages", tmp_path / "m.csv")
    tokens = {}
    for name, roles in (
        ("intake", ["legal_intake"]),
        ("appr1", ["approver"]),
        ("appr2", ["approver"]),
        ("both", ["legal_intake", "approver"]),
        ("analyst", ["analyst"]),
    ):
        users.create_user(sqlite_store, name, roles)
        tokens[name], _ = users.issue_token(sqlite_store, name)
    key_dir = tmp_path / "keys"
    app = create_app(Settings(rules_dir=ROOT / "rules", key_dir=key_dir), store=sqlite_store)
    return TestClient(app), tokens, key_dir


def h(tokens: dict[str, str], who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens[who]}"}


def test_full_walk_two_approvers_produce_verify(client: tuple[TestClient, dict[str, str], Path]) -> None:
    c, tok, key_dir = client
    anon = c.post("/v1/requests/evaluate", json=request_body())
    assert anon.status_code == 200 and anon.json()["stored_context"] is False
    assert c.post("/v1/requests", json=request_body()).status_code == 401
    ev = c.post("/v1/requests/evaluate", json=request_body(), headers=h(tok, "analyst"))
    assert ev.status_code == 200, ev.text
    assert ev.json()["stored_context"] is True
    assert ev.json()["outcome"] == "partial"
    assert ev.json()["allowed_categories"] == ["subscriber", "identification"]
    assert ev.json()["deadline"] == "2026-09-11T10:00:00Z"

    body = request_body(
        instrument={**request_body()["instrument"], "issuer_role": "judge"},
        data_categories=["subscriber", "identification", "transactions"],
    )
    r = c.post("/v1/requests", json=body, headers=h(tok, "intake"))
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    assert r.json()["state"] == "in_review" and r.json()["customer_ids"] == ["c1"]

    # four eyes: the intake author cannot approve, one approval is not enough, the same approver twice neither
    assert (
        c.post(f"/v1/requests/{rid}/approve", json={"reason": "ok"}, headers=h(tok, "intake")).status_code
        == 403
    )
    a1 = c.post(f"/v1/requests/{rid}/approve", json={"reason": "lawful EPOC"}, headers=h(tok, "appr1"))
    assert a1.status_code == 200 and a1.json()["state"] == "in_review"
    assert (
        c.post(f"/v1/requests/{rid}/approve", json={"reason": "again"}, headers=h(tok, "appr1")).status_code
        == 409
    )
    assert c.post(f"/v1/requests/{rid}/produce", headers=h(tok, "intake")).status_code == 409
    a2 = c.post(f"/v1/requests/{rid}/approve", json={"reason": "scope checked"}, headers=h(tok, "appr2"))
    assert a2.status_code == 200 and a2.json()["state"] == "approved", a2.text

    p = c.post(f"/v1/requests/{rid}/produce", headers=h(tok, "intake"))
    assert p.status_code == 200, p.text
    # every disclosure is covered by a signed checkpoint taken right after it
    assert "checkpoint_error" not in p.json()
    produced_at_size = p.json()["checkpoint"]["size"]
    assert produced_at_size > 0
    zip_bytes = c.get(f"/v1/requests/{rid}/package", headers=h(tok, "intake")).content
    pem = c.get("/v1/requests/public-key", headers=h(tok, "intake")).text
    assert pem == (key_dir / "public_key.pem").read_text()
    assert verify_package(zip_bytes, load_public_key(key_dir / "public_key.pem")) == []

    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as z:
        tx = json.loads(z.read("transactions.json"))
        assert [t["txid"] for t in tx] == ["tx-in-range"]  # the August 2026 one is outside the range
        assert "messages.json" not in z.namelist()  # content was not approved
        logins = json.loads(z.read("logins.json"))
        assert logins == [
            {"customer_id": "c1", "at": "2025-04-01T08:00:00Z", "ip": "198.51.100.7", "device": "iPhone"}
        ]
        for name in z.namelist():
            if name.endswith(".json") and name != "manifest.json":
                for rec in json.loads(z.read(name)):
                    assert rec["customer_id"] == "c1"
                    kind = name[:-5]
                    assert set(rec) - {"customer_id"} <= set(FIELD_CATEGORIES[kind])

    d = c.post(f"/v1/requests/{rid}/deliver", json={"reason": "sent via portal"}, headers=h(tok, "intake"))
    assert d.status_code == 200 and d.json()["state"] == "delivered"
    assert d.json()["checkpoint"]["size"] > produced_at_size
    due = c.get("/v1/requests/due", headers=h(tok, "intake")).json()
    assert any(i["request_id"] == rid and i["kind"] == "user_notification" for i in due)
    view = c.get(f"/v1/requests/{rid}", headers=h(tok, "appr1")).json()
    assert [m["to"] for m in view["moves"]] == ["in_review", "approved", "producing", "produced", "delivered"]

    from rempart.services.audit import verify

    with c.app.state.store.read() as conn:  # type: ignore[attr-defined]
        checked, breaks = verify(conn)
    assert breaks == [] and checked > 10


def test_bad_input_changes_nothing(client: tuple[TestClient, dict[str, str], Path]) -> None:
    c, tok, _ = client
    before = c.get("/v1/requests", headers=h(tok, "intake")).json()
    bad = [
        request_body(targets=[{"type": "email", "value": "nobody@example.com"}]),
        request_body(data_categories=["subscriber", "passwords"]),
        request_body(date_range={"from": "2026-01-01", "to": "2025-01-01"}),
    ]
    for body in bad:
        r = c.post("/v1/requests", json=body, headers=h(tok, "intake"))
        assert r.status_code == 422, r.text
        assert r.json()["error"]["message"]
    r = c.post(
        "/v1/requests", content=b"{not json", headers={**h(tok, "intake"), "Content-Type": "application/json"}
    )
    assert r.status_code == 422
    assert c.get("/v1/requests", headers=h(tok, "intake")).json() == before


def test_roles_and_transitions(client: tuple[TestClient, dict[str, str], Path]) -> None:
    c, tok, _ = client
    assert c.post("/v1/requests", json=request_body(), headers=h(tok, "analyst")).status_code == 403
    rid = c.post("/v1/requests", json=request_body(), headers=h(tok, "both")).json()["id"]
    # the intake author holds the approver role but may not approve their own request
    assert (
        c.post(f"/v1/requests/{rid}/approve", json={"reason": "x"}, headers=h(tok, "both")).status_code == 403
    )
    r = c.post(
        f"/v1/requests/{rid}/advance", json={"to": "delivered", "reason": "skip"}, headers=h(tok, "intake")
    )
    assert r.status_code == 409
    r = c.post(f"/v1/requests/{rid}/reject", json={"reason": "overbroad"}, headers=h(tok, "appr1"))
    assert r.status_code == 200 and r.json()["state"] == "rejected"


def test_stateless_evaluate_can_require_a_token(sqlite_store: Store, tmp_path: Path) -> None:
    from rempart.adapters.http.app import create_app
    from rempart.settings import Settings

    settings = Settings(rules_dir=ROOT / "rules", key_dir=tmp_path / "keys", open_stateless_endpoints=False)
    c = TestClient(create_app(settings, store=sqlite_store))
    assert c.post("/v1/requests/evaluate", json=request_body()).status_code == 401
