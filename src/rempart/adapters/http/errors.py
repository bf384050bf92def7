"""The one table from domain errors to HTTP statuses, installed on the app once."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from rempart.errors import (
    Conflict,
    Forbidden,
    InputError,
    IntegrityFailure,
    NotFound,
    RempartError,
    Unauthenticated,
)

STATUS: dict[type[RempartError], int] = {
    InputError: 422,
    NotFound: 404,
    Conflict: 409,
    Forbidden: 403,
    Unauthenticated: 401,
    IntegrityFailure: 409,
    RempartError: 400,
}


def status_for(exc: RempartError) -> int:
    # Looked up at call time through the MRO, so a subclass added later maps correctly.
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


def install(app: FastAPI) -> None:
    async def handler(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RempartError)
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthenticated) else None
        return JSONResponse(status_code=status_for(exc), content={"error": exc.to_dict()}, headers=headers)

    async def invalid_request(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return JSONResponse(status_code=422, content=validation_error_body(exc.errors()))

    app.add_exception_handler(RempartError, handler)
    app.add_exception_handler(RequestValidationError, invalid_request)


def validation_error_body(errors: Any) -> dict[str, Any]:
    """A request the framework could not parse, in our error shape, naming the first bad field.

    `detail` keeps FastAPI's own list as well, so clients written for FastAPI services (yente's
    among them) still find what they expect.
    """
    items = [dict(e) for e in errors]
    first = items[0] if items else {}
    loc = [str(p) for p in first.get("loc", ()) if p != "body"]
    field = ".".join(loc) or None
    message = str(first.get("msg", "invalid request"))
    error: dict[str, Any] = {"code": InputError.code, "message": f"{field}: {message}" if field else message}
    if field:
        error["field"] = field
    expected = first.get("ctx", {}).get("expected") if isinstance(first.get("ctx"), dict) else None
    if expected:
        error["expected"] = str(expected)
    error["errors"] = [
        {"field": ".".join(str(p) for p in e.get("loc", ()) if p != "body"), "message": str(e.get("msg", ""))}
        for e in items
    ]
    detail = [{k: v for k, v in e.items() if k in ("type", "loc", "msg")} for e in items]
    return {"error": error, "detail": detail}
