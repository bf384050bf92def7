"""Tables of screening: alerts (open, confirmed, dismissed), per-customer screening state, runs.

An alert is one (customer, listed entity) pair above the threshold. A dismissed alert remembers the
customer's `data_hash` and the entity's content hash at dismissal, so that the pair alerts again
only when either side changes.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table, Text

from rempart.adapters.storage.tables import metadata

screening_alerts = Table(
    "screening_alerts",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(40), nullable=False, unique=True),
    Column("customer_id", String(120), nullable=False),
    Column("entity_id", String(200), nullable=False),
    Column("list_name", String(40), nullable=False),
    Column("list_version", String(80), nullable=False),
    Column("source_id", String(120), nullable=False),
    Column("schema", String(40), nullable=False),
    Column("matched_name", Text, nullable=False),
    Column("score", String(16), nullable=False),  # decimal string, 4 places
    Column("kind", String(20), nullable=False),  # name | address
    Column("explanation", Text, nullable=False),  # canonical JSON
    Column("algorithm", String(80), nullable=False),
    Column("state", String(20), nullable=False),  # open | confirmed | dismissed
    Column("customer_data_hash", String(64), nullable=False),
    Column("entity_content_hash", String(64), nullable=False),
    Column("regimes", Text, nullable=False),  # JSON list of the entity's programs
    Column("created_at", String(40), nullable=False),
    Column("decided_at", String(40)),
    Column("decided_by", String(120)),
    Column("reason", Text),
    Column("decision_id", String(40)),
    Index("ix_screening_alerts_pair", "customer_id", "entity_id"),
    Index("ix_screening_alerts_state", "state"),
)

# The data each stored customer was last screened with, and against which list versions.
screening_customer_state = Table(
    "screening_customer_state",
    metadata,
    Column("customer_id", String(120), primary_key=True),
    Column("data_hash", String(64), nullable=False),
    Column("versions_hash", String(64), nullable=False),
    Column("screened_at", String(40), nullable=False),
)

# The list versions the whole customer base was last screened against (one row per list).
screening_list_state = Table(
    "screening_list_state",
    metadata,
    Column("list_name", String(40), primary_key=True),
    Column("version_id", String(80), nullable=False),
    Column("screened_at", String(40), nullable=False),
)

screening_runs = Table(
    "screening_runs",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(40), nullable=False, unique=True),
    Column("kind", String(20), nullable=False),  # batch | delta
    Column("started_at", String(40), nullable=False),
    Column("finished_at", String(40), nullable=False),
    Column("list_versions", Text, nullable=False),  # JSON {list: version}
    Column("counts", Text, nullable=False),  # JSON
    Column("actor", String(120), nullable=False),
)
