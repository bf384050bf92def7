"""Requests the framework itself rejects (bad JSON, a missing or mistyped field) answer in the error
table's shape, naming the field, and keep FastAPI's `detail` list for clients that read it."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel

from rempart.adapters.http import errors


class Body(BaseModel):
    customer_id: str
    amount: int


def client() -> TestClient:
    app = FastAPI()
    errors.install(app)

    @app.post("/echo")
    def echo(body: Body) -> dict[str, object]:
        return body.model_dump()

    return TestClient(app)


def test_malformed_json_names_the_body() -> None:
    r = client().post("/echo", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "invalid_input"
    assert "JSON" in err["message"]
    assert r.json()["detail"][0]["type"] == "json_invalid"


def test_missing_and_mistyped_fields_are_named() -> None:
    r = client().post("/echo", json={"amount": "many"})
    assert r.status_code == 422
    body = r.json()
    assert body["error"]["field"] in {"customer_id", "amount"}
    assert {e["field"] for e in body["error"]["errors"]} == {"customer_id", "amount"}
    assert {tuple(d["loc"]) for d in body["detail"]} == {("body", "customer_id"), ("body", "amount")}


def test_valid_body_passes() -> None:
    r = client().post("/echo", json={"customer_id": "c1", "amount": 3})
    assert r.status_code == 200
    assert r.json() == {"customer_id": "c1", "amount": 3}
