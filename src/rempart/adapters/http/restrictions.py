"""`POST /v1/restrictions/decide` (stateless) and `POST /v1/restrictions/check` (stored customer).

The gate is called before every deposit, withdrawal, trade and transfer, so its path is kept short: the
handler is `async` with the request as its only parameter (no dependency to resolve, no body model), the
token is resolved from the users service's cache on the event loop, JSON is read and written with orjson,
and the check itself goes to the thread pool once.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import partial
from typing import Any

import orjson
from fastapi import APIRouter, Body, Depends, FastAPI, Request
from fastapi.responses import Response
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


CHECK_BODY = {
    "type": "object",
    "required": ["customer_id"],
    "properties": {
        "customer_id": {"type": "string", "description": "A stored customer's id"},
        "action": {
            "type": "string",
            "default": "hold",
            "description": "hold, deposit, withdraw, trade, transfer_in, transfer_out, ...",
        },
        "asset": {"type": "string"},
        "amount": {"type": "string", "description": "A decimal string (a number is accepted)"},
        "as_of": {"type": "string", "format": "date", "description": "Default: today"},
        "provider_entity": {"type": "string", "default": "EU"},
        "record": {
            "type": "boolean",
            "default": True,
            "description": "Store the decision with its audit event (the default); false: decide only",
        },
    },
}


def _check_args(raw: bytes) -> dict[str, Any]:
    """The request body as keyword arguments of `check_customer` (422 naming the field otherwise)."""
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise InputError("not valid JSON", field="(body)", expected="a JSON object") from None
    if not isinstance(body, dict):
        raise InputError("not an object", field="(body)", expected="a JSON object")
    customer_id = body.get("customer_id")
    if not isinstance(customer_id, str) or not customer_id:
        raise InputError("missing", field="customer_id", expected="a stored customer id")
    for field in ("asset", "as_of", "provider_entity"):
        if body.get(field) is not None and not isinstance(body[field], str):
            raise InputError("not a string", field=field, expected="a string", value=_shown(body[field]))
    record = body.get("record", True)
    if not isinstance(record, bool):  # not truthiness: "false" would store, null would not
        raise InputError("not a boolean", field="record", expected="true or false", value=_shown(record))
    amount = body.get("amount")
    if isinstance(amount, float):  # money is never a float: read the number as written
        amount = json.loads(raw, parse_float=Decimal)["amount"]
    return {
        "customer_id": customer_id,
        "action": body.get("action", "hold"),
        "asset": body.get("asset"),
        "amount": amount,
        "as_of": body.get("as_of"),
        "provider_entity": body.get("provider_entity"),
        "record": record,
    }


def _shown(value: Any) -> str:
    return orjson.dumps(value).decode()[:80]


@router.post(
    "/check",
    summary="The real-time gate for a stored customer and an action",
    response_model=dict[str, Any],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": CHECK_BODY,
                    "example": {"customer_id": "c1", "action": "withdraw", "asset": "BTC", "amount": "0.1"},
                }
            },
        }
    },
)
async def check(request: Request) -> Response:
    """One parameter, the request: FastAPI then resolves no dependency and validates no body model
    per call (the body is a handful of scalars, checked here and by `parse_facts`), and the JSON is
    read and written with orjson."""
    principal = _gate_guard(current_principal(request))  # the token cache: no thread hop, no store read
    args = _check_args(await request.body())
    rules = await get_rules(request)
    store: Store = request.app.state.store  # what deps.get_store returns, without a thread hop
    # In a worker thread: the event loop keeps reading and answering other requests meanwhile, and a
    # stored decision waits there for its shared transaction. (Run on the loop instead, an unstored
    # check saved ~10 % CPU but served fewer checks per second on this shared 2-core machine.)
    out = await run_in_threadpool(partial(svc.check_customer, store, rules, actor=principal.user, **args))
    return Response(orjson.dumps(out), media_type="application/json")
