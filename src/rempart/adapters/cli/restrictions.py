"""`rempart restrictions decide|check|evaluate|replay|rules`."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from rempart.adapters.cli.common import (
    DbOption,
    JsonOption,
    UnusedDbOption,
    emit_json,
    handle_errors,
    open_store,
    settings,
)
from rempart.errors import InputError
from rempart.services import restrictions as svc

app = typer.Typer(help="Restrictions: dated, cited rules deciding per customer and per action.")


def _print_decision(out: dict[str, Any]) -> None:
    c = Console()
    colour = {
        "allow": "green",
        "deny": "yellow",
        "offboard": "red",
        "freeze": "bold red",
        "review": "magenta",
    }
    c.print(
        f"outcome: [{colour.get(out['outcome'], 'white')}]{out['outcome']}[/] "
        f"(action {out['action']} on {out['as_of']}, {out['provider_entity']} entity; "
        f"holdings EUR {out['holdings_eur']})"
    )
    if out.get("decided_by"):
        c.print("decided by: " + ", ".join(out["decided_by"]))
    t = Table("rule", "version", "status", "reason")
    for r in out["rules"]:
        t.add_row(r["id"], r["version_from"] or "-", r["status"], r["reason"])
    c.print(t)
    if out.get("plan"):
        c.print(f"[bold]plan ({out['plan']['type']})[/bold]")
        for s in out["plan"].get("steps", []):
            c.print(f"  - {s}")


def _as_of(value: str | None, option: str = "--as-of") -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError("not a date", field=option, expected="YYYY-MM-DD", value=value) from None


@app.command("decide")
@handle_errors
def decide_cmd(
    facts: Annotated[Path, typer.Argument(help="Decision input (product.md shape); '-' reads stdin.")],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Decide on this date instead of the input's.")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """One stateless decision from a JSON file."""
    text = sys.stdin.read() if str(facts) == "-" else facts.read_text(encoding="utf-8")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"not valid JSON: {exc.msg}", file=str(facts), line=exc.lineno, expected="a JSON object"
        ) from None
    rules = svc.rules_from_settings(settings())
    out = svc.decide_json(doc, rules, file=str(facts), as_of=_as_of(as_of))
    emit_json(out) if as_json else _print_decision(out)


@app.command("check")
@handle_errors
def check_cmd(
    customer: Annotated[str, typer.Option("--customer", help="Stored customer id.")],
    action: Annotated[
        str, typer.Option("--action", help="hold|open_account|deposit|withdraw|trade|transfer_out")
    ],
    asset: Annotated[str | None, typer.Option("--asset")] = None,
    amount: Annotated[str | None, typer.Option("--amount")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Default: today.")] = None,
    provider_entity: Annotated[
        str | None, typer.Option("--provider-entity", help="EU (default), US, UK")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The gate for a stored customer: reads customer, balances, prices and confirmed matches; stores the decision."""
    cfg = settings()
    store = open_store(db, cfg)
    rules = svc.rules_from_settings(cfg)
    out = svc.check_customer(
        store,
        rules,
        customer_id=customer,
        action=action,
        asset=asset,
        amount=amount,
        as_of=as_of,
        provider_entity=provider_entity,
        actor="cli",
    )
    emit_json(out) if as_json else _print_decision(out)


@app.command("evaluate")
@handle_errors
def evaluate_cmd(
    as_of: Annotated[str | None, typer.Option("--as-of", help="Default: today.")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write one JSON line per customer here.")] = None,
    provider_entity: Annotated[str, typer.Option("--provider-entity")] = "EU",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Decide for every stored customer (set-based, DuckDB); store the run; list changes since the previous run."""
    cfg = settings()
    store = open_store(db, cfg)
    rules = svc.rules_from_settings(cfg)
    d = _as_of(as_of) or date.today()
    summary = svc.evaluate_base(
        store, rules, d, out=out, provider_entity=provider_entity, progress=not as_json, actor="cli"
    )
    if as_json:
        emit_json(summary)
        return
    c = Console()
    c.print(
        f"run {summary['run_id']} as of {summary['as_of']}: {summary['customers']} customers in "
        f"{summary['seconds']:.2f} s"
    )
    c.print("outcomes: " + ", ".join(f"{k}={v}" for k, v in summary["outcomes"].items()))
    ch = summary["changes"]
    c.print(f"changes since {ch.get('previous_run') or 'no previous run'}: {len(ch['items'])}")
    for item in ch["items"][:50]:
        c.print(f"  {item['customer_id']}: {item['from']} -> {item['to']} ({item['why']})")


@app.command("replay")
@handle_errors
def replay_cmd(
    decision_id: Annotated[str, typer.Argument(help="A stored restriction decision id.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Recompute a stored decision from the rule versions, prices and facts it recorded."""
    cfg = settings()
    store = open_store(db, cfg)
    result = svc.replay(store, decision_id, rules_dir=Path(cfg.rules_dir))
    if as_json:
        emit_json(result)
    else:
        state = "identical" if result["identical"] else "DIFFERENT"
        typer.echo(
            f"decision {decision_id}: replay {state} (outcome {result['stored_outcome']} -> "
            f"{result['replayed_outcome']})"
        )
        for diff in result["differences"]:
            typer.echo(f"  {diff}")
    if not result["identical"]:
        raise typer.Exit(1)


@app.command("rules")
@handle_errors
def rules_cmd(
    as_of: Annotated[str | None, typer.Option("--as-of")] = None,
    db: UnusedDbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Load and validate every rule file; show the version of each rule in force on a date."""
    rules = svc.rules_from_settings(settings())
    d = _as_of(as_of) or date.today()
    rows = svc.rules_in_force(rules, d)
    if as_json:
        emit_json({"as_of": d.isoformat(), "rules_hash": rules.content_hash, "rules": rows})
        return
    t = Table("rule", "version", "uncertain", "citation")
    for r in rows:
        t.add_row(r["id"], r["version_from"] or "-", "yes" if r["uncertain"] else "", r["citation"])
    Console().print(t)
