"""`rempart report transparency --from D --to D --out DIR` and `rempart report verify DIR`."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from rempart.adapters.cli.common import (
    DbOption,
    JsonOption,
    UnusedDbOption,
    emit_json,
    fail,
    handle_errors,
    open_store,
    settings,
)
from rempart.adapters.crypto_keys import PUBLIC_NAME, load_or_create, load_public_key
from rempart.domain.checkpoints import key_id_of
from rempart.errors import InputError
from rempart.services.transparency import build_report
from rempart.verifier import Result, check_report, parse_public_key

app = typer.Typer(help="Transparency reports on government data requests, and their check.")


def _date(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError("not a date", field=name, expected="YYYY-MM-DD", value=value) from None


@app.command("transparency")
@handle_errors
def transparency(
    date_from: Annotated[str, typer.Option("--from", help="First day of the period (YYYY-MM-DD).")],
    date_to: Annotated[str, typer.Option("--to", help="Last day of the period (YYYY-MM-DD).")],
    out: Annotated[Path, typer.Option("--out", help="Directory to write the report into.")],
    threshold: Annotated[
        int, typer.Option("--band-threshold", help="Counts below this are published as a band 0-(N-1).")
    ] = 10,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write the report (report.html with charts, report.json, report.csv, records.jsonl, a signed manifest)."""
    start, end = _date(date_from, "from"), _date(date_to, "to")
    cfg = settings()
    store = open_store(db, cfg)
    with store.begin() as conn:
        rep = build_report(conn, start, end, load_or_create(cfg.key_dir), threshold=threshold)
    paths = rep.write(out)
    summary = {
        "out": str(out),
        "records": rep.records,
        "files": [p.name for p in paths],
        "checkpoint": rep.checkpoint.to_dict(),
        "requests": rep.figures["requests"]["requests"],
    }
    if as_json:
        emit_json(summary)
    else:
        typer.echo(
            f"wrote {out}/report.html, report.json, report.csv ({rep.records} request records, tree head of "
            f"{rep.checkpoint.size} events)"
        )


@app.command("verify")
@handle_errors
def verify(
    directory: Annotated[Path, typer.Argument(help="The published report directory.")],
    public_key: Annotated[
        Path | None,
        typer.Option(
            "--public-key",
            help="The provider's public key (PEM). Default: public_key.pem in "
            "REMPART_KEY_DIR, else the one published with the report (its id is printed: compare it).",
        ),
    ] = None,
    db: UnusedDbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Recount every figure from the committed records, check each record against the signed tree head,
    and the manifest signature; exit 1 naming every figure or file that does not hold."""
    if not directory.is_dir():
        raise fail(f"{directory}: not a directory", 2)
    files = {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}
    note = None
    if public_key is not None:
        key = load_public_key(public_key)
    elif (settings().key_dir / PUBLIC_NAME).exists():
        key = load_public_key(settings().key_dir / PUBLIC_NAME)
    elif "public_key.pem" in files:
        key = parse_public_key(files["public_key.pem"])
        note = f"using the public key published with the report (key id {key_id_of(key)}): compare it with the provider's"
    else:
        raise fail("no public key: give --public-key PROVIDER_KEY.pem", 2)
    res = Result(str(directory), "transparency report")
    check_report(files, key, res)
    if as_json:
        emit_json({**res.to_dict(), "key_id": key_id_of(key), "note": note})
    else:
        if note:
            typer.echo(f"note: {note}", err=True)
        typer.echo(f"{'ok' if res.ok else 'FAILED'}: {directory} (transparency report)")
        for p in res.problems:
            typer.echo(f"  - {p}")
        for n in res.notes:
            typer.echo(f"    {n}")
    if not res.ok:
        raise typer.Exit(1)
