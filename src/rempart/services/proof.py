"""The Merkle log over the audit events: its node index, signed checkpoints, and proofs.

Leaf i of the tree is audit event #(i + 1); its leaf data is the event's canonical body (see
`rempart.domain.merkle`). The perfect nodes of the tree are kept in `merkle_nodes`, extended each
time a checkpoint is taken, so that any inclusion or consistency proof takes one query. The index
is derived data: `audit verify` recomputes the tree from the events and flags an index that
disagrees; every proof this module hands out is checked against its signed root first.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, select, update

from rempart.adapters.storage.db import Store
from rempart.adapters.storage.tables import audit_head
from rempart.adapters.storage.tables_proof import LEVEL_SHIFT, audit_checkpoints, merkle_nodes, merkle_state
from rempart.domain import merkle
from rempart.domain.audit import GENESIS, AuditEvent, ChainBreak, LogWalk
from rempart.domain.checkpoints import (
    ORIGIN,
    Checkpoint,
    TreeHead,
    key_id_of,
    rollback_problems,
    seen_problem,
    sign_head,
    signature_problem,
)
from rempart.domain.ports import Signer
from rempart.errors import InputError, IntegrityFailure, NotFound
from rempart.services.audit import iter_events, now_iso
from rempart.settings import Settings

log = logging.getLogger(__name__)

INCLUSION_KIND = "rempart.inclusion-proof"
CONSISTENCY_KIND = "rempart.consistency-proof"


# --- the node index -------------------------------------------------------------------------------


def _pos(level: int, index: int) -> int:
    return (level << LEVEL_SHIFT) | index


def _raw_rows(conn: Connection, sql: str, params: Sequence[Any]) -> list[Any]:
    """A query through the driver's cursor (`?` placeholders): the hot paths of proofs skip
    SQLAlchemy's statement machinery, which costs more than the query itself."""
    raw = conn.connection.dbapi_connection
    if raw is None:  # pragma: no cover - a connection always has one while open
        raise RuntimeError("the connection is closed")
    if conn.dialect.name != "sqlite":
        sql = sql.replace("?", "%s")
    cur = raw.cursor()
    try:
        cur.execute(sql, tuple(params))
        return list(cur.fetchall())
    finally:
        cur.close()


