"""HTTP authentication: password -> token, bearer tokens against `require_role`, 401 and 403."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import APIRouter, Depends
from fastapi.testclient import TestClient

from rempart.adapters.http.app import create_app
from rempart.adapters.http.deps import Principal, require_role
from rempart.adapters.storage.db import Store
from rempart.services import users as svc
from rempart.settings import Settings

PASSWORD = "a long enough password"


@pytest.fixture(autouse=True)
def cheap_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(svc, "_SCRYPT_N", 2**10)


@pytest.fixture
def client(sqlite_store: Store, tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'rempart.db'}"), sqlite_store)
    probe = APIRouter()

    @probe.get("/v1/_probe/mlro")
    def mlro_only(p: Principal = Depends(require_role("mlro"))) -> dict[str, str]:
        return {"user": p.user}

    app.include_router(probe)
    svc.create_user(sqlite_store, "mira", ["mlro"], password=PASSWORD, display_name="Mira Example")
    svc.create_user(sqlite_store, "eddie", ["engineer"], password=PASSWORD)
    svc.create_user(sqlite_store, "root", ["admin"], password=PASSWORD)
    with TestClient(app) as c:
        yield c


def _token(client: TestClient, user: str, password: str = PASSWORD) -> str:
    r = client.post("/v1/auth/token", json={"username": user, "password": password, "label": "test"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["username"] == user and body["token"].startswith("rpt_")
    return str(body["token"])


def test_password_login_gives_a_token_that_works(client: TestClient) -> None:
    token = _token(client, "mira")
    r = client.get("/v1/_probe/mlro", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and r.json() == {"user": "mira"}
    me = client.get("/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me == {"username": "mira", "roles": ["mlro"]}
    # yente clients send the same token as `ApiKey <token>`
    r = client.get("/v1/_probe/mlro", headers={"Authorization": f"ApiKey {token}"})
    assert r.status_code == 200 and r.json() == {"user": "mira"}
    assert client.get("/v1/_probe/mlro", headers={"Authorization": f"Basic {token}"}).status_code == 401


def test_wrong_password_is_401_without_saying_why(client: TestClient) -> None:
    for user in ("mira", "nobody"):
        r = client.post("/v1/auth/token", json={"username": user, "password": "not the password"})
        assert r.status_code == 401
        assert r.json()["error"] == {"code": "unauthenticated", "message": "invalid user name or password"}


def test_401_without_or_with_a_bad_token_and_403_with_the_wrong_role(client: TestClient) -> None:
    assert client.get("/v1/_probe/mlro").status_code == 401
    r = client.get("/v1/_probe/mlro", headers={"Authorization": "Bearer rpt_forged"})
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    eng = _token(client, "eddie")
    r = client.get("/v1/_probe/mlro", headers={"Authorization": f"Bearer {eng}"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    admin = _token(client, "root")  # admin holds every role
    assert client.get("/v1/_probe/mlro", headers={"Authorization": f"Bearer {admin}"}).status_code == 200


def test_revoked_token_stops_working(client: TestClient) -> None:
    token = _token(client, "mira")
    h = {"Authorization": f"Bearer {token}"}
    [info] = [t for t in client.get("/v1/auth/tokens", headers=h).json() if t["label"] == "test"]
    other = _token(client, "eddie")
    assert (
        client.post(
            f"/v1/auth/tokens/{info['id']}/revoke", headers={"Authorization": f"Bearer {other}"}
        ).status_code
        == 403
    )
    assert client.post(f"/v1/auth/tokens/{info['id']}/revoke", headers=h).status_code == 204
    assert client.get("/v1/_probe/mlro", headers=h).status_code == 401


def test_cli_users_add_token_list(sqlite_store: Store, tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from rempart.adapters.cli.main import app

    db = f"sqlite:///{tmp_path / 'rempart.db'}"
    run = CliRunner()
    r = run.invoke(
        app,
        [
            "users",
            "add",
            "lena",
            "--role",
            "legal_intake",
            "--role",
            "approver",
            "--password-stdin",
            "--db",
            db,
            "--json",
        ],
        input=PASSWORD + "\n",
    )
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["roles"] == ["approver", "legal_intake"]
    r = run.invoke(app, ["users", "add", "lena", "--role", "analyst", "--db", db])
    assert r.exit_code == 2 and "already exists" in r.output
    r = run.invoke(app, ["users", "add", "x1", "--role", "wizard", "--db", db])
    assert r.exit_code == 2 and "unknown role" in r.output
    r = run.invoke(app, ["users", "token", "lena", "--db", db])
    assert r.exit_code == 0
    token = r.stdout.strip().splitlines()[0]
    assert svc.resolve_token(sqlite_store, token) == ("lena", frozenset({"legal_intake", "approver"}))
    r = run.invoke(app, ["users", "list", "--db", db, "--json"])
    [row] = [u for u in json.loads(r.stdout) if u["username"] == "lena"]
    assert row["active_tokens"] == 1 and row["has_password"]
