"""Run the HTTP API and console with uvicorn, saying clearly where.

With several workers, the screener is built (or loaded) once in the parent, then the parent forks
one uvicorn server per worker on a shared listening socket: the workers share the screener's pages
copy-on-write (its objects are frozen out of the garbage collector) instead of each loading its own.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
from typing import Any

import typer

from rempart.adapters.storage.db import Store
from rempart.settings import Settings


def run_server(
    cfg: Settings, store: Store, *, host: str | None = None, port: int | None = None, workers: int = 1
) -> None:
    from rempart.adapters.http.app import create_app

    h, p = host or cfg.host, port or cfg.port
    app = create_app(cfg, store)
    typer.secho(
        f"\nRempart is serving on http://{h}:{p}/  (console: http://{h}:{p}/console, "
        f"API docs: http://{h}:{p}/docs). Press Ctrl+C to stop.\n",
        fg=typer.colors.GREEN,
        bold=True,
    )
    serve_app(app, h, p, workers=workers)


def serve_app(app: Any, host: str, port: int, *, workers: int = 1, log_level: str = "warning") -> None:
    """Serve `app` (a FastAPI app from `create_app`) with `workers` processes (0: one per core)."""
    import uvicorn

    n = workers if workers > 0 else (os.cpu_count() or 1)
    if n <= 1 or not hasattr(os, "fork"):
        uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False)
        return
    screening = getattr(app.state, "screening", None)
    if screening is None:
        from rempart.adapters.http.screen import setup

        setup(app)
        screening = app.state.screening
    screening.warm_up()  # before the fork: the workers share it
    store: Store = app.state.store
    store.engine.dispose()  # no pooled database connection crosses the fork
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    children: list[int] = []
    for _ in range(n):
        pid = os.fork()
        if pid == 0:  # a worker
            code = 0
            try:
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                config = uvicorn.Config(app, log_level=log_level, access_log=False)
                uvicorn.Server(config).run(sockets=[sock])
            except BaseException:  # the worker's error is on its stderr
                code = 1
            finally:
                os._exit(code)
        children.append(pid)
    sock.close()

    def stop(signum: int, _frame: object) -> None:
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        for pid in children:
            while True:
                try:
                    os.waitpid(pid, 0)
                    break
                except InterruptedError:
                    continue
                except ChildProcessError:
                    break
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
