"""The one table from domain errors to HTTP statuses, installed on the app once."""

from __future__ import annotations

from fastapi import FastAPI, Request
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

    app.add_exception_handler(RempartError, handler)
