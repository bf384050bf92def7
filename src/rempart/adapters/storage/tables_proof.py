"""Tables of the proof work: signed checkpoints, the Merkle node index, decision salts, report records.

The Merkle index (`merkle_nodes`) is derived data: every perfect subtree (level, index) of the tree
over the audit events, so that any inclusion or consistency proof takes one query. It can be rebuilt
from the events at any time; `audit verify` recomputes the tree from the events and never trusts it.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Integer, LargeBinary, String, Table, Text

from rempart.adapters.storage.tables import metadata

_BigInt = BigInteger().with_variant(Integer, "sqlite")

# Node address: (level << LEVEL_SHIFT) | index. 2**42 leaves are more than any log will hold.
LEVEL_SHIFT = 42

audit_checkpoints = Table(
    "audit_checkpoints",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("origin", String(80), nullable=False),
    Column("size", _BigInt, nullable=False),
    Column("root_hash", String(64), nullable=False),
    Column("time", String(40), nullable=False),
    Column("key_id", String(32), nullable=False),
    Column("signature", String(120), nullable=False),
    Column("reason", String(200), nullable=False),
)

merkle_nodes = Table(
    "merkle_nodes",
    metadata,
    Column("pos", _BigInt, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary(32), nullable=False),
)

# One row: how many events the index covers, and the chain hash of the last one.
merkle_state = Table(
    "merkle_state",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("size", _BigInt, nullable=False),
    Column("last_hash", String(64), nullable=False),
)

# The per-decision secret from which the salts of its field commitments derive (see services/evidence).
decision_salts = Table(
    "decision_salts",
    metadata,
    Column("decision_id", String(40), primary_key=True),
    Column("scheme", String(40), nullable=False),
    Column("seed", String(64), nullable=False),
)

# The non-personal classification of each data request, committed to the log as one audit event.
transparency_records = Table(
    "transparency_records",
    metadata,
    Column("request_id", String(120), primary_key=True),
    Column("event_id", String(40), nullable=False),
    Column("record", Text, nullable=False),
    Column("salt", String(64), nullable=False),
    Column("received_on", String(10), nullable=False, index=True),
)
