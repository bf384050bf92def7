"""`rempart customers|balances|prices import FILE`: the provider's own data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from rempart.adapters.cli.common import DbOption, JsonOption, emit_json, handle_errors, open_store
from rempart.services import provider
from rempart.services.provider import ImportCount

customers_app = typer.Typer(help="The provider's customers (CSV with a header, or JSON lines).")
balances_app = typer.Typer(help="Holdings per customer, account and asset (CSV, JSON lines or Parquet).")
prices_app = typer.Typer(help="Prices in EUR per asset with their time and source (CSV or JSON lines).")

FileArg = Annotated[Path, typer.Argument(help="The file to import.")]


def _print(result: ImportCount, as_json: bool) -> None:
    if as_json:
        emit_json(result.to_dict())
    else:
        parts = ", ".join(f"{k}={v}" for k, v in result.to_dict().items() if k not in ("kind", "file"))
        typer.echo(f"{result.kind}: imported {result.file}: {parts}")


@customers_app.command("import")
@handle_errors
def import_customers(file: FileArg, db: DbOption = None, as_json: JsonOption = False) -> None:
    """Import customers; existing ones are updated when their data changed. All or nothing."""
    _print(provider.import_customers(open_store(db), file), as_json)


@balances_app.command("import")
@handle_errors
def import_balances(
    file: FileArg,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Time of the snapshot (default: now).")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import a snapshot of balances (customer_id, account_id, asset, amount). Earlier snapshots are kept."""
    _print(provider.import_balances(open_store(db), file, as_of=as_of), as_json)


@prices_app.command("import")
@handle_errors
def import_prices(file: FileArg, db: DbOption = None, as_json: JsonOption = False) -> None:
    """Import prices (asset, price_eur, as_of, source). A stored price is never overwritten."""
    _print(provider.import_prices(open_store(db), file), as_json)


def register(app: typer.Typer) -> None:
    app.add_typer(customers_app, name="customers")
    app.add_typer(balances_app, name="balances")
    app.add_typer(prices_app, name="prices")
