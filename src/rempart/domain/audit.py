"""The audit chain: each event carries the hash of the one before it. Pure functions.

The chain holds no personal data: an event has a type, an actor, a time, a subject id and the
SHA-256 of its payload; the payload itself lives (or is erased) elsewhere.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

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
        return event_body(self.seq, self.id, self.type, self.actor, self.time, self.subject, self.payload_hash)


def event_body(seq: int, id: str, type: str, actor: str, time: str, subject: str, payload_hash: str) -> bytes:
    # Length-prefixed fields: no two different events share a body.
    parts = [str(seq), id, type, actor, time, subject, payload_hash]
    return b"".join(len(p.encode()).to_bytes(4, "big") + p.encode() for p in parts)


def chain_hash(prev_hash: str, body: bytes) -> str:
    return hashlib.sha256(bytes.fromhex(prev_hash) + body).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """The first place where the chain does not hold, and why."""

    seq: int
    event_id: str
    problem: str

    def __str__(self) -> str:
        return f"audit event #{self.seq} ({self.event_id}): {self.problem}"


def verify_chain(events: Iterable[AuditEvent]) -> Iterator[ChainBreak]:
    """Walk events in stored order; yield every break (edited, deleted, inserted, reordered)."""
    prev_hash = GENESIS
    expected_seq = 1
    for ev in events:
        if ev.seq != expected_seq:
            if ev.seq > expected_seq:
                yield ChainBreak(ev.seq, ev.id, f"events #{expected_seq}..#{ev.seq - 1} are missing (deleted)")
            else:
                yield ChainBreak(ev.seq, ev.id, f"sequence number {ev.seq} out of order (expected {expected_seq})")
        if ev.prev_hash != prev_hash:
            yield ChainBreak(ev.seq, ev.id, "link to the previous event is broken (deleted, inserted or reordered)")
        recomputed = chain_hash(ev.prev_hash, ev.body())
        if recomputed != ev.hash:
            yield ChainBreak(ev.seq, ev.id, "content does not match its hash (edited)")
        prev_hash = ev.hash
        expected_seq = ev.seq + 1
