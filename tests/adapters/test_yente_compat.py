"""`POST /match/{dataset}` as yente's own clients use it.

The payloads are what yente's documentation and nomenklatura's `YenteEnricher` send; the responses
are validated against yente's response models (rebuilt here from yente's `data/common.py`, with
nomenklatura's `FeatureResult`) and loaded as FollowTheMoney entities, as those clients do."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from rempart.adapters.http.app import create_app
from rempart.adapters.http.deps import Principal
from rempart.adapters.storage.db import Store
from rempart.domain.dates import PartialDate
from rempart.domain.lists import Identifier, ListedEntity, ListSnapshot, Name, NameKind, SourceFile, Wallet
from rempart.services.lists import import_snapshot
from rempart.settings import Settings

EVM = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
TESTEROV = ListedEntity(
    source_id="2001",
    schema="Person",
    names=(
        Name("Ivan Petrovich TESTEROV"),
        Name("Иван Петрович Тестеров", NameKind.ALIAS, "Cyrl"),
        Name("Vanya", NameKind.WEAK_ALIAS),
    ),
    birth_dates=(PartialDate(1961, 3, 4),),
    nationalities=("RU",),
    identifiers=(Identifier("passport", "7512345678", "RU"), Identifier("inn", "771234567890")),
    wallets=(Wallet("ETH", EVM),),
    programs=("RUSSIA-EO14024",),
    remarks="Fictional test entry.",
)
BRILLIANT = ListedEntity(
    source_id="2002",
    schema="Organization",
    names=(Name("Brilliant Amazing Limited"),),
    countries=("HK",),
    identifiers=(Identifier("registration", "84BA99810"),),
)
VESSEL = ListedEntity(
    source_id="2003",
    schema="Vessel",
    names=(Name("EXAMPLE STAR"),),
    identifiers=(Identifier("imo", "9123456"), Identifier("mmsi", "273456789")),
)
PLANE = ListedEntity(
    source_id="2004",
    schema="Aircraft",
    names=(Name("EP-EXA"),),
    identifiers=(Identifier("other", "MSN 1234"),),
)


@pytest.fixture
def client(store: Store) -> Iterator[TestClient]:
    import_snapshot(
        store,
        ListSnapshot(
            "ofac",
            date(2026, 1, 1),
            (SourceFile("sdn.csv", "0" * 64),),
            (TESTEROV, BRILLIANT, VESSEL, PLANE),
        ),
    )
    app = create_app(Settings(), store)
    app.state.authenticate = lambda request: (
        Principal("eng", frozenset({"engineer"}))
        if request.headers.get("authorization") in ("Bearer t", "ApiKey t")
        else None
    )
    with TestClient(app) as c:
        yield c


# yente's response models (yente/data/common.py, yente 5), with nomenklatura's FeatureResult.
class FeatureResult(BaseModel):
    detail: str | None
    score: float
    query: str | None = None
    candidate: str | None = None


class ScoredEntityResponse(BaseModel):
    id: str
    caption: str
    schema_: str = Field(..., alias="schema")
    properties: dict[str, list[str]]
    datasets: list[str] = []
    referents: list[str] = []
    target: bool = False
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    last_change: datetime | None = None
    score: float
    features: dict[str, float]
    explanations: dict[str, FeatureResult]
    match: bool


class TotalSpec(BaseModel):
    value: int
    relation: str


class EntityExample(BaseModel):
    id: str | None = None
    schema_: str = Field(..., alias="schema")
    properties: dict[str, str | list[Any]]


class EntityMatches(BaseModel):
    status: int
    results: list[ScoredEntityResponse]
    total: TotalSpec
    query: EntityExample


class EntityMatchResponse(BaseModel):
    responses: dict[str, EntityMatches]
    limit: int


# The example in yente's `/match` documentation (routers/match.py docstring).
DOCS_EXAMPLE = {
    "queries": {
        "entity1": {
            "schema": "Person",
            "properties": {
                "name": ["Ivan Testerov"],
                "birthDate": ["1961-03-04"],
                "nationality": ["ru"],
            },
        },
        "entity2": {
            "schema": "Company",
            "properties": {
                "name": ["Brilliant Amazing Limited"],
                "jurisdiction": ["hk"],
                "registrationNumber": ["84BA99810"],
            },
        },
    }
}


def _ftm_properties(schema: str) -> set[str] | None:
    """The property names of a FollowTheMoney schema, inherited ones included, read from FtM's own
    schema files (not by importing FtM: in the full suite `tests/domain/requests` shadows the
    `requests` library that FtM imports). None when FtM is not installed."""
    spec = importlib.util.find_spec("followthemoney")
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).parent / "schema"
    out: set[str] = set()
    todo = [schema]
    while todo:
        name = todo.pop()
        path = folder / f"{name}.yaml"
        assert path.exists(), f"no FtM schema {name}"
        body = yaml.safe_load(path.read_text(encoding="utf-8"))[name]
        out.update((body.get("properties") or {}).keys())
        todo.extend(body.get("extends") or [])
    return out


def _check_ftm(result: dict[str, Any]) -> None:
    """Every property of a result exists in its FtM schema (FtM loads it as an entity)."""
    props = _ftm_properties(result["schema"])
    if props is None:
        pytest.skip("followthemoney is not installed")
    assert set(result["properties"]) <= props, set(result["properties"]) - props
    assert all(
        isinstance(v, list) and all(isinstance(x, str) for x in v) for v in result["properties"].values()
    )


def test_docs_example_validates_against_yente_models(client: TestClient) -> None:
    r = client.post("/match/default", json=DOCS_EXAMPLE)
    assert r.status_code == 200, r.text
    body = EntityMatchResponse.model_validate(r.json())
    e1 = body.responses["entity1"]
    assert e1.status == 200 and e1.results[0].id == "ofac:2001" and e1.results[0].match
    assert e1.total.value == sum(1 for x in e1.results if x.match) and e1.total.relation == "eq"
    top = e1.results[0]
    assert top.caption == "Ivan Petrovich TESTEROV" and top.datasets == ["us_ofac_sdn"]
    assert top.referents == ["2001"] and top.target
    assert "Иван Петрович Тестеров" in top.properties["alias"]
    assert top.properties["birthDate"] == ["1961-03-04"] and top.properties["nationality"] == ["ru"]
    assert top.properties["passportNumber"] == ["7512345678"] and top.properties["topics"] == ["sanction"]
    assert top.explanations["name"].score == top.features["name"]
    assert top.explanations["name"].candidate and top.explanations["name"].query == "Ivan Testerov"
    raw = r.json()["responses"]["entity1"]["results"][0]
    assert raw["list_version"] and raw["algorithm"] and raw["explanation"]["name"]
    assert body.responses["entity2"].results[0].id == "ofac:2002"
    # the query is echoed as yente echoes it: every property a list
    assert r.json()["responses"]["entity2"]["query"] == {
        "id": None,
        "schema": "Company",
        "properties": DOCS_EXAMPLE["queries"]["entity2"]["properties"],
    }
    for resp in r.json()["responses"].values():
        for res in resp["results"]:
            _check_ftm(res)


def test_enricher_style_request(client: TestClient) -> None:
    """What nomenklatura's YenteEnricher sends: `ApiKey` auth, `fuzzy`/`algorithm`/`cutoff`
    parameters, a single query keyed `entity` whose values are lists (name parts included)."""
    q = {
        "queries": {
            "entity": {
                "schema": "Person",
                "properties": {"firstName": ["Ivan"], "lastName": ["Testerov"], "birthDate": ["1961"]},
            }
        }
    }
    r = client.post(
        "/match/sanctions?fuzzy=false&algorithm=logic-v2&cutoff=0.5",
        json=q,
        headers={"Authorization": "ApiKey t"},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["requested_algorithm"] == "logic-v2"
    results = body["responses"]["entity"]["results"]
    assert results[0]["id"] == "ofac:2001" and results[0]["match"]
    assert all(x["score"] > 0.5 for x in results)
    # a wrong key is refused, not ignored
    assert client.post("/match/default", json=q, headers={"Authorization": "ApiKey nope"}).status_code == 401


def test_schemas_legal_entity_vessel_airplane_wallet(client: TestClient) -> None:
    q = {
        "queries": {
            # LegalEntity is the parent of Person and Organization in FtM: it meets both
            "le": {"schema": "LegalEntity", "properties": {"name": "Ivan Testerov"}},
            "v": {"schema": "Vessel", "properties": {"name": ["Example Star"], "imoNumber": ["9123456"]}},
            "a": {"schema": "Airplane", "properties": {"name": ["EP-EXA"]}},
            "w": {"schema": "CryptoWallet", "properties": {"publicKey": [EVM.lower()], "currency": ["ETH"]}},
        }
    }
    r = client.post("/match/default", json=q)
    assert r.status_code == 200, r.text
    res = r.json()["responses"]
    assert res["le"]["results"][0]["id"] == "ofac:2001"
    assert res["v"]["results"][0]["id"] == "ofac:2003" and res["v"]["results"][0]["schema"] == "Vessel"
    assert res["v"]["results"][0]["properties"]["imoNumber"] == ["9123456"]
    assert res["a"]["results"][0]["schema"] == "Airplane"  # FtM's name, not Rempart's "Aircraft"
    w = res["w"]["results"][0]
    assert w["id"] == "ofac:2001" and w["match"] and w["explanations"]["address"]["score"] == 1.0
    for resp in res.values():
        for x in resp["results"]:
            _check_ftm(x)


def test_parameters_filter_like_yente(client: TestClient) -> None:
    q = {"queries": {"q": {"schema": "Person", "properties": {"name": ["Ivan Testerov"]}}}}
    assert client.post("/match/default?limit=1", json=q).json()["limit"] == 1
    assert client.post("/match/default?topics=role.pep", json=q).json()["responses"]["q"]["results"] == []
    assert client.post("/match/default?topics=sanction", json=q).json()["responses"]["q"]["results"]
    r = client.post("/match/default?exclude_entity_ids=ofac:2001", json=q).json()
    assert all(x["id"] != "ofac:2001" for x in r["responses"]["q"]["results"])
    r = client.post("/match/default?exclude_entity_ids=2001", json=q).json()  # a referent works too
    assert all(x["id"] != "ofac:2001" for x in r["responses"]["q"]["results"])
    r = client.post("/match/default?exclude_dataset=us_ofac_sdn", json=q).json()
    assert r["responses"]["q"]["results"] == []
    r = client.post("/match/default?include_dataset=us_ofac_sdn", json=q).json()
    assert r["responses"]["q"]["results"][0]["id"] == "ofac:2001"
    r = client.post("/match/default?exclude_schema=Person", json=q).json()
    assert r["responses"]["q"]["results"] == []
    r = client.post("/match/default?threshold=1.0", json=q).json()
    top = r["responses"]["q"]["results"][0]
    assert top["match"] is (top["score"] >= 1.0) and r["responses"]["q"]["total"]["value"] == 0
    assert client.post("/match/default?changed_since=2026-01-01T00:00:00", json=q).status_code == 200
    assert client.post("/match/default", json={**q, "weights": {"name_literal": 0.8}}).status_code == 200


def test_errors(client: TestClient) -> None:
    q = {"queries": {"q": {"schema": "Person", "properties": {"name": ["Ivan Testerov"]}}}}
    r = client.post("/match/nope", json=q)
    assert r.status_code == 404 and "nope" in r.json()["error"]["message"]
    r = client.post("/match/default", json={"queries": {"q": {"schema": "Spaceship", "properties": {}}}})
    assert r.status_code == 422 and r.json()["error"]["value"] == "Spaceship"
    r = client.post("/match/default", json={"queries": {"q": {"schema": "Person", "properties": {}}}})
    assert r.status_code == 422 and r.json()["error"]["field"] == "properties.name"
    r = client.post(
        "/match/default",
        json={"queries": {"w": {"schema": "CryptoWallet", "properties": {"publicKey": "0x12"}}}},
    )
    assert r.status_code == 422 and "40 hexadecimal" in r.json()["error"]["message"]
    assert client.post("/match/default", json={"queries": {}}).status_code == 422
    assert client.post("/match/default", json={"nothing": 1}).status_code == 422
    many = {"queries": {f"q{i}": q["queries"]["q"] for i in range(101)}}
    assert client.post("/match/default", json=many).status_code == 422
    bad_date = {"queries": {"q": {"schema": "Person", "properties": {"name": "X Y", "birthDate": "soon"}}}}
    assert client.post("/match/default", json=bad_date).status_code == 422


def test_entities_catalog_algorithms_readyz(client: TestClient) -> None:
    """The other endpoints yente clients call: `YenteEnricher.expand` fetches `/entities/{id}`."""
    r = client.post("/match/default", json=DOCS_EXAMPLE).json()
    eid = r["responses"]["entity1"]["results"][0]["id"]
    e = client.get(f"/entities/{eid}?nested=true")
    assert e.status_code == 200 and e.json()["id"] == eid and e.json()["caption"] == "Ivan Petrovich TESTEROV"
    _check_ftm(e.json())
    assert client.get("/entities/ofac:nope").status_code == 404
    cat = client.get("/catalog").json()
    names = {d["name"]: d for d in cat["datasets"]}
    assert {"default", "sanctions", "us_ofac_sdn", "ofac"} <= set(names) and "un_sc_sanctions" not in names
    assert names["us_ofac_sdn"]["children"] == ["ofac"] and cat["current"]
    algos = client.get("/algorithms").json()
    assert algos["best"] == algos["default"] == algos["algorithms"][0]["name"]
    assert client.get("/readyz").json() == {"status": "ok"}
