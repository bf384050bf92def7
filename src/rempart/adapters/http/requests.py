"""The data-request desk over HTTP: `POST /v1/requests/evaluate` (stateless), `POST /v1/requests` (store),
then the workflow: advance, approve, reject, update, produce, package download, deliver, notify, due.

Every endpoint needs authentication; roles: legal_intake takes requests in, approver approves (four eyes).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, FastAPI, Request
from fastapi.responses import PlainTextResponse, Response

from rempart.adapters.crypto_keys import load_or_create
from rempart.adapters.http.deps import (
    ANONYMOUS,
    Principal,
    get_settings,
    get_store,
    require_role,
    stateless_access,
)
from rempart.adapters.storage.db import Store
from rempart.domain.principals import Principal as Actor
from rempart.domain.requests.evaluate import EvaluationContext, ScreenFn
from rempart.domain.requests.model import parse_request
from rempart.domain.requests.rules import RequestRules
from rempart.errors import InputError
from rempart.services import requests as svc
from rempart.services.requests.desk import screen_with
from rempart.settings import Settings

router = APIRouter(prefix="/v1/requests", tags=["requests"])

READERS = ("legal_intake", "approver", "auditor", "mlro")
EVALUATORS = ("legal_intake", "approver", "analyst", "mlro", "engineer", "auditor")
WORKERS = ("legal_intake", "approver")

EXAMPLE = {
    "received_at": "2026-09-01T10:00:00Z",
    "provider_entity": "EU",
    "requester": {
        "agency": "Police nationale",
        "country": "FR",
        "authority_type": "police",
        "officer": "Capitaine Exemple",
        "email": "capitaine.exemple@interieur.gouv.fr",
        "verified": True,
    },
    "instrument": {
        "type": "epoc",
        "issuer_role": "prosecutor",
        "reference": "EPOC-FR-2026-0042",
        "issued_at": "2026-08-30",
        "offence": "money laundering",
        "max_penalty_years": 5,
    },
    "emergency": False,
    "targets": [{"type": "customer_id", "value": "c1"}],
    "data_categories": ["subscriber", "identification"],
    "date_range": {"from": "2025-01-01", "to": "2026-08-01"},
    "non_disclosure": None,
}


def setup(app: FastAPI) -> None:
    """Load (and validate) the request rules once at start-up."""
    app.state.request_rules = svc.rules_from_settings(app.state.settings)


def get_rules(request: Request) -> RequestRules:
    rules: RequestRules | None = getattr(request.app.state, "request_rules", None)
    if rules is None:
        rules = svc.rules_from_settings(request.app.state.settings)
        request.app.state.request_rules = rules
    return rules


def _screening(request: Request) -> tuple[ScreenFn | None, tuple[str, ...]]:
    from rempart.services.screening.engine import ScreeningService

    service = getattr(request.app.state, "request_screening", None)
    if service is None:
        service = ScreeningService(
            request.app.state.store, threshold=request.app.state.settings.screening_threshold
        )
        request.app.state.request_screening = service
    return screen_with(service)


def _actor(p: Principal) -> Actor:
    return Actor(p.user, frozenset(p.roles))


def _reason(body: Any) -> str:
    if not isinstance(body, dict) or not isinstance(body.get("reason"), str) or not body["reason"].strip():
        raise InputError("a reason is required", field="reason", expected='{"reason": "..."}')
    return str(body["reason"])


@router.post("/evaluate", summary="One stateless request evaluation (product.md input and output)")
def evaluate(
    request: Request,
    body: Any = Body(..., examples=[EXAMPLE]),
    rules: RequestRules = Depends(get_rules),
    store: Store = Depends(get_store),
    settings: Settings = Depends(get_settings),
    p: Principal = Depends(stateless_access(*EVALUATORS)),
) -> dict[str, Any]:
    req = parse_request(body)
    screen, lists = _screening(request)
    if p == ANONYMOUS:
        # Without a token: screening against the public lists only, no stored customer marks read.
        out = svc.evaluate_json(body, rules, EvaluationContext(screen=screen, lists=lists))
        out["stored_context"] = False
        return out
    ctx = svc.evaluation_context(store, settings, req, screen=screen, lists=lists)
    out = svc.evaluate_json(body, rules, ctx)
    out["stored_context"] = True
    return out


@router.post("", status_code=201, summary="Take a request in: resolve targets, evaluate, store")
def submit(
    request: Request,
    body: Any = Body(..., examples=[EXAMPLE]),
    rules: RequestRules = Depends(get_rules),
    store: Store = Depends(get_store),
    settings: Settings = Depends(get_settings),
    p: Principal = Depends(require_role(*WORKERS)),
) -> dict[str, Any]:
    req = parse_request(body)
    screen, lists = _screening(request)
    ctx = svc.evaluation_context(store, settings, req, screen=screen, lists=lists)
    return svc.submit(store, settings, rules, body, _actor(p), context=ctx)


@router.get("", summary="Stored requests, newest first")
def list_requests(
    state: str | None = None,
    store: Store = Depends(get_store),
    _p: Principal = Depends(require_role(*READERS)),
) -> list[dict[str, Any]]:
    return svc.list_requests(store, state=state)


@router.get("/due", summary="Deadlines, preservation expiries and user notifications due")
def due(
    days: int = 2, store: Store = Depends(get_store), _p: Principal = Depends(require_role(*READERS))
) -> list[dict[str, Any]]:
    from datetime import timedelta

    return svc.due(store, horizon=timedelta(days=days))


@router.get(
    "/public-key",
    summary="The provider's Ed25519 public key (PEM) that signs packages",
    response_class=PlainTextResponse,
)
def public_key(
    settings: Settings = Depends(get_settings), _p: Principal = Depends(require_role(*READERS))
) -> str:
    return load_or_create(settings.key_dir).public_pem()


@router.get("/{request_id}", summary="One stored request with its evaluation, moves and approvals")
def show(
    request_id: str, store: Store = Depends(get_store), _p: Principal = Depends(require_role(*READERS))
) -> dict[str, Any]:
    return svc.get_request(store, request_id)


@router.put("/{request_id}", summary="Replace the request's content (information supplied) and re-evaluate")
def update(
    request_id: str,
    body: Any = Body(...),
    rules: RequestRules = Depends(get_rules),
    store: Store = Depends(get_store),
    settings: Settings = Depends(get_settings),
    p: Principal = Depends(require_role(*WORKERS)),
) -> dict[str, Any]:
    return svc.resupply(store, settings, rules, request_id, body, _actor(p))


@router.post("/{request_id}/advance", summary='Move along the state table: {"to": STATE, "reason": ...}')
def advance(
    request_id: str,
    body: Any = Body(..., examples=[{"to": "needs_info", "reason": "..."}]),
    store: Store = Depends(get_store),
    p: Principal = Depends(require_role(*WORKERS)),
) -> dict[str, Any]:
    to = body.get("to") if isinstance(body, dict) else None
    if not isinstance(to, str):
        raise InputError(
            "the target state is required", field="to", expected='{"to": "...", "reason": "..."}'
        )
    return svc.advance(store, request_id, to, _actor(p), _reason(body))


@router.post("/{request_id}/approve", summary="Approve (two distinct approvers, neither the intake author)")
def approve(
    request_id: str,
    body: Any = Body(..., examples=[{"reason": "lawful, scope checked"}]),
    store: Store = Depends(get_store),
    p: Principal = Depends(require_role("approver")),
) -> dict[str, Any]:
    return svc.approve(store, request_id, _actor(p), _reason(body))


@router.post("/{request_id}/reject", summary="Refuse the request, with the reason")
def reject(
    request_id: str,
    body: Any = Body(...),
    store: Store = Depends(get_store),
    p: Principal = Depends(require_role("approver")),
) -> dict[str, Any]:
    return svc.reject(store, request_id, _actor(p), _reason(body))


@router.post("/{request_id}/produce", summary="Produce the approved scope: signed, hashed package")
def produce(
    request_id: str,
    store: Store = Depends(get_store),
    settings: Settings = Depends(get_settings),
    p: Principal = Depends(require_role(*WORKERS)),
) -> dict[str, Any]:
    key = load_or_create(settings.key_dir)
    return svc.produce(store, request_id, _actor(p), key, key.key_id)


@router.get("/{request_id}/package", summary="Download the produced package (zip)")
def package(
    request_id: str,
    production: str | None = None,
    store: Store = Depends(get_store),
    _p: Principal = Depends(require_role(*WORKERS)),
) -> Response:
    pid, data = svc.download(store, request_id, production)
    return Response(
        content=data,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{request_id}-{pid}.zip"'},
    )


@router.post("/{request_id}/deliver", summary="Record delivery to the requester")
def deliver(
    request_id: str,
    body: Any = Body(...),
    store: Store = Depends(get_store),
    settings: Settings = Depends(get_settings),
    p: Principal = Depends(require_role(*WORKERS)),
) -> dict[str, Any]:
    return svc.deliver(store, request_id, _actor(p), _reason(body), load_or_create(settings.key_dir))


@router.post("/{request_id}/notify", summary="Record the user's notification (refused while a gag holds)")
def notify(
    request_id: str,
    body: Any = Body(...),
    store: Store = Depends(get_store),
    p: Principal = Depends(require_role(*WORKERS)),
) -> dict[str, Any]:
    return svc.notify(store, request_id, _actor(p), _reason(body))
