"""The FastAPI app factory: the only place that assembles the HTTP adapter."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from fastapi import FastAPI, Request

from rempart import __version__
from rempart.adapters.http import errors
from rempart.adapters.http.deps import Principal
from rempart.adapters.storage.db import Store
from rempart.settings import Settings

# Area routers, each `router` in adapters/http/<module>.py. Listed here, in one place.
ROUTERS = ("system", "screen", "yente", "restrictions", "requests", "proof", "console", "auth")


def create_app(settings: Settings, store: Store | None = None) -> FastAPI:
    app = FastAPI(
        title="Rempart",
        version=__version__,
        description="Sanctions screening, dated restriction rules, a data-request desk, and verifiable proof.",
    )
    app.state.settings = settings
    app.state.store = store or Store.open(settings.database_url)
    app.state.authenticate = _default_authenticator(app.state.store)
    errors.install(app)
    for name in ROUTERS:
        try:
            module = importlib.import_module(f"rempart.adapters.http.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"rempart.adapters.http.{name}":
                continue  # an area not built yet
            raise
        setup = getattr(module, "setup", None)
        if setup is not None:
            setup(app)
        app.include_router(module.router)
    return app


def _default_authenticator(store: Store) -> Callable[[Request], Principal | None]:
    try:
        from rempart.services.users import authenticator
    except ModuleNotFoundError:
        return lambda _request: None
    return authenticator(store)
