"""`rempart lists import|show`."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from rempart.adapters.cli.common import DbOption, JsonOption, emit_json, handle_errors, open_store
from rempart.adapters.storage import lists_repo
from rempart.services.lists import import_files

app = typer.Typer(help="Sanctions lists: import official files as immutable versions; show the current ones.")

SOURCES = ("ofac", "un", "uk", "eu", "ftm", "crypto")


@app.command("import")
@handle_errors
def import_(
    paths: Annotated[list[Path], typer.Argument(help="The list's files (all files of one list version).")],
    source: Annotated[str, typer.Option("--source", help="ofac | un | uk | eu | ftm | crypto")],
    list_name: Annotated[str | None, typer.Option("--list", help="Store under this list name.")] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="The list's date (YYYY-MM-DD) when the files do not say it (OFAC CSVs)."
        ),
    ] = None,
    rescreen: Annotated[
        bool,
        typer.Option(
            "--rescreen/--no-rescreen",
            help="After a new version, rescreen the stored customers against what changed (delta).",
        ),
    ] = True,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import one list version; print its counts and the diff against the previous version.

    When the version is new and customers are stored, only the entities it added or changed are
    screened against every customer (and new customers against everything); alerts open as usual."""
    if source not in SOURCES:
        raise typer.BadParameter(f"expected one of {', '.join(SOURCES)}", param_hint="--source")
    for p in paths:
        if not p.exists():
            raise FileNotFoundError(2, "no such file", str(p))
    try:
        day = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        raise typer.BadParameter("expected a date YYYY-MM-DD", param_hint="--as-of") from None
    store = open_store(db)
    result = import_files(store, paths, source, list_name=list_name, as_of=day)
    out = result.version.to_dict(with_diff=False)
    out["diff"] = result.diff.summary()
    out["created"] = result.created
    if result.version.warnings:
        out["warnings"] = list(result.version.warnings)
    if rescreen and result.created and not result.diff.empty:
        from rempart.services.screening.batch import count_customers
        from rempart.services.screening.delta import rescreen_after_import
        from rempart.services.screening.engine import default_cache_dir

        if count_customers(store):
            out["rescreen"] = rescreen_after_import(
                store, result.version.id, cache_dir=default_cache_dir()
            ).to_dict()
    if as_json:
        emit_json(out)
        return
    c = Console()
    state = "new version" if result.created else "unchanged (same content as the current version)"
    c.print(f"[bold]{out['list']}[/bold] {out['version']} as of {out['as_of']}: {state}")
    c.print("counts: " + ", ".join(f"{k}={v}" for k, v in out["counts"].items()))
    c.print("diff:   " + ", ".join(f"{k}={v}" for k, v in out["diff"].items()))
    for w in result.version.warnings:
        c.print(f"[yellow]warning:[/yellow] {w}")
    if "rescreen" in out:
        r = out["rescreen"]
        c.print(
            f"rescreened: {r['touched_entities']} changed entities against {r['customers_vs_delta']} customers, "
            f"{r['customers_vs_all']} new customers against everything; {r['alerts_opened']} alerts opened"
        )


@app.command("show")
@handle_errors
def show(db: DbOption = None, as_json: JsonOption = False) -> None:
    """The current version of each list, with its counts."""
    store = open_store(db)
    with store.read() as conn:
        versions = lists_repo.current_versions(conn)
    rows = [v.to_dict(with_diff=False) for v in versions]
    if as_json:
        emit_json(rows)
        return
    t = Table("list", "version", "as of", "entities", "names", "wallets", "imported")
    for r in rows:
        t.add_row(
            r["list"],
            r["version"],
            r["as_of"],
            str(r["counts"].get("entities", 0)),
            str(r["counts"].get("names", 0)),
            str(r["counts"].get("wallets", 0)),
            r["created_at"],
        )
    Console().print(t if rows else "no lists imported yet: run `rempart lists import PATH... --source ...`")
