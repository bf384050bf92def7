"""Users, roles, API tokens, console sessions, and the request authenticator.

- Passwords are hashed with scrypt (`hashlib.scrypt`, N=2**14, r=8, p=1, 16-byte salt); the stored
  form is `scrypt$N$r$p$salt$hash` so the cost can be raised later without breaking old hashes.
- API tokens are random (`rpt_` + 32 bytes); only their SHA-256 is stored. They are shown once.
- Console sessions are server-side rows keyed by the SHA-256 of the cookie value, each with its own
  CSRF token, so logout and revocation take effect at once.
- Creating users and tokens, role changes, logins and failed logins are audited. No password,
  token or session id ever enters an audit payload, and an unknown login name never enters the
  chain in clear (it could be a password typed in the wrong field).
- After `MAX_FAILED_LOGINS` consecutive failures an account is locked for `LOCKOUT_MINUTES`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Connection, delete, select, update

from rempart.adapters.storage.db import Store
from rempart.adapters.storage.tables_console import api_tokens, console_sessions, users
from rempart.domain.principals import ROLES, Principal
from rempart.errors import Conflict, InputError, NotFound, Unauthenticated
from rempart.services.audit import now_iso, record

__all__ = [
    "ROLES",
    "Principal",
    "User",
    "authenticator",
    "create_user",
    "ensure_user",
    "issue_token",
    "login",
]
ROLE_TITLES = {
    "analyst": "Compliance analyst",
    "mlro": "MLRO / head of compliance",
    "legal_intake": "Legal / law-enforcement response (intake)",
    "approver": "Disclosure approver",
    "engineer": "Exchange engineer",
    "auditor": "Auditor / regulator",
    "admin": "Administrator",
}

SESSION_COOKIE = "rempart_session"
SESSION_HOURS = 8
MAX_FAILED_LOGINS = 5
LOCKOUT_MINUTES = 15
TOKEN_PREFIX = "rpt_"
MIN_PASSWORD_LENGTH = 10
# Token lookups are cached briefly so the real-time gate does not pay a query per call; a revoke in
# this process clears the cache at once, another process sees it within this many seconds.
TOKEN_CACHE_SECONDS = 5.0

_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,79}$")


# --- passwords ---------------------------------------------------------------------------------


def hash_password(password: str) -> str:
    """scrypt with the module's cost parameters; the parameters are stored with the hash."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        algo, n, r, p, salt, digest = stored.split("$")
        if algo != "scrypt":
            return False
        want = base64.b64decode(digest)
        got = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(want),
            maxmem=256 * 1024 * 1024,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, want)


_dummy: list[str] = []


def _dummy_hash() -> str:
    """A hash to check against when the user does not exist, so timing does not reveal who exists."""
    if not _dummy:
        _dummy.append(hash_password(secrets.token_hex(16)))
    return _dummy[0]


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


# --- users ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class User:
    username: str
    display_name: str
    roles: frozenset[str]
    active: bool
    has_password: bool
    created_at: str

    def to_dict(self) -> dict[str, object]:
        return {
            "username": self.username,
            "display_name": self.display_name,
            "roles": sorted(self.roles),
            "active": self.active,
            "has_password": self.has_password,
            "created_at": self.created_at,
        }


@dataclass(frozen=True)
class TokenInfo:
    id: str
    username: str
    label: str
    created_at: str
    revoked_at: str | None


def _row_user(r: Any) -> User:
    return User(
        username=r.username,
        display_name=r.display_name,
        roles=frozenset(json.loads(r.roles)),
        active=bool(r.active),
        has_password=bool(r.password_hash),
        created_at=r.created_at,
    )


def check_roles(roles: Iterable[str]) -> frozenset[str]:
    wanted = frozenset(r.strip() for r in roles if r.strip())
    if not wanted:
        raise InputError("a user needs at least one role", field="roles", expected=" | ".join(ROLES))
    unknown = sorted(wanted - set(ROLES))
    if unknown:
        raise InputError(
            f"unknown role {unknown[0]!r}", field="roles", expected=" | ".join(ROLES), value=unknown[0]
        )
    return wanted


def _check_username(username: str) -> str:
    if not _USERNAME.match(username):
        raise InputError(
            "invalid user name",
            field="username",
            expected="2-80 characters: lower-case letters, digits, '.', '_', '-', '@'",
            value=username,
        )
    return username


