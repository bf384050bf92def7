"""Authentication endpoints: exchange a user name and password for an API token; who am I."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from rempart.adapters.http.deps import Principal, current_principal, get_store, require_role
from rempart.adapters.storage.db import Store
from rempart.services import users as users_service

router = APIRouter(tags=["auth"])


class TokenRequest(BaseModel):
    username: str = Field(..., max_length=80)
    password: str = Field(..., max_length=1024)
    label: str = Field("", max_length=200, description="What the token is for (shown in token lists).")


class TokenResponse(BaseModel):
    token: str = Field(..., description="Send as 'Authorization: Bearer <token>'. Shown only once.")
    token_id: str
    username: str
    roles: list[str]


class Me(BaseModel):
    username: str
    roles: list[str]


class TokenInfoOut(BaseModel):
    id: str
    username: str
    label: str
    created_at: str
    revoked_at: str | None


@router.post("/v1/auth/token", response_model=TokenResponse)
def create_token(body: TokenRequest, store: Store = Depends(get_store)) -> TokenResponse:
    """Log in with a user name and password and receive a new API token (401 on a wrong password)."""
    user = users_service.login(store, body.username, body.password, via="api")
    token, info = users_service.issue_token(store, user.username, label=body.label or "api login")
    return TokenResponse(token=token, token_id=info.id, username=user.username, roles=sorted(user.roles))


@router.get("/v1/auth/me", response_model=Me)
def me(principal: Principal = Depends(current_principal)) -> Me:
    """The caller as the server sees it: user name and roles."""
    return Me(username=principal.user, roles=sorted(principal.roles))


@router.get("/v1/auth/tokens", response_model=list[TokenInfoOut])
def tokens(
    principal: Principal = Depends(current_principal), store: Store = Depends(get_store)
) -> list[TokenInfoOut]:
    """The caller's own tokens (ids and labels; never the tokens themselves)."""
    return [TokenInfoOut(**t.__dict__) for t in users_service.list_tokens(store, principal.user)]


@router.post("/v1/auth/tokens/{token_id}/revoke", status_code=204)
def revoke(
    token_id: str,
    principal: Principal = Depends(current_principal),
    store: Store = Depends(get_store),
) -> None:
    """Revoke one of the caller's tokens (an admin may revoke anyone's)."""
    owned = {t.id for t in users_service.list_tokens(store, principal.user)}
    if token_id not in owned:
        require_role("admin")(principal)
    users_service.revoke_token(store, token_id, actor=principal.user)
