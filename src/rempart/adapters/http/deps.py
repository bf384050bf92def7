"""FastAPI dependencies: the store, the settings, and authentication with roles.

Authentication: `Authorization: Bearer <api token>` for programs, or the console's session cookie.
Users, roles and tokens live in the store (see `adapters/storage/tables_console.py` and
`services/users.py`). Roles: analyst, mlro, legal_intake, approver, engineer, auditor, admin.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Depends, Request

from rempart.adapters.storage.db import Store
from rempart.domain.principals import ROLES, Principal
from rempart.errors import Forbidden, Unauthenticated
from rempart.settings import Settings

__all__ = [
    "ANONYMOUS",
    "ROLES",
    "Principal",
    "current_principal",
    "get_settings",
    "get_store",
    "require_role",
    "stateless_access",
]

ANONYMOUS = Principal("anonymous", frozenset())


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def current_principal(request: Request) -> Principal:
    """Resolve the caller from a bearer token or the session cookie; 401 when neither is valid."""
    authenticate: Callable[[Request], Principal | None] = request.app.state.authenticate
    principal = authenticate(request)
    if principal is None:
        raise Unauthenticated("authentication required: send 'Authorization: Bearer <token>' or log in")
    return principal


def require_role(*roles: str) -> Callable[..., Principal]:
    """A dependency that lets through a principal holding any of `roles` (admin holds all)."""
    wanted = frozenset(roles)

    def dependency(principal: Principal = Depends(current_principal)) -> Principal:
        if not wanted or "admin" in principal.roles or principal.roles & wanted:
            return principal
        raise Forbidden(f"this needs one of the roles: {', '.join(sorted(wanted))}", user=principal.user)

    return dependency


def stateless_access(*roles: str) -> Callable[..., Principal]:
    """For endpoints that read no stored customer data: open when `open_stateless_endpoints` is set
    (the default), otherwise the same as `require_role(*roles)`. A caller that does send a token is
    still identified, so the audit log names them."""
    guarded = require_role(*roles)

    def dependency(request: Request) -> Principal:
        settings: Settings = request.app.state.settings
        authenticate: Callable[[Request], Principal | None] = request.app.state.authenticate
        principal = authenticate(request)
        if principal is None and request.headers.get("authorization"):
            raise Unauthenticated("the credentials sent are not valid (expired, revoked or mistyped token)")
        if settings.open_stateless_endpoints:
            return principal or ANONYMOUS
        if principal is None:
            raise Unauthenticated("authentication required: send 'Authorization: Bearer <token>' or log in")
        return guarded(principal)

    return dependency
