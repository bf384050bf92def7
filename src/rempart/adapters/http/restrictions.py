"""`POST /v1/restrictions/decide` (stateless) and `POST /v1/restrictions/check` (stored customer).

The gate is called before every deposit, withdrawal, trade and transfer, so its path is kept short: the
handlers are `async` and hand the decision to the thread pool once (a sync handler and each sync
dependency cost a thread hop apiece), and the decision, already plain JSON data, is written as is.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, Body, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from rempart.adapters.http.deps import Principal, current_principal, require_role, stateless_access
from rempart.adapters.storage.db import Store
from rempart.domain.rules import RuleSet
from rempart.errors import InputError
from rempart.services import restrictions as svc

router = APIRouter(prefix="/v1/restrictions", tags=["restrictions"])

DECIDE_EXAMPLE = {
    "as_of": "2022-06-01",
    "action": "hold",
    "customer": {
        "type": "person",
        "nationalities": ["RU"],
        "residence_country": "RU",
        "residence_permits": [{"country": "DE", "kind": "temporary", "valid_until": "2027-01-01"}],
        "establishment_country": None,
        "sanctions": [],
    },
    "holdings": [{"account_id": "a1", "asset": "BTC", "amount": "0.5"}],
    "prices_eur": {"BTC": "25000.00"},
}


def setup(app: FastAPI) -> None:
    """Load (and validate) the rules once at start-up, so the first request does not pay for it."""
    app.state.restriction_rules = svc.rules_from_settings(app.state.settings)


async def get_rules(request: Request) -> RuleSet:
    rules: RuleSet | None = getattr(request.app.state, "restriction_rules", None)
    if rules is None:
        rules = svc.rules_from_settings(request.app.state.settings)
        request.app.state.restriction_rules = rules
    return rules


@router.post("/decide", summary="One stateless restriction decision (product.md input and output)")
def decide(
    body: Any = Body(..., examples=[DECIDE_EXAMPLE]),
    rules: RuleSet = Depends(get_rules),
    _p: Principal = Depends(stateless_access("engineer", "analyst", "mlro")),
) -> dict[str, Any]:
    return svc.decide_json(body, rules)


_gate_guard = require_role("engineer", "analyst", "mlro")


async def gate_principal(request: Request) -> Principal:
    """`require_role("engineer", "analyst", "mlro")`, resolved on the event loop instead of two thread hops: a
    token is looked up in the users service's in-memory cache (the store is read at most every few seconds
    per token). Same 401 and 403 as `require_role`."""
    return _gate_guard(current_principal(request))


@router.post(
    "/check", summary="The real-time gate for a stored customer and an action", response_model=dict[str, Any]
)
async def check(
    request: Request,
    body: Any = Body(
        ..., examples=[{"customer_id": "c1", "action": "withdraw", "asset": "BTC", "amount": "0.1"}]
    ),
    rules: RuleSet = Depends(get_rules),
    principal: Principal = Depends(gate_principal),
) -> JSONResponse:
    if not isinstance(body, dict):
        raise InputError("not an object", field="(body)", expected="a JSON object")
    customer_id = body.get("customer_id")
    if not isinstance(customer_id, str) or not customer_id:
        raise InputError("missing", field="customer_id", expected="a stored customer id")
    store: Store = request.app.state.store  # what deps.get_store returns, without a thread hop
    out = await run_in_threadpool(
        partial(
            svc.check_customer,
            store,
            rules,
            customer_id=customer_id,
            action=body.get("action", "hold"),
            asset=body.get("asset"),
            amount=body.get("amount"),
            as_of=body.get("as_of"),
            provider_entity=body.get("provider_entity"),
            actor=principal.user,
            record=bool(body.get("record", True)),
        )
    )
    return JSONResponse(out)  # plain JSON data (strings, numbers, lists): nothing for jsonable_encoder to do
