"""What every command shares: `--db`, `--json`, opening the store, printing, and error exits."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from sqlalchemy.exc import SQLAlchemyError

from rempart.adapters.storage.db import Store
from rempart.errors import RempartError
from rempart.settings import Settings

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL (default: REMPART_DATABASE_URL, else sqlite:///rempart.db)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]
# For the commands that check published files with the public key alone: `--db` is accepted, like
# everywhere, and not used (they need no database).
UnusedDbOption = Annotated[
    str | None, typer.Option("--db", help="Accepted for uniformity; this command reads no database.")
]

P = ParamSpec("P")
R = TypeVar("R")


def settings() -> Settings:
    return Settings()


def open_store(db: str | None, cfg: Settings | None = None) -> Store:
    cfg = cfg or settings()
    return Store.open(db or cfg.database_url)


def emit_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")


def fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def handle_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn Rempart's errors into a message on stderr and exit code 2 (1 for integrity failures)."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except RempartError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1 if exc.code == "integrity_failure" else 2) from None
        except FileNotFoundError as exc:
            typer.echo(f"error: {exc.filename}: no such file", err=True)
            raise typer.Exit(2) from None
        except SQLAlchemyError as exc:
            # The database is unreachable or refused the statement: say so plainly, no traceback.
            detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            typer.echo(f"error: database: {detail}", err=True)
            raise typer.Exit(3) from None

    return wrapper