def _check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(
            "password too short", field="password", expected=f"at least {MIN_PASSWORD_LENGTH} characters"
        )
    return password


def _roles_json(roles: frozenset[str]) -> str:
    return json.dumps(sorted(roles))


def create_user(
    store: Store,
    username: str,
    roles: Iterable[str],
    *,
    password: str | None = None,
    display_name: str | None = None,
    actor: str = "system",
) -> User:
    """Create a user. Without a password the user can only use API tokens."""
    username = _check_username(username)
    wanted = check_roles(roles)
    pw_hash = hash_password(_check_password(password)) if password else ""
    now = now_iso()
    with store.begin() as conn:
        if conn.execute(select(users.c.username).where(users.c.username == username)).first():
            raise Conflict(f"user {username!r} already exists", username=username)
        conn.execute(
            users.insert().values(
                username=username,
                display_name=display_name or username,
                password_hash=pw_hash,
                roles=_roles_json(wanted),
                active=1,
                failed_logins=0,
                locked_until=None,
                created_at=now,
                updated_at=now,
            )
        )
        record(
            conn,
            type="user.created",
            actor=actor,
            subject=f"user:{username}",
            payload={"username": username, "roles": sorted(wanted), "password_set": bool(pw_hash)},
        )
    return User(username, display_name or username, wanted, True, bool(pw_hash), now)


def get_user(store: Store, username: str) -> User:
    with store.read() as conn:
        row = conn.execute(select(users).where(users.c.username == username)).first()
    if row is None:
        raise NotFound(f"no user {username!r}", username=username)
    return _row_user(row)


def list_users(store: Store) -> list[User]:
    with store.read() as conn:
        return [_row_user(r) for r in conn.execute(select(users).order_by(users.c.username))]


def set_roles(store: Store, username: str, roles: Iterable[str], *, actor: str = "system") -> User:
    wanted = check_roles(roles)
    with store.begin() as conn:
        _require_row(conn, username)
        conn.execute(
            update(users)
            .where(users.c.username == username)
            .values(roles=_roles_json(wanted), updated_at=now_iso())
        )
        record(
            conn,
            type="user.roles_changed",
            actor=actor,
            subject=f"user:{username}",
            payload={"username": username, "roles": sorted(wanted)},
        )
    _clear_token_cache()
    return get_user(store, username)


def set_password(store: Store, username: str, password: str, *, actor: str = "system") -> None:
    pw_hash = hash_password(_check_password(password))
    with store.begin() as conn:
        _require_row(conn, username)
        conn.execute(
            update(users)
            .where(users.c.username == username)
            .values(password_hash=pw_hash, failed_logins=0, locked_until=None, updated_at=now_iso())
        )
        record(
            conn,
            type="user.password_changed",
            actor=actor,
            subject=f"user:{username}",
            payload={"username": username},
        )


def set_active(store: Store, username: str, active: bool, *, actor: str = "system") -> None:
    with store.begin() as conn:
        _require_row(conn, username)
        conn.execute(
            update(users).where(users.c.username == username).values(active=int(active), updated_at=now_iso())
        )
        if not active:
            conn.execute(delete(console_sessions).where(console_sessions.c.username == username))
        record(
            conn,
            type="user.activated" if active else "user.deactivated",
            actor=actor,
            subject=f"user:{username}",
            payload={"username": username},
        )
    _clear_token_cache()


def ensure_user(
    store: Store,
    name: str,
    roles: Iterable[str],
    password: str | None = None,
    *,
    display_name: str | None = None,
    actor: str = "system",
) -> User:
    """Make sure `name` exists with exactly `roles` and (when given) `password`. Idempotent.

    For the demo's default admin: creates the user on first run, and afterwards changes (and
    audits) only what differs, so running it again writes nothing.
    """
    wanted = check_roles(roles)
    try:
        current = get_user(store, name)
    except NotFound:
        return create_user(store, name, wanted, password=password, display_name=display_name, actor=actor)
    if current.roles != wanted:
        set_roles(store, name, wanted, actor=actor)
    if password is not None:
        with store.read() as conn:
            stored = conn.execute(select(users.c.password_hash).where(users.c.username == name)).scalar_one()
        if not stored or not verify_password(password, stored):
            set_password(store, name, password, actor=actor)
    if not current.active:
        set_active(store, name, True, actor=actor)
    return get_user(store, name)


def _require_row(conn: Connection, username: str) -> None:
    if conn.execute(select(users.c.username).where(users.c.username == username)).first() is None:
        raise NotFound(f"no user {username!r}", username=username)


