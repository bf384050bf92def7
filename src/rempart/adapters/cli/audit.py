"""`rempart audit verify | checkpoint | prove | consistency | reindex`: the tamper-evident audit log."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from rempart.adapters.cli.common import DbOption, JsonOption, emit_json, handle_errors, open_store, settings
from rempart.adapters.crypto_keys import PUBLIC_NAME, load_or_create, load_public_key
from rempart.adapters.storage.db import Store
from rempart.domain.audit import ChainBreak
from rempart.domain.checkpoints import Checkpoint
from rempart.errors import InputError
from rempart.services import audit as audit_service
from rempart.services import proof as proof_service
from rempart.settings import Settings

app = typer.Typer(help="The tamper-evident audit log: hash chain, Merkle tree, signed checkpoints, proofs.")

SEEN_NAME = "seen_checkpoint.json"

PublicKeyOption = Annotated[
    Path | None,
    typer.Option(
        "--public-key",
        help="The provider's public key (PEM) to check signatures with "
        "(default: public_key.pem in REMPART_KEY_DIR).",
    ),
]
OutOption = Annotated[
    Path | None, typer.Option("--out", help="Write the JSON to this file instead of stdout.")
]


def _public_key(cfg: Settings, path: Path | None) -> bytes | None:
    if path is not None:
        return load_public_key(path)
    default = cfg.key_dir / PUBLIC_NAME
    if default.exists():
        return load_public_key(default)
    if (cfg.key_dir / "signing_key.pem").exists():
        return load_or_create(cfg.key_dir).public_key_bytes()
    return None


def seen_file(key_dir: Path, store: Store) -> Path:
    """The last checkpoint seen of *this* log, kept beside the key and outside the database: one file
    per database (a key may sign several logs, e.g. a test and a production database)."""
    url = store.engine.url
    ident = (
        str(Path(url.database).resolve())
        if url.get_backend_name() == "sqlite" and url.database
        else (url.render_as_string(hide_password=True) + f"#{store.schema or ''}")
    )
    digest = hashlib.sha256(ident.encode()).hexdigest()[:12]
    return key_dir / f"{SEEN_NAME.removesuffix('.json')}-{digest}.json"


def _read_seen(path: Path) -> Checkpoint | None:
    if not path.exists():
        return None
    try:
        return Checkpoint.from_dict(json.loads(path.read_text()))
    except (ValueError, TypeError) as exc:
        raise InputError(f"not a checkpoint: {exc}", file=str(path)) from None


def _write(obj: Any, out: Path | None) -> None:
    if out is None:
        emit_json(obj)
    else:
        out.write_text(json.dumps(obj, indent=2) + "\n")
        typer.echo(f"wrote {out}", err=True)


@app.command("verify")
@handle_errors
def verify(
    db: DbOption = None,
    as_json: JsonOption = False,
    public_key: PublicKeyOption = None,
    seen: Annotated[
        Path | None,
        typer.Option(
            "--seen",
            help="A checkpoint seen before, kept outside the database: the log must not "
            "have gone back behind it (default: one file per database in REMPART_KEY_DIR).",
        ),
    ] = None,
    remember: Annotated[
        bool,
        typer.Option(
            "--remember/--no-remember", help="After a clean run, keep the newest checkpoint as seen."
        ),
    ] = True,
) -> None:
    """Recompute the chain, the Merkle tree and every checkpoint; exit 1 naming every break.

    Detects edited, deleted, inserted or reordered events, a truncated tail, and forged, re-signed
    or rolled-back checkpoints (signature, key, root, order, and the checkpoint seen last time).
    """
    cfg = settings()
    store = open_store(db, cfg)
    key = _public_key(cfg, public_key)
    seen_path = seen or seen_file(cfg.key_dir, store)
    seen_cp = _read_seen(seen_path)
    with store.read() as conn:
        count, breaks = audit_service.verify(conn, public_key=key, seen=seen_cp)
        checkpoints = proof_service.load_checkpoints(conn)
    if checkpoints and key is None:
        breaks.append(
            ChainBreak(
                0,
                "checkpoints",
                "no public key to check the checkpoints' signatures (give --public-key)",
                "checkpoint",
            )
        )
    latest = checkpoints[-1] if checkpoints else None
    if not breaks and remember and latest is not None and (seen_cp is None or latest.size >= seen_cp.size):
        seen_path.parent.mkdir(parents=True, exist_ok=True)
        seen_path.write_text(json.dumps(latest.to_dict(), indent=2) + "\n")
    if as_json:
        emit_json(
            {
                "ok": not breaks,
                "events": count,
                "checkpoints": len(checkpoints),
                "latest_checkpoint": latest.to_dict() if latest else None,
                "breaks": [
                    {
                        "what": b.what,
                        "seq": b.seq,
                        "event_id": b.event_id,
                        "problem": b.problem,
                        "message": str(b),
                    }
                    for b in breaks
                ],
            }
        )
    else:
        for b in breaks:
            typer.echo(f"BROKEN: {b}", err=True)
        if not breaks:
            extra = f"; {len(checkpoints)} signed checkpoints match" if checkpoints else "; no checkpoint yet"
            typer.echo(f"ok: {count} audit events verified, chain and Merkle tree intact{extra}")
    if breaks:
        raise typer.Exit(1)


@app.command("checkpoint")
@handle_errors
def checkpoint(
    db: DbOption = None,
    as_json: JsonOption = False,
    reason: Annotated[
        str, typer.Option("--reason", help="Why the checkpoint is taken (stored, not signed).")
    ] = "manual",
    out: OutOption = None,
) -> None:
    """Sign the tree head of the whole log (size, root, time, key id) with the provider's key and store it."""
    cfg = settings()
    store = open_store(db, cfg)
    signer = load_or_create(cfg.key_dir)
    with store.begin() as conn:
        cp = proof_service.take_checkpoint(conn, signer, reason)
    if as_json or out is not None:
        _write(cp.to_dict(), out)
    else:
        typer.echo(
            f"checkpoint #{cp.id}: {cp.size} events, root {cp.root_hash}, {cp.head.time}, key {cp.head.key_id}"
        )