def fetch_nodes(conn: Connection, wanted: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    """Stored perfect nodes by (level, index), in as few queries as possible (one per 900 nodes)."""
    keys = sorted({_pos(lv, ix) for lv, ix in wanted})
    mask = (1 << LEVEL_SHIFT) - 1
    out: dict[tuple[int, int], bytes] = {}
    for i in range(0, len(keys), 900):
        chunk = keys[i : i + 900]
        marks = ",".join("?" * len(chunk))
        for pos, h in _raw_rows(conn, f"SELECT pos, hash FROM merkle_nodes WHERE pos IN ({marks})", chunk):
            out[(int(pos) >> LEVEL_SHIFT, int(pos) & mask)] = bytes(h)
    return out


def _lookup(nodes: dict[tuple[int, int], bytes]) -> merkle.NodeLookup:
    def get(level: int, index: int) -> bytes:
        try:
            return nodes[(level, index)]
        except KeyError:
            raise IntegrityFailure(
                f"the Merkle index lacks node (level {level}, index {index}); rebuild it with "
                "`rempart audit reindex`",
                level=level,
                index=index,
            ) from None

    return get


def indexed_size(conn: Connection) -> tuple[int, str]:
    row = conn.execute(
        select(merkle_state.c.size, merkle_state.c.last_hash).where(merkle_state.c.id == 1)
    ).first()
    return (0, GENESIS) if row is None else (int(row.size), str(row.last_hash))


def extend_index(conn: Connection, upto: int | None = None, *, batch: int = 20_000) -> int:
    """Add the events after the indexed size (up to `upto`, default the whole log) to the node index.

    Checks each new event's chain link and hash on the way: a checkpoint never signs a broken chain.
    Returns the indexed size. Runs in the caller's (write) transaction.
    """
    size, last_hash = indexed_size(conn)
    if upto is not None and upto <= size:
        return size
    acc = merkle.CompactRange.restore(size, _lookup(fetch_nodes(conn, merkle.perfect_decomposition(0, size))))
    rows: list[dict[str, Any]] = []
    start = size
    for ev in iter_events(conn, after_seq=size):
        if upto is not None and acc.size >= upto:
            break
        expected = acc.size + 1
        if ev.seq != expected:
            raise IntegrityFailure(
                f"audit event #{expected} is missing (found #{ev.seq}); run `rempart audit verify`",
                seq=expected,
            )
        body = ev.body()
        if ev.prev_hash != last_hash or _chain(ev, body) != ev.hash:
            raise IntegrityFailure(
                f"audit event #{ev.seq} ({ev.id}) breaks the hash chain; refusing to sign a checkpoint over it",
                seq=ev.seq,
            )
        last_hash = ev.hash
        for level, index, h in acc.append(merkle.leaf_hash(body)):
            rows.append({"pos": _pos(level, index), "hash": h})
        if len(rows) >= batch:
            conn.execute(merkle_nodes.insert(), rows)
            rows = []
    if rows:
        conn.execute(merkle_nodes.insert(), rows)
    if upto is not None and acc.size < upto:
        raise NotFound(f"the log has only {acc.size} events, not {upto}", size=acc.size)
    if acc.size != start or conn.execute(select(merkle_state.c.id)).first() is None:
        if conn.execute(select(merkle_state.c.id)).first() is None:
            conn.execute(merkle_state.insert().values(id=1, size=acc.size, last_hash=last_hash))
        else:
            conn.execute(
                update(merkle_state).where(merkle_state.c.id == 1).values(size=acc.size, last_hash=last_hash)
            )
    return acc.size


def _chain(ev: AuditEvent, body: bytes) -> str:
    import hashlib

    try:
        return hashlib.sha256(bytes.fromhex(ev.prev_hash) + body).hexdigest()
    except ValueError:
        return ""


def reindex(conn: Connection) -> int:
    """Drop and rebuild the node index from the events."""
    conn.execute(merkle_nodes.delete())
    conn.execute(merkle_state.delete())
    return extend_index(conn)


def tree_root(conn: Connection, size: int) -> bytes:
    """The root of the first `size` events, from the index (which must cover them)."""
    return merkle.range_hash(0, size, _lookup(fetch_nodes(conn, merkle.perfect_decomposition(0, size))))


# --- checkpoints ----------------------------------------------------------------------------------


def _row_to_checkpoint(r: Any) -> Checkpoint:
    head = TreeHead(int(r.size), r.root_hash, r.time, r.key_id, r.origin)
    return Checkpoint(head, r.signature, int(r.id), r.reason)


def load_checkpoints(conn: Connection) -> list[Checkpoint]:
    return [
        _row_to_checkpoint(r)
        for r in conn.execute(select(audit_checkpoints).order_by(audit_checkpoints.c.id))
    ]


def latest_checkpoint(conn: Connection) -> Checkpoint | None:
    r = conn.execute(select(audit_checkpoints).order_by(audit_checkpoints.c.id.desc()).limit(1)).first()
    return None if r is None else _row_to_checkpoint(r)


def get_checkpoint(conn: Connection, checkpoint_id: int) -> Checkpoint:
    r = conn.execute(select(audit_checkpoints).where(audit_checkpoints.c.id == checkpoint_id)).first()
    if r is None:
        raise NotFound(f"no checkpoint #{checkpoint_id}", checkpoint_id=checkpoint_id)
    return _row_to_checkpoint(r)


def covering_checkpoint(conn: Connection, size: int) -> Checkpoint | None:
    """The newest checkpoint whose tree holds at least `size` events."""
    rows = _raw_rows(conn, _CHECKPOINT_SQL, [size])
    if not rows:
        return None
    cid, origin, n, root, time, key_id, signature, reason = rows[0]
    return Checkpoint(TreeHead(int(n), root, time, key_id, origin), signature, int(cid), reason)


def checkpoint_of_size(conn: Connection, size: int) -> Checkpoint | None:
    r = conn.execute(
        select(audit_checkpoints)
        .where(audit_checkpoints.c.size == size)
        .order_by(audit_checkpoints.c.id.desc())
        .limit(1)
    ).first()
    return None if r is None else _row_to_checkpoint(r)


def take_checkpoint(
    conn: Connection, signer: Signer, reason: str = "manual", *, time: str | None = None
) -> Checkpoint:
    """Sign the tree head of the whole log as it stands, in the caller's transaction, and store it."""
    head_q = select(audit_head.c.seq).where(audit_head.c.id == 1)
    if conn.dialect.name == "postgresql":
        head_q = head_q.with_for_update()  # no appends while we sign
    row = conn.execute(head_q).first()
    size = 0 if row is None else int(row.seq)
    extend_index(conn, size)
    root = tree_root(conn, size)
    t = time or now_iso()
    latest = latest_checkpoint(conn)
    if latest is not None and t < latest.head.time:
        t = latest.head.time  # a clock that went backwards must not make our own checkpoint look rolled back
    head = TreeHead(size, root.hex(), t, key_id_of(signer.public_key_bytes()), ORIGIN)
    cp = sign_head(head, signer.sign(head.message()))
    res = conn.execute(
        audit_checkpoints.insert().values(
            origin=head.origin,
            size=size,
            root_hash=head.root_hash,
            time=head.time,
            key_id=head.key_id,
            signature=cp.signature,
            reason=reason[:200],
        )
    )
    pk = res.inserted_primary_key
    cid = int(pk[0]) if pk is not None else None
    return Checkpoint(cp.head, cp.signature, cid, reason[:200])


def provider_signer(settings: Settings) -> Signer:
    from rempart.adapters.crypto_keys import load_or_create

    return load_or_create(settings.key_dir)


def checkpoint_now(
    store: Store, reason: str, *, settings: Settings | None = None, signer: Signer | None = None
) -> Checkpoint:
    """Take a signed checkpoint in a transaction of its own. Call after every disclosure (production,
    delivery) once its events are committed, so that the disclosure is covered by a signed head."""
    signer = signer or provider_signer(settings or Settings())
    with store.begin() as conn:
        return take_checkpoint(conn, signer, reason)


def checkpoint_if_grown(store: Store, signer: Signer, reason: str = "scheduled") -> Checkpoint | None:
    """A scheduled checkpoint: only when the log grew since the last one."""
    with store.begin() as conn:
        latest = latest_checkpoint(conn)
        head = conn.execute(select(audit_head.c.seq).where(audit_head.c.id == 1)).first()
        size = 0 if head is None else int(head.seq)
        if latest is not None and latest.size == size:
            return None
        return take_checkpoint(conn, signer, reason)


class CheckpointScheduler:
    """A daemon thread that signs a checkpoint every `interval` seconds (when the log grew)."""

    def __init__(self, store: Store, signer: Signer, interval: float) -> None:
        self.store = store
        self.signer = signer
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rempart-checkpoints", daemon=True)

    def start(self) -> CheckpointScheduler:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                cp = checkpoint_if_grown(self.store, self.signer)
                if cp is not None:
                    log.info("checkpoint #%s: size %s root %s", cp.id, cp.size, cp.root_hash)
            except Exception:  # keep the schedule alive; the next tick retries
                log.exception("scheduled checkpoint failed")

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)