# --- password login --------------------------------------------------------------------------------


def _parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def login(store: Store, username: str, password: str, *, via: str = "console") -> User:
    """Check a user name and password; audit the login or the failure. Raises Unauthenticated.

    The message never says whether the user exists.
    """
    failure = "invalid user name or password"
    now = datetime.now(UTC)
    with store.begin() as conn:
        row = conn.execute(select(users).where(users.c.username == username)).first()
        if row is None:
            verify_password(password, _dummy_hash())  # same cost as a real check
            # The attempted name goes only into the payload, which the chain holds as a hash.
            record(
                conn,
                type="auth.login_failed",
                actor="anonymous",
                subject="user:?",
                payload={"username": username, "reason": "unknown_user", "via": via},
            )
            reason = None
        elif not row.active:
            verify_password(password, _dummy_hash())
            reason = "inactive"
        elif row.locked_until and _parse_time(row.locked_until) > now:
            verify_password(password, _dummy_hash())
            reason = "locked"
        elif not row.password_hash or not verify_password(password, row.password_hash):
            reason = "bad_password"
        else:
            conn.execute(
                update(users).where(users.c.username == username).values(failed_logins=0, locked_until=None)
            )
            record(
                conn,
                type="auth.login",
                actor=username,
                subject=f"user:{username}",
                payload={"username": username, "via": via},
            )
            return _row_user(row)
        if row is not None:
            failed = int(row.failed_logins) + (1 if reason == "bad_password" else 0)
            values: dict[str, object] = {"failed_logins": failed}
            if reason == "bad_password" and failed >= MAX_FAILED_LOGINS:
                values["locked_until"] = (
                    (now + timedelta(minutes=LOCKOUT_MINUTES)).isoformat().replace("+00:00", "Z")
                )
                values["failed_logins"] = 0
            conn.execute(update(users).where(users.c.username == username).values(**values))
            record(
                conn,
                type="auth.login_failed",
                actor="anonymous",
                subject=f"user:{username}",
                payload={"username": username, "reason": reason, "via": via, "failed_logins": failed},
            )
    # Committed above: the failure stays in the log although the caller gets an error.
    raise Unauthenticated(failure)


# --- API tokens ---------------------------------------------------------------------------------


def issue_token(
    store: Store, username: str, *, label: str = "", actor: str | None = None
) -> tuple[str, TokenInfo]:
    """Create an API token for `username`; return (the token, shown once; its stored info)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    tid = f"tok_{uuid.uuid4().hex[:16]}"
    now = now_iso()
    with store.begin() as conn:
        row = conn.execute(select(users.c.active).where(users.c.username == username)).first()
        if row is None:
            raise NotFound(f"no user {username!r}", username=username)
        if not row.active:
            raise Conflict(f"user {username!r} is deactivated", username=username)
        conn.execute(
            api_tokens.insert().values(
                id=tid,
                username=username,
                token_sha256=_sha256(token),
                label=label[:200],
                created_at=now,
                revoked_at=None,
            )
        )
        record(
            conn,
            type="user.token_created",
            actor=actor or username,
            subject=f"user:{username}",
            payload={"username": username, "token_id": tid, "label": label},
        )
    return token, TokenInfo(tid, username, label, now, None)


def list_tokens(store: Store, username: str | None = None) -> list[TokenInfo]:
    q = select(api_tokens).order_by(api_tokens.c.created_at)
    if username:
        q = q.where(api_tokens.c.username == username)
    with store.read() as conn:
        return [TokenInfo(r.id, r.username, r.label, r.created_at, r.revoked_at) for r in conn.execute(q)]


def revoke_token(store: Store, token_id: str, *, actor: str = "system") -> None:
    with store.begin() as conn:
        row = conn.execute(select(api_tokens.c.username).where(api_tokens.c.id == token_id)).first()
        if row is None:
            raise NotFound(f"no token {token_id!r}", token_id=token_id)
        conn.execute(update(api_tokens).where(api_tokens.c.id == token_id).values(revoked_at=now_iso()))
        record(
            conn,
            type="user.token_revoked",
            actor=actor,
            subject=f"user:{row.username}",
            payload={"token_id": token_id},
        )
    _clear_token_cache()


_token_cache: dict[str, tuple[float, tuple[str, frozenset[str]] | None]] = {}
_token_cache_lock = threading.Lock()


def _clear_token_cache() -> None:
    with _token_cache_lock:
        _token_cache.clear()


def resolve_token(store: Store, token: str) -> tuple[str, frozenset[str]] | None:
    """(user name, roles) of an active, unrevoked token; None otherwise."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    key = _sha256(token)
    now = time.monotonic()
    with _token_cache_lock:
        hit = _token_cache.get(key)
        if hit is not None and now - hit[0] < TOKEN_CACHE_SECONDS:
            return hit[1]
    with store.read() as conn:
        row = conn.execute(
            select(users.c.username, users.c.roles)
            .select_from(api_tokens.join(users, api_tokens.c.username == users.c.username))
            .where(api_tokens.c.token_sha256 == key, api_tokens.c.revoked_at.is_(None), users.c.active == 1)
        ).first()
    found = (str(row.username), frozenset(json.loads(row.roles))) if row else None
    with _token_cache_lock:
        if len(_token_cache) > 10_000:
            _token_cache.clear()
        _token_cache[key] = (now, found)
    return found


