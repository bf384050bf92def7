"""`POST /v1/screen`: one name or one wallet address against every current list version.

The screening service (matcher and address index) is built once at start-up and rebuilt in the
background when a list version changes.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator

import orjson
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from rempart.adapters.http.deps import ANONYMOUS, Principal, stateless_access
from rempart.adapters.storage.db import Store
from rempart.adapters.storage.decisions import save_decision
from rempart.domain.dates import PartialDate
from rempart.domain.lists import Identifier
from rempart.domain.screening.model import NameQuery
from rempart.errors import InputError
from rempart.services.screening import ScreeningService
from rempart.services.screening.engine import ScreenResult

router = APIRouter(tags=["screening"])

_WRITER = threading.Lock()


@contextlib.contextmanager
def _one_writer(store: Store) -> Iterator[None]:
    """On SQLite, decision writes from this endpoint wait their turn on a lock (between threads,
    and between server workers through a lock file beside the database) instead of in SQLite's busy
    handler, which sleeps and retries: with several workers, that collapsed the throughput."""
    path = store.engine.url.database if store.dialect == "sqlite" else None
    if not path or path == ":memory:" or os.name != "posix":
        yield
        return
    import fcntl

    with _WRITER:
        fd = os.open(f"{path}.write-lock", os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


def setup(app: FastAPI) -> None:
    if getattr(app.state, "screening", None) is None:
        app.state.screening = ScreeningService(
            app.state.store, threshold=app.state.settings.screening_threshold
        )

        def warm_up() -> None:
            app.state.screening.warm_up()

        app.router.on_startup.append(warm_up)


async def get_screening(request: Request) -> ScreeningService:
    """The app's screening service (async: it only reads app state, so it runs on the event loop
    instead of taking a trip to the thread pool on every request)."""
    svc: ScreeningService | None = getattr(request.app.state, "screening", None)
    if svc is None:
        setup(request.app)
        svc = request.app.state.screening
    assert svc is not None
    return svc


class IdentifierIn(BaseModel):
    kind: str = Field("other", examples=["passport"])
    value: str
    country: str | None = None


class ScreenRequest(BaseModel):
    """A name (with corroborating facts) or a wallet address."""

    name: str | None = Field(None, examples=["Vladimir Putin"])
    alt_names: list[str] = []
    schema_: str = Field("Person", alias="schema", examples=["Person"])
    birth_date: list[str] | str | None = Field(None, examples=["1952-10-07"])
    nationality: list[str] | str | None = Field(None, examples=[["RU"]])
    identifiers: list[IdentifierIn] = []
    gender: str | None = None
    address: str | None = Field(None, examples=["0x8576aCC5C05D6Ce88f4e49bf65BdF0C62F91353C"])
    chain: str | None = Field(None, examples=["ETH"])
    lists: list[str] = []
    threshold: float | None = Field(None, ge=0.0, le=1.0)
    limit: int = Field(10, ge=1, le=500)
    customer_id: str | None = Field(None, description="The customer screened (stored with the decision).")
    record: bool = Field(True, description="Store the result as a decision (audited).")

    model_config = {"populate_by_name": True}


def _as_list(v: list[str] | str | None) -> list[str]:
    if v is None:
        return []
    return [v] if isinstance(v, str) else list(v)


def parse_dates(values: list[str], field: str) -> tuple[PartialDate, ...]:
    out = []
    for d in values:
        try:
            out.append(PartialDate.parse_iso(d[:10]))
        except ValueError:
            raise InputError(
                "not a date", field=field, expected="YYYY, YYYY-MM or YYYY-MM-DD", value=d
            ) from None
    return tuple(out)


def run_screen(svc: ScreeningService, body: ScreenRequest) -> ScreenResult:
    if bool(body.name) == bool(body.address):
        raise InputError(
            "give either a name or an address", field="name", expected="exactly one of name, address"
        )
    if body.address:
        return svc.screen_address(body.address, body.chain, tuple(body.lists))
    assert body.name is not None
    q = NameQuery(
        name=body.name,
        schema=body.schema_,
        alt_names=tuple(body.alt_names),
        birth_dates=parse_dates(_as_list(body.birth_date), "birth_date"),
        nationalities=tuple(n.strip().upper() for n in _as_list(body.nationality)),
        identifiers=tuple(Identifier(i.kind, i.value, i.country) for i in body.identifiers),
        gender=body.gender,
        lists=tuple(body.lists),
    )
    return svc.screen_name(q, limit=body.limit, threshold=body.threshold)


@router.post(
    "/v1/screen",
    summary="Screen one name or one wallet address; hits best first, explained",
    response_class=JSONResponse,
)
def screen(
    body: ScreenRequest,
    request: Request,
    svc: ScreeningService = Depends(get_screening),
    principal: Principal = Depends(stateless_access("engineer", "analyst")),
) -> Response:
    """The result is serialized straight to JSON (orjson), not through a response model: a result
    holds up to `limit` hits with nested explanations, and that validation cost more than the
    search. The repeated identical query is answered from the screener's result cache."""
    res = run_screen(svc, body)
    out = res.to_dict()
    # A result is kept as a decision for identified callers only: an open endpoint writes nothing.
    if body.record and principal != ANONYMOUS:
        with _one_writer(svc.store), svc.store.begin() as conn:
            d = save_decision(
                conn,
                kind="screening",
                subject=f"customer:{body.customer_id}" if body.customer_id else "screening:adhoc",
                inputs=body.model_dump(by_alias=True, exclude={"record"}),
                outputs={"hits": out["hits"], "algorithm": res.algorithm, "threshold": res.threshold},
                refs={"list_versions": res.lists},
                actor=principal.user,
            )
        out["decision_id"] = d.id
    return Response(orjson.dumps(out, default=jsonable_encoder), media_type="application/json")