def start_checkpoint_scheduler(
    store: Store, settings: Settings, signer: Signer | None = None
) -> CheckpointScheduler:
    """What `rempart serve` calls at start-up: checkpoints every `settings.checkpoint_interval_seconds`."""
    return CheckpointScheduler(
        store, signer or provider_signer(settings), settings.checkpoint_interval_seconds
    ).start()


# --- proofs ---------------------------------------------------------------------------------------


def event_to_dict(ev: AuditEvent) -> dict[str, Any]:
    return {
        "seq": ev.seq,
        "id": ev.id,
        "type": ev.type,
        "actor": ev.actor,
        "time": ev.time,
        "subject": ev.subject,
        "payload_hash": ev.payload_hash,
        "prev_hash": ev.prev_hash,
        "hash": ev.hash,
    }


_EVENT_SQL = (
    "SELECT seq, id, type, actor, time, subject, payload_hash, prev_hash, hash FROM audit_events WHERE "
)
_CHECKPOINT_SQL = (
    "SELECT id, origin, size, root_hash, time, key_id, signature, reason FROM audit_checkpoints "
    "WHERE size >= ? ORDER BY id DESC LIMIT 1"
)


def get_event(conn: Connection, event_id: str) -> AuditEvent:
    """An event by id, or by sequence number (indexed look-ups; an OR would scan on SQLite)."""
    rows: list[Any] = []
    if event_id.isdigit() and len(event_id) < 19:  # a sequence number (ids are 32 hex digits)
        rows = _raw_rows(conn, _EVENT_SQL + "seq = ?", [int(event_id)])
    if not rows:
        rows = _raw_rows(conn, _EVENT_SQL + "id = ?", [event_id])
    if not rows:
        raise NotFound(f"no audit event {event_id!r}", event_id=event_id)
    r = rows[0]
    return AuditEvent(int(r[0]), r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8])


