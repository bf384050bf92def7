"""`rempart alerts list|show|confirm|dismiss`."""

from __future__ import annotations

import os
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from rempart.adapters.cli.common import DbOption, JsonOption, emit_json, handle_errors, open_store
from rempart.services import alerts as svc

app = typer.Typer(
    help="Screening alerts: review, confirm (true match) or dismiss (false positive).", no_args_is_help=True
)

ActorOption = Annotated[str, typer.Option("--actor", help="Who decides (default: $USER).")]
ReasonOption = Annotated[str, typer.Option("--reason", help="Why: recorded with the decision and audited.")]


def _default_actor() -> str:
    return os.environ.get("USER") or "cli"


@app.command("list")
@handle_errors
def list_(
    state: Annotated[str | None, typer.Option("--state", help="open | confirmed | dismissed")] = None,
    customer: Annotated[str | None, typer.Option("--customer", help="Only this customer id.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1)] = 100,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Alerts, newest first."""
    with open_store(db).read() as conn:
        rows = svc.list_alerts(conn, state=state, customer_id=customer, limit=limit)
    if as_json:
        emit_json([a.to_dict() for a in rows])
        return
    t = Table("alert", "state", "customer", "entity", "list version", "score", "name")
    for a in rows:
        t.add_row(a.id, a.state, a.customer_id, a.entity_id, a.list_version, a.score, a.matched_name)
    Console().print(t if rows else "no alerts")


@app.command("show")
@handle_errors
def show(alert_id: str, db: DbOption = None, as_json: JsonOption = False) -> None:
    """One alert with its explanation."""
    with open_store(db).read() as conn:
        a = svc.get_alert(conn, alert_id)
    if as_json:
        emit_json(a.to_dict())
    else:
        Console().print_json(data=a.to_dict())


def _decide(alert_id: str, to: str, reason: str, actor: str, db: str | None, as_json: bool) -> None:
    store = open_store(db)
    with store.begin() as conn:
        a = svc.decide(conn, alert_id, to, actor=actor, reason=reason)
    if as_json:
        emit_json(a.to_dict())
    else:
        Console().print(f"{a.id}: {a.state} by {a.decided_by} (decision {a.decision_id})")


@app.command("confirm")
@handle_errors
def confirm(
    alert_id: str,
    reason: ReasonOption,
    actor: ActorOption = "",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Confirm a true match: the customer is the listed party (a sanctions fact for restrictions)."""
    _decide(alert_id, "confirmed", reason, actor or _default_actor(), db, as_json)


@app.command("dismiss")
@handle_errors
def dismiss(
    alert_id: str,
    reason: ReasonOption,
    actor: ActorOption = "",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Dismiss a false positive; the pair does not alert again until either side changes."""
    _decide(alert_id, "dismissed", reason, actor or _default_actor(), db, as_json)
