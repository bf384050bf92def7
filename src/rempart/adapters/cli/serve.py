"""`rempart serve [--host H] [--port P]`: the HTTP API and the console, with scheduled checkpoints."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from rempart.adapters.cli.common import DbOption, JsonOption, emit_json, handle_errors, open_store, settings
from rempart.adapters.storage.db import Store
from rempart.settings import Settings


def start_checkpoints(store: Store, cfg: Settings) -> Any:
    """Start the proof area's checkpoint schedule when it exists; return its handle (or None)."""
    try:
        from rempart.services import proof
    except ModuleNotFoundError as exc:
        if exc.name == "rempart.services.proof":
            return None
        raise
    start = getattr(proof, "start_checkpoint_scheduler", None)
    if start is None:
        return None
    try:
        return start(store, cfg)
    except OSError as exc:  # e.g. the key directory is not writable: serve anyway, say so loudly
        typer.secho(f"warning: scheduled checkpoints are OFF: {exc}", err=True, fg=typer.colors.RED)
        return None


def serve(
    cfg: Settings,
    store: Store,
    *,
    host: str | None = None,
    port: int | None = None,
    as_json: bool = False,
    workers: int = 1,
) -> None:
    from rempart.adapters.cli.serve_app import run_server

    scheduler = start_checkpoints(store, cfg)
    if as_json:
        h, p = host or cfg.host, port or cfg.port
        emit_json(
            {
                "url": f"http://{h}:{p}/",
                "console": f"http://{h}:{p}/console/",
                "checkpoints_every_seconds": cfg.checkpoint_interval_seconds if scheduler else None,
            }
        )
    elif scheduler is not None:
        typer.echo(
            f"Signing an audit checkpoint every {cfg.checkpoint_interval_seconds} s when the log grows."
        )
    try:
        run_server(cfg, store, host=host, port=port, workers=workers)
    finally:
        stop = getattr(scheduler, "stop", None)
        if callable(stop):
            stop()


def register(app: typer.Typer) -> None:
    @app.command("serve")
    @handle_errors
    def serve_command(
        host: Annotated[
            str | None, typer.Option("--host", help="Address to bind (default: REMPART_HOST).")
        ] = None,
        port: Annotated[int | None, typer.Option("--port", help="Port (default: REMPART_PORT).")] = None,
        workers: Annotated[
            int,
            typer.Option(
                "--workers",
                min=0,
                help="Server processes sharing the screener (forked once it is loaded); 0: one per core.",
            ),
        ] = 1,
        db: DbOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Serve the HTTP API (/v1, /docs) and the web console (/console)."""
        cfg = settings()
        if db:
            cfg = cfg.model_copy(update={"database_url": db})
        serve(cfg, open_store(db, cfg), host=host, port=port, as_json=as_json, workers=workers)
