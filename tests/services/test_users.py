"""Users, roles, passwords, API tokens and sessions: a storage contract (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, update

from rempart.adapters.storage.db import Store
from rempart.adapters.storage.tables import audit_events
from rempart.adapters.storage.tables_console import api_tokens, console_sessions, users
from rempart.errors import Conflict, InputError, NotFound, Unauthenticated
from rempart.services import audit
from rempart.services import users as svc

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def cheap_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    """A lower scrypt cost keeps the suite fast; the stored parameters make verification follow."""
    monkeypatch.setattr(svc, "_SCRYPT_N", 2**10)


def _events(store: Store) -> list[tuple[str, str, str]]:
    with store.read() as conn:
        return [
            (r.type, r.actor, r.subject)
            for r in conn.execute(select(audit_events).order_by(audit_events.c.seq))
        ]


def test_password_hash_is_scrypt_salted_and_verifies(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(svc, "_SCRYPT_N", 2**14)
    h1, h2 = svc.hash_password(PASSWORD), svc.hash_password(PASSWORD)
    assert h1.startswith("scrypt$16384$8$1$") and h1 != h2
    assert svc.verify_password(PASSWORD, h1)
    assert not svc.verify_password(PASSWORD + "x", h1)
    assert not svc.verify_password(PASSWORD, "garbage")
    assert not svc.verify_password(PASSWORD, "")


def test_create_list_and_audit_without_secrets(store: Store) -> None:
    u = svc.create_user(
        store, "ana.lyst", ["analyst"], password=PASSWORD, display_name="Ana Lyst", actor="root"
    )
    assert u.roles == frozenset({"analyst"}) and u.has_password
    assert [x.username for x in svc.list_users(store)] == ["ana.lyst"]
    with store.read() as conn:
        stored = conn.execute(select(users.c.password_hash)).scalar_one()
    assert PASSWORD not in stored
    token, info = svc.issue_token(store, "ana.lyst", label="batch job")
    with store.read() as conn:
        row = conn.execute(select(api_tokens)).one()
    assert row.token_sha256 != token and token not in json.dumps(row._asdict())
    evs = _events(store)
    assert ("user.created", "root", "user:ana.lyst") in evs
    assert ("user.token_created", "ana.lyst", "user:ana.lyst") in evs
    assert all(PASSWORD not in s and token not in s for _t, _a, s in evs)
    with store.read() as conn:
        assert audit.verify(conn)[1] == []
    assert info.id.startswith("tok_")


def test_bad_input_and_duplicates(sqlite_store: Store) -> None:
    store = sqlite_store
    with pytest.raises(InputError, match="unknown role"):
        svc.create_user(store, "bob", ["wizard"])
    with pytest.raises(InputError, match="at least one role"):
        svc.create_user(store, "bob", [])
    with pytest.raises(InputError, match="invalid user name"):
        svc.create_user(store, "Bob Smith", ["analyst"])
    with pytest.raises(InputError, match="too short"):
        svc.create_user(store, "bob", ["analyst"], password="short")
    svc.create_user(store, "bob", ["analyst"])
    with pytest.raises(Conflict):
        svc.create_user(store, "bob", ["mlro"])
    with pytest.raises(NotFound):
        svc.issue_token(store, "nobody")


def test_login_success_failure_and_lockout(store: Store) -> None:
    svc.create_user(store, "mlro", ["mlro"], password=PASSWORD)
    assert svc.login(store, "mlro", PASSWORD).username == "mlro"
    with pytest.raises(Unauthenticated, match="invalid user name or password"):
        svc.login(store, "mlro", "wrong password!")
    with pytest.raises(Unauthenticated, match="invalid user name or password"):
        svc.login(store, "ghost", PASSWORD)
    types = [t for t, _a, _s in _events(store)]
    assert types.count("auth.login") == 1 and types.count("auth.login_failed") == 2
    # The unknown name stays out of the chain (only the payload hash enters it).
    assert all("ghost" not in s for _t, _a, s in _events(store))
    for _ in range(svc.MAX_FAILED_LOGINS - 1):
        with pytest.raises(Unauthenticated):
            svc.login(store, "mlro", "wrong password!")
    # Locked now: even the right password is refused, with the same message.
    with pytest.raises(Unauthenticated, match="invalid user name or password"):
        svc.login(store, "mlro", PASSWORD)
    with store.begin() as conn:
        conn.execute(update(users).values(locked_until="2000-01-01T00:00:00Z"))
    assert svc.login(store, "mlro", PASSWORD).username == "mlro"


def test_tokens_resolve_and_revoke(store: Store) -> None:
    svc.create_user(store, "eng", ["engineer"])
    token, info = svc.issue_token(store, "eng")
    assert svc.resolve_token(store, token) == ("eng", frozenset({"engineer"}))
    assert svc.resolve_token(store, token + "x") is None
    assert svc.resolve_token(store, "not-a-token") is None
    svc.revoke_token(store, info.id)
    assert svc.resolve_token(store, token) is None
    token2, _ = svc.issue_token(store, "eng")
    svc.set_active(store, "eng", False)
    assert svc.resolve_token(store, token2) is None
    with pytest.raises(Conflict):
        svc.issue_token(store, "eng")
    _authenticator_reads_bearer_then_cookie(store)


def test_sessions_and_ensure_user(store: Store) -> None:
    user = svc.create_user(store, "aud", ["auditor"], password=PASSWORD)
    sid, session = svc.start_session(store, user)
    found = svc.resolve_session(store, sid)
    assert found is not None and found.username == "aud" and found.csrf_token == session.csrf_token
    with store.read() as conn:
        assert conn.execute(select(console_sessions.c.id_sha256)).scalar_one() != sid
    assert svc.resolve_session(store, sid + "x") is None
    svc.end_session(store, sid)
    assert svc.resolve_session(store, sid) is None
    sid2, _ = svc.start_session(store, user)
    with store.begin() as conn:
        conn.execute(update(console_sessions).values(expires_at="2000-01-01T00:00:00Z"))
    assert svc.resolve_session(store, sid2) is None
    _ensure_user_is_idempotent(store)


def _ensure_user_is_idempotent(store: Store) -> None:
    svc.ensure_user(store, "admin", ["admin"], PASSWORD)
    before = len(_events(store))
    u = svc.ensure_user(store, "admin", ["admin"], PASSWORD)
    assert u.roles == frozenset({"admin"}) and len(_events(store)) == before
    u = svc.ensure_user(store, "admin", ["admin", "mlro"], "another password")
    assert u.roles == frozenset({"admin", "mlro"})
    assert svc.login(store, "admin", "another password").username == "admin"
    types = [t for t, _a, _s in _events(store)]
    assert "user.roles_changed" in types and "user.password_changed" in types


def _authenticator_reads_bearer_then_cookie(store: Store) -> None:
    class Carrier:
        def __init__(self, headers: dict[str, str], cookies: dict[str, str]) -> None:
            self.headers = headers
            self.cookies = cookies

    user = svc.create_user(store, "ana", ["analyst"], password=PASSWORD)
    token, _ = svc.issue_token(store, "ana")
    sid, _ = svc.start_session(store, user)
    auth = svc.authenticator(store)
    p = auth(Carrier({"authorization": f"Bearer {token}"}, {}))
    assert p is not None and p.user == "ana" and p.roles == frozenset({"analyst"})
    p = auth(Carrier({}, {svc.SESSION_COOKIE: sid}))
    assert p is not None and p.user == "ana"
    assert auth(Carrier({"authorization": "Bearer rpt_nope"}, {svc.SESSION_COOKIE: sid})) is None
    assert auth(Carrier({"authorization": f"Basic {token}"}, {})) is None
    assert auth(Carrier({}, {})) is None
