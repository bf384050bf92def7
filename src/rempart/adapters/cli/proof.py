"""Top-level `rempart verify FILE...` and `rempart evidence DECISION_ID --out FILE.zip`."""

from __future__ import annotations

import json
import zipfile
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
from rempart.services.evidence import Redaction, export_evidence
from rempart.verifier import checkpoints_in_order, parse_public_key, verify_path


def _embedded_key(paths: list[Path]) -> bytes | None:
    """A public key shipped inside a package or report (trusted only if the user compares its id)."""
    for p in paths:
        try:
            if p.is_dir() and (p / "report.json").exists():
                return parse_public_key(json.loads((p / "report.json").read_text())["public_key"].encode())
            if p.is_file() and zipfile.is_zipfile(p):
                with zipfile.ZipFile(p) as zf:
                    if "public_key.pem" in zf.namelist():
                        return parse_public_key(zf.read("public_key.pem"))
        except (KeyError, ValueError, OSError):
            continue
    return None


def register(app: typer.Typer) -> None:
    @app.command("verify")
    @handle_errors
    def verify_command(
        files: Annotated[
            list[Path], typer.Argument(help="Checkpoints, proofs, evidence packages (.zip), report dirs.")
        ],
        public_key: Annotated[
            Path | None,
            typer.Option(
                "--public-key",
                help="The provider's public key (PEM). Default: public_key.pem in "
                "REMPART_KEY_DIR, else the key shipped in the package (its id is printed: compare it).",
            ),
        ] = None,
        db: UnusedDbOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Check signed tree heads, inclusion and consistency proofs, evidence packages and published
        reports with the public key alone (no database). Exit 1 naming every problem."""
        for f in files:
            if not f.exists():
                raise fail(f"{f}: no such file or directory", 2)
        notes: list[str] = []
        if public_key is not None:
            key = load_public_key(public_key)
        elif (settings().key_dir / PUBLIC_NAME).exists():
            key = load_public_key(settings().key_dir / PUBLIC_NAME)
        else:
            found = _embedded_key(files)
            if found is None:
                raise fail("no public key: give --public-key PROVIDER_KEY.pem", 2)
            key = found
            notes.append(
                f"using the public key shipped with the files (key id {key_id_of(key)}): compare it with "
                "the key the provider publishes"
            )
        results = [verify_path(f, key) for f in files]
        extra = checkpoints_in_order(results, files)
        ok = all(r.ok for r in results) and not extra
        if as_json:
            emit_json(
                {
                    "ok": ok,
                    "key_id": key_id_of(key),
                    "results": [r.to_dict() for r in results],
                    "problems": extra,
                    "notes": notes,
                }
            )
        else:
            for n in notes:
                typer.echo(f"note: {n}", err=True)
            for r in results:
                typer.echo(f"{'ok' if r.ok else 'FAILED'}: {r.file} ({r.kind})")
                for p in r.problems:
                    typer.echo(f"  - {p}")
                for n in r.notes:
                    typer.echo(f"    {n}")
            for p in extra:
                typer.echo(f"FAILED: {p}")
        if not ok:
            raise typer.Exit(1)

    @app.command("evidence")
    @handle_errors
    def evidence_command(
        decision_id: Annotated[str, typer.Argument(help="The stored decision's id.")],
        out: Annotated[Path, typer.Option("--out", help="The zip file to write.")],
        reveal_all: Annotated[
            bool, typer.Option("--reveal-all", help="Show every field (authorised recipient).")
        ] = False,
        show: Annotated[
            list[str] | None, typer.Option("--show", help="A key or /json/pointer to show (repeatable).")
        ] = None,
        hide: Annotated[
            list[str] | None, typer.Option("--hide", help="A key or /json/pointer to hide (repeatable).")
        ] = None,
        with_salts: Annotated[
            bool,
            typer.Option(
                "--with-salts",
                help="Include the salts of hidden fields, so an authorised recipient "
                "can confirm a value they already hold.",
            ),
        ] = False,
        actor: Annotated[
            str, typer.Option("--actor", help="Who exports (recorded in the audit log).")
        ] = "cli",
        db: DbOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Write the evidence package of one decision: inputs that may be shown, outputs, rule and list
        versions, the audit events with inclusion proofs against a signed checkpoint, and the public key."""
        cfg = settings()
        store = open_store(db, cfg)
        policy = Redaction(
            reveal_all=reveal_all,
            show=frozenset(show or ()),
            hide=frozenset(hide or ()),
            include_salts=with_salts,
        )
        blob, summary = export_evidence(store, decision_id, load_or_create(cfg.key_dir), policy, actor=actor)
        out.write_bytes(blob)
        summary["file"] = str(out)
        if as_json:
            emit_json(summary)
        else:
            typer.echo(
                f"wrote {out} ({summary['bytes']} bytes): decision {decision_id}, {summary['events']} audit "
                f"event(s) proven against checkpoint #{summary['checkpoint'].get('id')} "
                f"(size {summary['checkpoint']['size']}), {summary['hidden_fields']} field(s) hidden"
            )
