"""Proof endpoints. Public: the latest signed tree head, the public key, inclusion and consistency
proofs (hashes only; an event's fields are shown to authenticated callers). Authenticated: evidence
packages of decisions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import PlainTextResponse, Response

from rempart.adapters.crypto_keys import load_or_create
from rempart.adapters.http.deps import Principal, get_settings, get_store, require_role
from rempart.adapters.storage.db import Store
from rempart.errors import Forbidden, NotFound
from rempart.services import proof
from rempart.services.evidence import Redaction, export_evidence
from rempart.settings import Settings

router = APIRouter(prefix="/v1/proof", tags=["proof"])


@router.get("/checkpoint")
def latest_checkpoint(store: Store = Depends(get_store)) -> dict[str, Any]:
    """The newest signed tree head of the audit log (public)."""
    with store.read() as conn:
        cp = proof.latest_checkpoint(conn)
    if cp is None:
        raise NotFound("no checkpoint has been signed yet")
    return cp.to_dict()


@router.get("/checkpoints/{checkpoint_id}")
def checkpoint(checkpoint_id: int, store: Store = Depends(get_store)) -> dict[str, Any]:
    with store.read() as conn:
        return proof.get_checkpoint(conn, checkpoint_id).to_dict()


@router.get("/public-key", response_class=PlainTextResponse)
def public_key(settings: Settings = Depends(get_settings)) -> str:
    """The provider's Ed25519 public key (PEM): what every signature is checked with."""
    return load_or_create(settings.key_dir).public_pem()


@router.get("/inclusion/{event_id}")
def inclusion(
    event_id: str,
    checkpoint_id: int | None = Query(None, alias="checkpoint"),
    store: Store = Depends(get_store),
) -> dict[str, Any]:
    """Inclusion proof of one event against a signed checkpoint (default: the newest covering it).
    Public callers get hashes only (leaf hash, path, checkpoint); the event's fields are withheld."""
    with store.read() as conn:
        cp = proof.get_checkpoint(conn, checkpoint_id) if checkpoint_id is not None else None
        result = proof.prove(conn, event_id, checkpoint=cp)
    result.pop("event", None)
    return result


@router.get("/inclusion/{event_id}/full")
def inclusion_full(
    event_id: str,
    checkpoint_id: int | None = Query(None, alias="checkpoint"),
    store: Store = Depends(get_store),
    _who: Principal = Depends(require_role("auditor", "mlro", "approver", "legal_intake", "analyst")),
) -> dict[str, Any]:
    """Inclusion proof with the event's fields (authenticated)."""
    with store.read() as conn:
        cp = proof.get_checkpoint(conn, checkpoint_id) if checkpoint_id is not None else None
        return proof.prove(conn, event_id, checkpoint=cp)


@router.get("/consistency")
def consistency(
    first: int = Query(..., ge=0), second: int = Query(..., ge=0), store: Store = Depends(get_store)
) -> dict[str, Any]:
    """Consistency proof between the trees of `first` and `second` events (public: hashes only)."""
    with store.read() as conn:
        return proof.consistency(conn, first, second)


@router.get("/evidence/{decision_id}", response_class=Response)
def evidence(
    decision_id: str,
    reveal_all: bool = False,
    store: Store = Depends(get_store),
    settings: Settings = Depends(get_settings),
    who: Principal = Depends(require_role("auditor", "mlro", "approver")),
) -> Response:
    """The evidence package (zip) of one decision. Personal data is hidden unless `reveal_all` and the
    caller is an MLRO or admin."""
    if reveal_all and not ({"mlro", "admin"} & who.roles):
        raise Forbidden("revealing personal data in evidence needs the mlro role", user=who.user)
    blob, _ = export_evidence(
        store, decision_id, load_or_create(settings.key_dir), Redaction(reveal_all=reveal_all), actor=who.user
    )
    return Response(
        blob,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="evidence-{decision_id}.zip"'},
    )


__all__ = ["router"]
