"""Run the HTTP API and console with uvicorn, saying clearly where."""

from __future__ import annotations

import typer

from rempart.adapters.storage.db import Store
from rempart.settings import Settings


def run_server(cfg: Settings, store: Store, *, host: str | None = None, port: int | None = None) -> None:
    import uvicorn

    from rempart.adapters.http.app import create_app

    h, p = host or cfg.host, port or cfg.port
    app = create_app(cfg, store)
    typer.secho(
        f"\nRempart is serving on http://{h}:{p}/  (console: http://{h}:{p}/console, "
        f"API docs: http://{h}:{p}/docs). Press Ctrl+C to stop.\n",
        fg=typer.colors.GREEN,
        bold=True,
    )
    uvicorn.run(app, host=h, port=p, log_level="warning")
