"""`rempart audit verify` (and, from the proof work, checkpoint / prove / consistency)."""

from __future__ import annotations

import typer

from rempart.adapters.cli.common import DbOption, JsonOption, emit_json, handle_errors, open_store
from rempart.services import audit as audit_service

app = typer.Typer(help="The tamper-evident audit log.")


@app.command("verify")
@handle_errors
def verify(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Walk the whole chain; exit 1 naming every break (edited, deleted, inserted, reordered)."""
    store = open_store(db)
    with store.read() as conn:
        count, breaks = audit_service.verify(conn)
    if as_json:
        emit_json({"ok": not breaks, "events": count, "breaks": [
            {"seq": b.seq, "event_id": b.event_id, "problem": b.problem} for b in breaks]})
    else:
        for b in breaks:
            typer.echo(f"BROKEN: {b}", err=True)
        if not breaks:
            typer.echo(f"ok: {count} audit events verified, chain intact")
    if breaks:
        raise typer.Exit(1)