@app.command("prove")
@handle_errors
def prove(
    event_id: Annotated[str, typer.Argument(help="The audit event's id (or its sequence number).")],
    db: DbOption = None,
    as_json: JsonOption = True,
    checkpoint_id: Annotated[
        int | None,
        typer.Option("--checkpoint", help="Prove against this checkpoint (default: the newest covering it)."),
    ] = None,
    out: OutOption = None,
) -> None:
    """An inclusion proof (JSON) of one event against a signed checkpoint; takes one if none covers it yet."""
    cfg = settings()
    store = open_store(db, cfg)
    with store.begin() as conn:
        ev = proof_service.get_event(conn, event_id)
        if checkpoint_id is not None:
            cp = proof_service.get_checkpoint(conn, checkpoint_id)
        else:
            found = proof_service.covering_checkpoint(conn, ev.seq)
            cp = found or proof_service.take_checkpoint(conn, load_or_create(cfg.key_dir), "inclusion proof")
        result = proof_service.inclusion_proofs(conn, [ev], cp)[0]
    _write(result, out)


@app.command("consistency")
@handle_errors
def consistency(
    old_size: Annotated[int, typer.Argument(help="The older tree size.")],
    new_size: Annotated[int, typer.Argument(help="The newer tree size.")],
    db: DbOption = None,
    as_json: JsonOption = True,
    out: OutOption = None,
) -> None:
    """A consistency proof (JSON): the tree of NEW_SIZE events extends the tree of OLD_SIZE events."""
    store = open_store(db)
    with store.begin() as conn:
        proof_service.extend_index(conn, new_size)
        result = proof_service.consistency(conn, old_size, new_size)
    _write(result, out)


@app.command("reindex")
@handle_errors
def reindex(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Rebuild the Merkle node index from the events (derived data; proofs are cut from it)."""
    store = open_store(db)
    with store.begin() as conn:
        size = proof_service.reindex(conn)
    if as_json:
        emit_json({"indexed": size})
    else:
        typer.echo(f"Merkle index rebuilt over {size} events")