def inclusion_proofs(
    conn: Connection, events: Sequence[AuditEvent], checkpoint: Checkpoint
) -> list[dict[str, Any]]:
    """Inclusion proofs of several events against one checkpoint, with one batch of node look-ups."""
    size = checkpoint.size
    plans = []
    for ev in events:
        if ev.seq > size:
            raise InputError(
                f"audit event #{ev.seq} is not in checkpoint #{checkpoint.id} (size {size})",
                field="checkpoint",
            )
        plans.append(merkle.inclusion_ranges(ev.seq - 1, size))
    nodes = fetch_nodes(conn, merkle.nodes_needed(r for plan in plans for r in plan))
    get = _lookup(nodes)
    root = bytes.fromhex(checkpoint.root_hash)
    out = []
    for ev, plan in zip(events, plans, strict=True):
        path = [merkle.range_hash(s, e, get) for s, e in plan]
        leaf = merkle.leaf_hash(ev.body())
        if not merkle.verify_inclusion(ev.seq - 1, size, leaf, path, root):
            raise IntegrityFailure(
                f"audit event #{ev.seq} ({ev.id}) does not prove against checkpoint #{checkpoint.id}: the event or "
                "the Merkle index was altered; run `rempart audit verify`",
                seq=ev.seq,
            )
        out.append(
            {
                "kind": INCLUSION_KIND,
                "leaf_index": ev.seq - 1,
                "tree_size": size,
                "event": event_to_dict(ev),
                "leaf_hash": leaf.hex(),
                "path": [h.hex() for h in path],
                "checkpoint": checkpoint.to_dict(),
            }
        )
    return out


def prove(conn: Connection, event_id: str, *, checkpoint: Checkpoint | None = None) -> dict[str, Any]:
    """An inclusion proof of one event against `checkpoint` (default: the newest that covers it)."""
    ev = get_event(conn, event_id)
    cp = checkpoint or covering_checkpoint(conn, ev.seq)
    if cp is None:
        raise NotFound(
            f"no checkpoint covers audit event #{ev.seq} yet; take one with `rempart audit checkpoint`"
        )
    return inclusion_proofs(conn, [ev], cp)[0]


