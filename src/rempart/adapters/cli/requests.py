"""`rempart requests ...`: evaluate a request (stateless), take it in, move it, approve it, produce it."""

from __future__ import annotations

import json
import os
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

from rempart.adapters.cli.common import DbOption, JsonOption, emit_json, handle_errors, open_store, settings
from rempart.adapters.crypto_keys import load_or_create
from rempart.adapters.storage.db import Store
from rempart.errors import InputError
from rempart.services import requests as svc

app = typer.Typer(
    help="The data-request desk: evaluate, take in, review, approve (four eyes), produce, deliver.",
    no_args_is_help=True,
)

RequestFile = Annotated[
    Path, typer.Argument(help="The request, JSON in the shape of product.md ('-' = stdin).")
]
ActorOption = Annotated[
    str,
    typer.Option(
        "--actor", envvar="REMPART_ACTOR", help="The stored user acting (roles are read from the store)."
    ),
]
ReasonOption = Annotated[str, typer.Option("--reason", help="Why (recorded with the move).")]
AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="Rules in force on this date (default: the day the request was received)."),
]


def _read_json(path: Path) -> Any:
    text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"malformed JSON: {exc.msg}", file=str(path), line=exc.lineno, expected="a JSON object"
        ) from None


def _as_of(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError("not a date", field="--as-of", expected="YYYY-MM-DD", value=text) from None


def _store_if_any(db: str | None) -> Store | None:
    """A store for screening, without creating a database file just to evaluate."""
    cfg = settings()
    url = db or cfg.database_url
    if db is None and "REMPART_DATABASE_URL" not in os.environ and url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///") :])
        if not path.exists():
            return None
    return open_store(db, cfg)


def _show(view: dict[str, Any], as_json: bool) -> None:
    if as_json:
        emit_json(view)
        return
    ev = view.get("evaluation", view)
    if "state" in view:
        typer.echo(
            f"{view['id']}: {view['state']} (evaluation {view['outcome']}; approvals "
            f"{', '.join(a['approver'] for a in view['approvals']) or 'none'})"
        )
    typer.echo(f"outcome: {ev['outcome']}")
    typer.echo(f"allowed: {', '.join(ev['allowed_categories']) or '-'}")
    for r in ev.get("refused_categories", []):
        typer.echo(
            f"refused: {r['category']} (needs {r['needs']}"
            + (f" from {'/'.join(r['issuers'])}" if r.get("issuers") else "")
            + ")"
        )
    if ev.get("deadline"):
        typer.echo(f"deadline: {ev['deadline']}")
    for r in ev.get("reasons", []):
        typer.echo(f"  [{r['effect']}] {r['code']}: {r['message']} -- {r['citation']}")


@app.command("evaluate")
@handle_errors
def evaluate_cmd(
    file: RequestFile, as_of: AsOfOption = None, db: DbOption = None, as_json: JsonOption = False
) -> None:
    """Evaluate one request (stateless): outcome, allowed and refused categories, deadline, reasons.

    The requesting agency is screened against the lists loaded in the store, when there is one."""
    body = _read_json(file)
    rules = svc.rules_from_settings(settings())
    store = _store_if_any(db)
    from rempart.domain.requests.model import parse_request

    req = parse_request(body)
    ctx = svc.evaluation_context(store, settings(), req)
    _show(svc.evaluate_json(body, rules, ctx, _as_of(as_of)), as_json)


@app.command("submit")
@handle_errors
def submit_cmd(
    file: RequestFile,
    actor: ActorOption,
    as_of: AsOfOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Take a request in: every target must match a stored customer; it is evaluated and stored."""
    cfg = settings()
    store = open_store(db, cfg)
    view = svc.submit(
        store,
        cfg,
        svc.rules_from_settings(cfg),
        _read_json(file),
        svc.principal_for_user(store, actor),
        as_of=_as_of(as_of),
    )
    _show(view, as_json)


@app.command("update")
@handle_errors
def update_cmd(
    request_id: str, file: RequestFile, actor: ActorOption, db: DbOption = None, as_json: JsonOption = False
) -> None:
    """Replace a request's content (information supplied, requester verified) and re-evaluate."""
    cfg = settings()
    store = open_store(db, cfg)
    _show(
        svc.resupply(
            store,
            cfg,
            svc.rules_from_settings(cfg),
            request_id,
            _read_json(file),
            svc.principal_for_user(store, actor),
        ),
        as_json,
    )


@app.command("list")
@handle_errors
def list_cmd(
    state: Annotated[str | None, typer.Option("--state")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Stored requests, newest first."""
    rows = svc.list_requests(open_store(db), state=state)
    if as_json:
        emit_json(rows)
    else:
        for r in rows:
            typer.echo(
                f"{r['id']}  {r['state']:<10} {r['outcome']:<10} {r['country']} {r['instrument_type']} "
                f"deadline={r['deadline'] or '-'}"
            )


@app.command("show")
@handle_errors
def show_cmd(request_id: str, db: DbOption = None, as_json: JsonOption = False) -> None:
    """One stored request with its evaluation, moves, approvals and productions."""
    _show(svc.get_request(open_store(db), request_id), as_json)


@app.command("advance")
@handle_errors
def advance_cmd(
    request_id: str,
    to: str,
    actor: ActorOption,
    reason: ReasonOption,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Move a request along the state table (e.g. needs_info, rejected, closed)."""
    store = open_store(db)
    _show(svc.advance(store, request_id, to, svc.principal_for_user(store, actor), reason), as_json)


@app.command("approve")
@handle_errors
def approve_cmd(
    request_id: str,
    actor: ActorOption,
    reason: ReasonOption,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Approve (four eyes: two distinct approvers, neither the intake author)."""
    store = open_store(db)
    _show(svc.approve(store, request_id, svc.principal_for_user(store, actor), reason), as_json)


@app.command("reject")
@handle_errors
def reject_cmd(
    request_id: str,
    actor: ActorOption,
    reason: ReasonOption,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Refuse a request, with the reason."""
    store = open_store(db)
    _show(svc.reject(store, request_id, svc.principal_for_user(store, actor), reason), as_json)


@app.command("produce")
@handle_errors
def produce_cmd(
    request_id: str,
    actor: ActorOption,
    out: Annotated[Path | None, typer.Option("--out", help="Write the package (zip) here.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Produce the approved scope: zip of JSON + CSV, manifest of SHA-256 hashes, Ed25519 signature."""
    cfg = settings()
    store = open_store(db, cfg)
    key = load_or_create(cfg.key_dir)
    result = svc.produce(store, request_id, svc.principal_for_user(store, actor), key, key.key_id)
    if out is not None:
        _, data = svc.download(store, request_id, result["production_id"])
        out.write_bytes(data)
        result["file"] = str(out)
    if as_json:
        emit_json(result)
    else:
        typer.echo(
            f"produced {result['production_id']}: sha256 {result['package_sha256']}"
            + (f" -> {out}" if out else "")
        )


@app.command("download")
@handle_errors
def download_cmd(
    request_id: str,
    out: Annotated[Path, typer.Option("--out")],
    production: Annotated[str | None, typer.Option("--production")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write a produced package to a file."""
    pid, data = svc.download(open_store(db), request_id, production)
    out.write_bytes(data)
    if as_json:
        emit_json({"production_id": pid, "file": str(out), "bytes": len(data)})
    else:
        typer.echo(f"{pid} -> {out} ({len(data)} bytes)")


@app.command("deliver")
@handle_errors
def deliver_cmd(
    request_id: str,
    actor: ActorOption,
    reason: ReasonOption,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record delivery of the produced package to the requester."""
    store = open_store(db)
    key = load_or_create(settings().key_dir)
    _show(svc.deliver(store, request_id, svc.principal_for_user(store, actor), reason, key), as_json)


@app.command("notify")
@handle_errors
def notify_cmd(
    request_id: str,
    actor: ActorOption,
    reason: ReasonOption,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record that the user was notified (refused while a non-disclosure order holds)."""
    store = open_store(db)
    _show(svc.notify(store, request_id, svc.principal_for_user(store, actor), reason), as_json)


@app.command("due")
@handle_errors
def due_cmd(
    days: Annotated[int, typer.Option("--days", help="Horizon in days.")] = 2,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Deadlines, preservation expiries and user notifications due now or within the horizon."""
    items = svc.due(open_store(db), horizon=timedelta(days=days))
    if as_json:
        emit_json(items)
    else:
        for i in items:
            typer.echo(f"{i['due']}  {i['kind']:<22} {i['request_id']} ({i['state']}): {i['detail']}")


@app.command("import")
@handle_errors
def import_cmd(
    kind: Annotated[str, typer.Argument(help="transactions | logins | messages")],
    file: Annotated[Path, typer.Argument(help="CSV with a header, or JSON lines.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import the provider's records a request can reach (all or nothing)."""
    result = svc.import_records(open_store(db), kind, file)
    if as_json:
        emit_json(result.to_dict())
    else:
        typer.echo(f"{kind}: imported {result.rows} rows from {file}")


@app.command("mark")
@handle_errors
def mark_cmd(
    customer_id: str,
    tag: str,
    actor: ActorOption,
    note: Annotated[str | None, typer.Option("--note")] = None,
    remove: Annotated[bool, typer.Option("--remove")] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Mark a customer at risk (journalist, activist, opposition, political_donor...) or clear the mark."""
    store = open_store(db)
    result = svc.mark_customer(
        store, customer_id, tag, svc.principal_for_user(store, actor), note, remove=remove
    )
    emit_json(result) if as_json else typer.echo(f"{customer_id}: {'removed' if remove else 'marked'} {tag}")