# --- console sessions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Session:
    username: str
    roles: frozenset[str]
    display_name: str
    csrf_token: str
    expires_at: str


def start_session(store: Store, user: User) -> tuple[str, Session]:
    """Open a console session; return (the cookie value, the session)."""
    sid = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    expires = (now + timedelta(hours=SESSION_HOURS)).isoformat().replace("+00:00", "Z")
    with store.begin() as conn:
        # Expired sessions are swept as new ones open.
        conn.execute(delete(console_sessions).where(console_sessions.c.expires_at < now_iso()))
        conn.execute(
            console_sessions.insert().values(
                id_sha256=_sha256(sid),
                username=user.username,
                csrf_token=csrf,
                created_at=now_iso(),
                expires_at=expires,
            )
        )
    return sid, Session(user.username, user.roles, user.display_name, csrf, expires)


def resolve_session(store: Store, session_id: str) -> Session | None:
    if not session_id or len(session_id) > 200:
        return None
    with store.read() as conn:
        row = conn.execute(
            select(
                console_sessions.c.csrf_token,
                console_sessions.c.expires_at,
                users.c.username,
                users.c.roles,
                users.c.display_name,
            )
            .select_from(console_sessions.join(users, console_sessions.c.username == users.c.username))
            .where(console_sessions.c.id_sha256 == _sha256(session_id), users.c.active == 1)
        ).first()
    if row is None or _parse_time(row.expires_at) <= datetime.now(UTC):
        return None
    return Session(
        row.username, frozenset(json.loads(row.roles)), row.display_name, row.csrf_token, row.expires_at
    )


def end_session(store: Store, session_id: str) -> None:
    with store.begin() as conn:
        row = conn.execute(
            select(console_sessions.c.username).where(console_sessions.c.id_sha256 == _sha256(session_id))
        ).first()
        if row is None:
            return
        conn.execute(delete(console_sessions).where(console_sessions.c.id_sha256 == _sha256(session_id)))
        record(
            conn,
            type="auth.logout",
            actor=row.username,
            subject=f"user:{row.username}",
            payload={"username": row.username},
        )


# --- the authenticator the HTTP app calls -------------------------------------------------------


class CredentialCarrier(Protocol):
    """What the authenticator reads from a request (Starlette's Request fits)."""

    @property
    def headers(self) -> Mapping[str, str]: ...

    @property
    def cookies(self) -> Mapping[str, str]: ...


def principal_for(store: Store, carrier: CredentialCarrier) -> tuple[str, frozenset[str]] | None:
    """(user, roles) from `Authorization: Bearer <token>` (or `ApiKey <token>`, as yente clients send
    it), else from the session cookie."""
    auth = carrier.headers.get("authorization")
    if auth:
        scheme, _, value = auth.partition(" ")
        if scheme.lower() not in ("bearer", "apikey"):
            return None
        return resolve_token(store, value.strip())
    sid = carrier.cookies.get(SESSION_COOKIE)
    if sid:
        session = resolve_session(store, sid)
        if session is not None:
            return session.username, session.roles
    return None


def authenticator(store: Store) -> Callable[[CredentialCarrier], Principal | None]:
    """The callable `create_app` installs: resolves a bearer token or the console session cookie."""

    def authenticate(request: CredentialCarrier) -> Principal | None:
        found = principal_for(store, request)
        return Principal(found[0], found[1]) if found else None

    return authenticate