def consistency(conn: Connection, first: int, second: int) -> dict[str, Any]:
    """A consistency proof between the trees of `first` and `second` events, with their checkpoints
    when the provider signed heads of those sizes. The index must cover `second`."""
    if not 0 <= first <= second:
        raise InputError("OLD_SIZE must be between 0 and NEW_SIZE", field="OLD_SIZE", value=str(first))
    size, _ = indexed_size(conn)
    if second > size:
        raise NotFound(
            f"the Merkle index covers {size} events, not {second}; take a checkpoint first", size=size
        )
    ranges = merkle.consistency_ranges(first, second)
    need = (
        merkle.nodes_needed(ranges)
        | set(merkle.perfect_decomposition(0, first))
        | set(merkle.perfect_decomposition(0, second))
    )
    get = _lookup(fetch_nodes(conn, need))
    path = [merkle.range_hash(s, e, get) for s, e in ranges]
    r1, r2 = merkle.range_hash(0, first, get), merkle.range_hash(0, second, get)
    out: dict[str, Any] = {
        "kind": CONSISTENCY_KIND,
        "first_size": first,
        "second_size": second,
        "first_root": r1.hex(),
        "second_root": r2.hex(),
        "path": [h.hex() for h in path],
    }
    for key, n, root in (("first_checkpoint", first, r1), ("second_checkpoint", second, r2)):
        cp = checkpoint_of_size(conn, n)
        if cp is not None:
            if cp.root_hash != root.hex():
                raise IntegrityFailure(
                    f"checkpoint #{cp.id} (size {n}) does not match the log; run `rempart audit verify`"
                )
            out[key] = cp.to_dict()
    return out


# --- verification of the checkpoints (called by services.audit.verify) ----------------------------


def checkpoint_problems(
    conn: Connection,
    checkpoints: Sequence[Checkpoint],
    walk: LogWalk,
    *,
    public_key: bytes | None,
    seen: Checkpoint | None,
) -> list[ChainBreak]:
    """Everything wrong with the stored checkpoints, given a fresh walk over the events."""
    out: list[ChainBreak] = []

    def bad(cp: Checkpoint, problem: str) -> None:
        label = f"checkpoint #{cp.id}" if cp.id is not None else "checkpoint"
        out.append(ChainBreak(cp.size, label, problem, "checkpoint"))

    for cp in checkpoints:
        if public_key is not None:
            p = signature_problem(cp, public_key)
            if p:
                bad(cp, p)
        if cp.size > walk.count:
            bad(
                cp,
                f"the log is shorter than this checkpoint ({walk.count} events stored, {cp.size} signed): "
                "events were removed from the end",
            )
        elif walk.roots.get(cp.size) != cp.root_hash:
            bad(
                cp,
                f"root hash does not match the log's first {cp.size} events (an event at or before "
                f"#{cp.size} was edited, deleted, inserted or reordered, or the checkpoint was altered)",
            )
    for cp, problem in rollback_problems(checkpoints):
        bad(cp, problem)
    if seen is not None:
        p = seen_problem(checkpoints[-1] if checkpoints else None, seen)
        if p:
            out.append(ChainBreak(seen.size, "seen checkpoint", p, "checkpoint"))
        elif seen.size <= walk.count and walk.roots.get(seen.size) != seen.root_hash:
            out.append(
                ChainBreak(
                    seen.size,
                    "seen checkpoint",
                    f"the log's first {seen.size} events no longer match a checkpoint seen before "
                    f"({seen.head.time}): the log was rewritten",
                    "checkpoint",
                )
            )
        elif seen.size > walk.count:
            out.append(
                ChainBreak(
                    seen.size,
                    "seen checkpoint",
                    f"the log ({walk.count} events) is shorter than a checkpoint seen before "
                    f"(size {seen.size}): events were removed from the end",
                    "checkpoint",
                )
            )
    # The node index must agree with the signed roots (it is what proofs are cut from).
    isize, _ = indexed_size(conn)
    signed: dict[int, str] = {}
    for cp in checkpoints:
        if cp.size <= isize and (public_key is None or signature_problem(cp, public_key) is None):
            signed[cp.size] = cp.root_hash
    if signed:
        get = _lookup(fetch_nodes(conn, {n for s in signed for n in merkle.perfect_decomposition(0, s)}))
        for s in sorted(signed):
            try:
                r = merkle.range_hash(0, s, get).hex()
            except IntegrityFailure as exc:
                out.append(ChainBreak(s, "index", exc.message, "index"))
                break
            if r != signed[s]:
                out.append(
                    ChainBreak(
                        s,
                        "index",
                        f"the stored Merkle nodes for the first {s} events disagree with "
                        "the signed checkpoint (index altered); rebuild with "
                        "`rempart audit reindex`",
                        "index",
                    )
                )
                break
    return out
