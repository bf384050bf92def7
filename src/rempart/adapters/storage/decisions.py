"""Stored decisions of every kind (screening, restriction, request evaluation, approval, production)."""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from rempart.adapters.storage.tables import decisions
from rempart.adapters.storage.tables_proof import decision_salts
from rempart.domain.lists import canonical_json, sha256_json
from rempart.errors import NotFound
from rempart.services.audit import now_iso, record
from rempart.verifier import SCHEME, commit


@dataclass(frozen=True)
class StoredDecision:
    id: str
    kind: str
    subject: str
    created_at: str
    actor: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    refs: dict[str, Any]
    inputs_hash: str
    audit_event_id: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "subject": self.subject,
            "created_at": self.created_at,
            "actor": self.actor,
            "inputs": self.inputs,
            "outputs": self.outputs,
            "refs": self.refs,
            "inputs_hash": self.inputs_hash,
            "audit_event_id": self.audit_event_id,
        }


@dataclass(frozen=True)
class PreparedDecision:
    """A decision ready to be written: its id, per-decision seed, commitments and canonical JSON.

    Computed by `prepare_decision` without a connection, so the hashing (the bulk of the cost of
    storing a decision) runs before the transaction, not while it holds the write lock."""

    id: str
    kind: str
    subject: str
    actor: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    refs: dict[str, Any]
    seed: bytes
    inputs_hash: str
    payload_hash: str
    inputs_json: str
    outputs_json: str
    refs_json: str


def prepare_decision(
    *,
    kind: str,
    subject: str,
    inputs: Mapping[str, Any],
    outputs: Mapping[str, Any],
    refs: Mapping[str, Any] | None = None,
    actor: str = "system",
    decision_id: str | None = None,
) -> PreparedDecision:
    """The CPU part of `save_decision` (see there): id, seed, field commitments, canonical JSON."""
    did = decision_id or f"d_{uuid.uuid4().hex[:24]}"
    seed = secrets.token_bytes(32)
    inputs, outputs, refs = dict(inputs), dict(outputs), dict(refs or {})
    inputs_hash = commit(inputs, seed, "inputs")[0]
    payload = {
        "decision_id": did,
        "kind": kind,
        "commitment": SCHEME,
        "inputs_hash": inputs_hash,
        "outputs_hash": commit(outputs, seed, "outputs")[0],
        "refs_hash": sha256_json(refs),
    }
    return PreparedDecision(
        did,
        kind,
        subject,
        actor,
        inputs,
        outputs,
        refs,
        seed,
        inputs_hash,
        sha256_json(payload),
        canonical_json(inputs).decode(),
        canonical_json(outputs).decode(),
        canonical_json(refs).decode(),
    )


def write_decision(conn: Connection, prepared: PreparedDecision) -> StoredDecision:
    """The database part of `save_decision`: the audit event, the seed and the decision row, in the
    caller's transaction. A prepared decision is written at most once (its id is the primary key)."""
    p = prepared
    ev = record(
        conn,
        type=f"decision.{p.kind}",
        actor=p.actor,
        subject=f"decision:{p.id}",
        payload_hash=p.payload_hash,
    )
    # Parameters, not .values(): the statements are compiled once, not re-keyed at every decision.
    conn.execute(_INSERT_SALT, {"decision_id": p.id, "scheme": SCHEME, "seed": p.seed.hex()})
    conn.execute(
        _INSERT_DECISION,
        {
            "id": p.id,
            "kind": p.kind,
            "subject": p.subject,
            "created_at": ev.time,
            "actor": p.actor,
            "inputs": p.inputs_json,
            "outputs": p.outputs_json,
            "refs": p.refs_json,
            "inputs_hash": p.inputs_hash,
            "audit_event_id": ev.id,
        },
    )
    return StoredDecision(
        p.id, p.kind, p.subject, ev.time, p.actor, p.inputs, p.outputs, p.refs, p.inputs_hash, ev.id
    )


def save_decision(
    conn: Connection,
    *,
    kind: str,
    subject: str,
    inputs: Mapping[str, Any],
    outputs: Mapping[str, Any],
    refs: Mapping[str, Any] | None = None,
    actor: str = "system",
    decision_id: str | None = None,
) -> StoredDecision:
    """Store a decision and append its audit event atomically.

    The audit payload commits to the inputs and outputs field by field (`salted-fields-v1`): each
    leaf value is hashed with its own salt, derived from a per-decision secret seed kept in
    `decision_salts`, and the payload holds the hash of those field hashes. An evidence package can
    thus show some fields and replace the others by their salted hashes, and still verify; erasing
    the seed and the values leaves the chain intact. `inputs_hash` is that commitment.

    Equal to `write_decision(conn, prepare_decision(...))`; a caller on a hot path prepares first,
    outside its transaction.
    """
    prepared = prepare_decision(
        kind=kind,
        subject=subject,
        inputs=inputs,
        outputs=outputs,
        refs=refs,
        actor=actor,
        decision_id=decision_id,
    )
    return write_decision(conn, prepared)


_INSERT_SALT = decision_salts.insert()
_INSERT_DECISION = decisions.insert()


def _row_to(row: Any) -> StoredDecision:
    return StoredDecision(
        row.id,
        row.kind,
        row.subject,
        row.created_at,
        row.actor,
        json.loads(row.inputs),
        json.loads(row.outputs),
        json.loads(row.refs),
        row.inputs_hash,
        row.audit_event_id,
    )


def get_decision(conn: Connection, decision_id: str) -> StoredDecision:
    row = conn.execute(select(decisions).where(decisions.c.id == decision_id)).first()
    if row is None:
        raise NotFound(f"no decision {decision_id!r}", decision_id=decision_id)
    return _row_to(row)


def list_decisions(
    conn: Connection, *, kind: str | None = None, subject: str | None = None, limit: int = 100
) -> list[StoredDecision]:
    q = select(decisions).order_by(decisions.c.seq.desc()).limit(limit)
    if kind:
        q = q.where(decisions.c.kind == kind)
    if subject:
        q = q.where(decisions.c.subject == subject)
    return [_row_to(r) for r in conn.execute(q)]


__all__ = [
    "PreparedDecision",
    "StoredDecision",
    "get_decision",
    "list_decisions",
    "now_iso",
    "prepare_decision",
    "save_decision",
    "write_decision",
]
