"""The audit chain: each event carries the hash of the one before it. Pure functions.

The chain holds no personal data: an event has a type, an actor, a time, a subject id and the
SHA-256 of its payload; the payload itself lives (or is erased) elsewhere.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from rempart.domain.merkle import CompactRange

GENESIS = "0" * 64


@dataclass(frozen=True, slots=True)
class AuditEvent:
    seq: int
    id: str
    type: str
    actor: str
    time: str
    subject: str
    payload_hash: str
    prev_hash: str
    hash: str

    def body(self) -> bytes:
        """The bytes the event's hash covers (everything but the hash itself)."""
        return event_body(
            self.seq, self.id, self.type, self.actor, self.time, self.subject, self.payload_hash
        )


_U32 = struct.Struct(">I").pack


def event_body(seq: int, id: str, type: str, actor: str, time: str, subject: str, payload_hash: str) -> bytes:
    # Length-prefixed fields: no two different events share a body. (Unrolled: this runs once per
    # event when a log of millions is verified.)
    a, b, c, d = str(seq).encode(), id.encode(), type.encode(), actor.encode()
    e, f, g = time.encode(), subject.encode(), payload_hash.encode()
    return b"".join((
        _U32(len(a)), a, _U32(len(b)), b, _U32(len(c)), c, _U32(len(d)), d,
        _U32(len(e)), e, _U32(len(f)), f, _U32(len(g)), g,
    ))  # fmt: skip


def chain_hash(prev_hash: str, body: bytes) -> str:
    return hashlib.sha256(bytes.fromhex(prev_hash) + body).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """The first place where the chain does not hold, and why."""

    seq: int
    event_id: str
    problem: str
    what: str = "event"  # "event", "head", "checkpoint" or "index"

    def __str__(self) -> str:
        if self.what == "checkpoint":
            return f"{self.event_id} (size {self.seq}): {self.problem}"
        if self.what == "index":
            return f"Merkle index: {self.problem}"
        return f"audit event #{self.seq} ({self.event_id}): {self.problem}"


def verify_chain(events: Iterable[AuditEvent]) -> Iterator[ChainBreak]:
    """Walk events in stored order; yield every break (edited, deleted, inserted, reordered)."""
    return verify_log(events, LogWalk())


@dataclass(slots=True)
class LogWalk:
    """What a walk over the log collects besides breaks: the count, the last event, and the Merkle
    roots of the prefixes whose sizes are asked for (the sizes of checkpoints)."""

    root_sizes: frozenset[int] = frozenset()
    count: int = 0
    last: AuditEvent | None = None
    roots: dict[int, str] = field(default_factory=dict)


def verify_log(events: Iterable[AuditEvent], walk: LogWalk) -> Iterator[ChainBreak]:
    """One pass: check the hash chain and build the Merkle tree (leaf = the event body, RFC 9162).

    Yields every chain break; fills `walk` with the count, the last event and the root of every
    prefix whose size is in `walk.root_sizes` (so checkpoints are checked without a second pass).
    """
    sha = hashlib.sha256
    acc = CompactRange()
    wanted = walk.root_sizes
    if 0 in wanted:
        walk.roots[0] = acc.root().hex()
    prev_hash = GENESIS
    expected_seq = 1
    ev: AuditEvent | None = None
    for ev in events:
        if ev.seq != expected_seq:
            if ev.seq > expected_seq:
                yield ChainBreak(
                    ev.seq, ev.id, f"events #{expected_seq}..#{ev.seq - 1} are missing (deleted)"
                )
            else:
                yield ChainBreak(
                    ev.seq, ev.id, f"sequence number {ev.seq} out of order (expected {expected_seq})"
                )
        if ev.prev_hash != prev_hash:
            yield ChainBreak(
                ev.seq, ev.id, "link to the previous event is broken (deleted, inserted or reordered)"
            )
        body = ev.body()
        try:
            recomputed = sha(bytes.fromhex(ev.prev_hash) + body).hexdigest()
        except ValueError:
            recomputed = ""
        if recomputed != ev.hash:
            yield ChainBreak(ev.seq, ev.id, "content does not match its hash (edited)")
        acc.append_fast(sha(b"\x00" + body).digest())
        if acc.size in wanted:
            walk.roots[acc.size] = acc.root().hex()
        prev_hash = ev.hash
        expected_seq = ev.seq + 1
    walk.count = acc.size
    walk.last = ev
