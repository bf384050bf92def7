"""`POST /v1/screen` and the yente-compatible `POST /match/{dataset}` through FastAPI's TestClient."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient

from rempart.adapters.http.app import create_app
from rempart.adapters.http.deps import Principal
from rempart.adapters.storage.db import Store
from rempart.adapters.storage.decisions import list_decisions
from rempart.domain.dates import PartialDate
from rempart.domain.lists import ListedEntity, ListSnapshot, Name, NameKind, SourceFile, Wallet
from rempart.services.lists import import_snapshot
from rempart.settings import Settings

EVM = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
IVAN = ListedEntity(
    source_id="1001",
    schema="Person",
    names=(Name("Ivan Petrovich Testerov"), Name("Иван Петрович Тестеров", NameKind.ALIAS, "Cyrl")),
    birth_dates=(PartialDate(1961, 3, 4),),
    nationalities=("RU",),
    wallets=(Wallet("ETH", EVM),),
    programs=("RUSSIA-EO14024",),
)
ACME = ListedEntity(source_id="1002", schema="Organization", names=(Name("Examplar Shipping Company LLC"),))


def snapshot(*entities: ListedEntity, as_of: date) -> ListSnapshot:
    return ListSnapshot("ofac", as_of, (SourceFile("sdn.csv", "0" * 64),), tuple(entities))


@pytest.fixture
def client(store: Store) -> Iterator[TestClient]:
    import_snapshot(store, snapshot(IVAN, ACME, as_of=date(2026, 1, 1)))
    app = create_app(Settings(), store)
    app.state.authenticate = lambda request: (
        Principal("eng", frozenset({"engineer"}))
        if request.headers.get("authorization") == "Bearer t"
        else None
    )
    with TestClient(app, headers={"Authorization": "Bearer t"}) as c:
        yield c


def test_screen_name_and_address(client: TestClient, store: Store) -> None:
    r = client.post("/v1/screen", json={"name": "Ivan Testerov", "birth_date": "1961", "customer_id": "c9"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["hits"][0]["entity_id"] == "ofac:1001" and body["hits"][0]["match"] is True
    assert body["lists"]["ofac"] == body["hits"][0]["list_version"] and body["decision_id"]
    with store.read() as conn:
        assert list_decisions(conn, kind="screening", subject="customer:c9")
    r = client.post("/v1/screen", json={"address": EVM.lower(), "record": False})
    assert [h["entity_id"] for h in r.json()["hits"]] == ["ofac:1001"] and "decision_id" not in r.json()


def test_screen_errors(client: TestClient) -> None:
    r = client.post("/v1/screen", json={"address": "0x1234"})
    assert r.status_code == 422 and "40 hexadecimal" in r.json()["error"]["message"]
    assert client.post("/v1/screen", json={}).status_code == 422
    r = client.post("/v1/screen", json={"name": "x"}, headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401


def test_screen_without_a_token_answers_but_records_nothing(client: TestClient, store: Store) -> None:
    client.headers.pop("Authorization")
    r = client.post("/v1/screen", json={"name": "Ivan Testerov", "customer_id": "c10"})
    assert r.status_code == 200 and r.json()["hits"][0]["entity_id"] == "ofac:1001"
    assert "decision_id" not in r.json()
    with store.read() as conn:
        assert list_decisions(conn, kind="screening", subject="customer:c10") == []


def test_yente_match_shape(client: TestClient) -> None:
    req = {
        "queries": {
            "q1": {
                "schema": "Person",
                "properties": {"name": ["Иван Тестеров"], "birthDate": ["1961-03-04"], "nationality": ["ru"]},
            },
            "q2": {"schema": "Company", "properties": {"name": ["Examplar Shipping Co LLC"]}},
            "q3": {"schema": "Person", "properties": {"firstName": ["Nobody"], "lastName": ["Atall"]}},
            "w": {"schema": "CryptoWallet", "properties": {"publicKey": [EVM.upper().replace("0X", "0x")]}},
        }
    }
    r = client.post("/match/default?limit=3&threshold=0.8", json=req)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["limit"] == 3 and set(body["responses"]) == {"q1", "q2", "q3", "w"}
    q1 = body["responses"]["q1"]
    assert q1["status"] == 200 and q1["total"] == {"value": len(q1["results"]), "relation": "eq"}
    top = q1["results"][0]
    assert {"id", "caption", "schema", "properties", "datasets", "score", "match", "features"} <= set(top)
    assert top["id"] == "ofac:1001" and top["caption"] == "Ivan Petrovich Testerov" and top["match"]
    assert top["datasets"] == ["us_ofac_sdn"] and "1961-03-04" in top["properties"]["birthDate"]
    assert all(isinstance(v, float) for v in top["features"].values())
    assert q1["query"]["schema"] == "Person"
    assert body["responses"]["q2"]["results"][0]["id"] == "ofac:1002"
    assert body["responses"]["q3"]["results"] == []
    assert body["responses"]["w"]["results"][0]["id"] == "ofac:1001"
    assert r.headers["x-batch-size"] == "4"


def test_yente_unknown_dataset_and_bad_example(client: TestClient) -> None:
    q = {"queries": {"q": {"schema": "Person", "properties": {"name": ["Ivan Testerov"]}}}}
    assert client.post("/match/nope", json=q).status_code == 404
    assert client.post("/match/ofac", json=q).json()["responses"]["q"]["results"]
    assert client.post("/match/un_sc_sanctions", json=q).status_code == 404  # not loaded
    bad = {"queries": {"q": {"schema": "Person", "properties": {"birthDate": ["1961"]}}}}
    assert client.post("/match/default", json=bad).status_code == 422
