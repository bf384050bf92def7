"""Append to and verify the audit chain. Appends happen inside the caller's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from rempart.adapters.storage.tables import audit_events, audit_head
from rempart.domain.audit import GENESIS, AuditEvent, ChainBreak, LogWalk, chain_hash, event_body, verify_log
from rempart.domain.checkpoints import Checkpoint
from rempart.domain.lists import sha256_json


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def record(
    conn: Connection,
    *,
    type: str,
    actor: str,
    subject: str,
    payload: Mapping[str, Any] | None = None,
    payload_hash: str | None = None,
    time: str | None = None,
) -> AuditEvent:
    """Append one event to the chain in the caller's transaction and return it.

    Only `sha256(canonical_json(payload))` enters the chain. The head row is locked (FOR UPDATE on
    PostgreSQL; SQLite transactions already hold the write lock), so appends serialize.
    """
    ph = payload_hash if payload_hash is not None else sha256_json(dict(payload or {}))
    seq, prev = _lock_head(conn)
    seq += 1
    ev_id = uuid.uuid4().hex
    t = time or now_iso()
    h = chain_hash(prev, event_body(seq, ev_id, type, actor, t, subject, ph))
    ev = AuditEvent(seq, ev_id, type, actor, t, subject, ph, prev, h)
    # Parameters, not .values(): the statements are compiled once, not re-keyed at every append.
    conn.execute(
        _INSERT_EVENT,
        {
            "seq": seq,
            "id": ev_id,
            "type": type,
            "actor": actor,
            "time": t,
            "subject": subject,
            "payload_hash": ph,
            "prev_hash": prev,
            "hash": h,
        },
    )
    conn.execute(_MOVE_HEAD, {"new_seq": seq, "new_hash": h})
    return ev


def _lock_head(conn: Connection) -> tuple[int, str]:
    """The chain head (seq, hash), locked until the caller's transaction ends; created when absent.

    SQLite transactions already hold the write lock (BEGIN IMMEDIATE). On PostgreSQL the row is read
    FOR UPDATE; when it does not exist yet, concurrent first appends would each insert it, and all but
    one would fail on its primary key. So it is inserted ON CONFLICT DO NOTHING (which waits for a
    concurrent insert to commit or roll back) and read again, locked: every append then chains onto
    the one committed head."""
    if conn.dialect.name == "postgresql":
        head = conn.execute(_HEAD_FOR_UPDATE).first()
        if head is None:
            from sqlalchemy.dialects import postgresql

            conn.execute(
                postgresql.insert(audit_head).values(id=1, seq=0, hash=GENESIS).on_conflict_do_nothing()
            )
            head = conn.execute(_HEAD_FOR_UPDATE).first()
            if head is None:  # pragma: no cover - inserted above, or by a transaction that committed it
                raise RuntimeError("the audit chain head row could not be created")
    else:
        head = conn.execute(_HEAD).first()
        if head is None:
            conn.execute(audit_head.insert().values(id=1, seq=0, hash=GENESIS))
            return 0, GENESIS
    return int(head.seq), str(head.hash)


_HEAD = select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)
_HEAD_FOR_UPDATE = _HEAD.with_for_update()
_INSERT_EVENT = audit_events.insert()
_MOVE_HEAD = (
    update(audit_head)
    .where(audit_head.c.id == 1)
    .values(seq=bindparam("new_seq"), hash=bindparam("new_hash"))
)


def record_many(
    conn: Connection,
    items: Iterable[tuple[str, str, str, Mapping[str, Any]]],
    *,
    time: str | None = None,
    batch: int = 5_000,
) -> list[AuditEvent]:
    """Append many events (type, actor, subject, payload) in one go, in the caller's transaction.

    The same chain as calling `record` once per item, with one head lock and batched inserts (record
    costs a few statements per event; this is for bulk work: commitments, batch jobs, benchmarks).
    """
    seq, prev = _lock_head(conn)
    out: list[AuditEvent] = []
    rows: list[dict[str, Any]] = []
    for type_, actor, subject, payload in items:
        seq += 1
        ev_id = uuid.uuid4().hex
        t = time or now_iso()
        ph = sha256_json(dict(payload))
        h = chain_hash(prev, event_body(seq, ev_id, type_, actor, t, subject, ph))
        out.append(AuditEvent(seq, ev_id, type_, actor, t, subject, ph, prev, h))
        rows.append(
            {
                "seq": seq,
                "id": ev_id,
                "type": type_,
                "actor": actor,
                "time": t,
                "subject": subject,
                "payload_hash": ph,
                "prev_hash": prev,
                "hash": h,
            }
        )
        prev = h
        if len(rows) >= batch:
            conn.execute(audit_events.insert(), rows)
            rows = []
    if rows:
        conn.execute(audit_events.insert(), rows)
    if out:
        conn.execute(update(audit_head).where(audit_head.c.id == 1).values(seq=seq, hash=prev))
    return out


def iter_events(conn: Connection, *, after_seq: int = 0, batch: int = 50_000) -> Iterator[AuditEvent]:
    """Every event in sequence order, read in batches (the log can hold millions).

    Reads through the driver's own cursor (keyset pages of `batch` rows): building SQLAlchemy rows
    costs as much as verifying them, and `audit verify` must walk a million events in seconds.
    """
    raw = conn.connection.dbapi_connection
    if raw is None:  # pragma: no cover - a connection always has one while open
        raise RuntimeError("the connection is closed")
    last = int(after_seq)
    size = int(batch)
    while True:
        cur = raw.cursor()
        try:
            cur.execute(
                "SELECT seq, id, type, actor, time, subject, payload_hash, prev_hash, hash FROM audit_events "
                f"WHERE seq > {last} ORDER BY seq LIMIT {size}"  # integers only: nothing to inject
            )
            rows = cur.fetchall()
        finally:
            cur.close()
        if not rows:
            return
        for r in rows:
            yield AuditEvent(int(r[0]), r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8])
        last = int(rows[-1][0])


def verify(
    conn: Connection, *, public_key: bytes | None = None, seen: Checkpoint | None = None
) -> tuple[int, list[ChainBreak]]:
    """Walk the whole log once; return (events checked, breaks). Names every break.

    Checks, in one pass over the events: the hash chain (edited, deleted, inserted, reordered
    events), the head row (a truncated tail), and the Merkle root of every checkpointed prefix.
    Then the checkpoints themselves: signature under `public_key` (when given), a log shorter than
    a checkpoint, a root that does not match the log, checkpoints that go backwards, and, when
    `seen` (a checkpoint the verifier kept from an earlier run) is given, a rollback below it.
    """
    from rempart.services import proof  # proof builds on this module; imported late to avoid a cycle

    checkpoints = proof.load_checkpoints(conn)
    sizes = {cp.size for cp in checkpoints}
    if seen is not None:
        sizes.add(seen.size)
    walk = LogWalk(root_sizes=frozenset(sizes))
    breaks = list(verify_log(iter_events(conn), walk))
    count, last = walk.count, walk.last
    head = conn.execute(select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)).first()
    if head is not None:
        if last is None or int(head.seq) != last.seq or head.hash != last.hash:
            where = f"#{last.seq}" if last else "none"
            breaks.append(
                ChainBreak(
                    int(head.seq),
                    "head",
                    f"the chain head says #{head.seq} but the last stored event is {where} "
                    "(events removed from the end, or the head was edited)",
                    "head",
                )
            )
    elif last is not None:
        breaks.append(ChainBreak(last.seq, last.id, "the chain head row is missing", "head"))
    breaks.extend(proof.checkpoint_problems(conn, checkpoints, walk, public_key=public_key, seen=seen))
    return count, breaks
