"""Tables of restrictions: whole-base evaluation runs and their per-customer results (for change lists).

Per-action decisions are stored generically in `decisions` (kind 'restriction'); the rule versions a
decision used are stored once per content hash in `rule_snapshots` (public rule text, no personal
data), and the decision's inputs commit to that hash.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table, Text

from rempart.adapters.storage.tables import metadata

restriction_runs = Table(
    "restriction_runs",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(40), nullable=False, unique=True),
    Column("as_of", String(10), nullable=False),
    Column("provider_entity", String(8), nullable=False),
    Column("rules_hash", String(64), nullable=False),
    Column("rule_versions", Text, nullable=False),  # canonical JSON {rule id: version from}
    Column("counts", Text, nullable=False),  # canonical JSON {outcome: n}
    Column("started_at", String(40), nullable=False),
    Column("seconds", String(16), nullable=False),
)

restriction_results = Table(
    "restriction_results",
    metadata,
    Column("run_id", String(40), primary_key=True),
    Column("customer_id", String(120), primary_key=True),
    Column("outcome", String(12), nullable=False),
    Column("decided_by", Text, nullable=False),
    Column("holdings_eur", String(64), nullable=False),
    Column("decision_id", String(40)),
)
Index("ix_restriction_results_customer", restriction_results.c.customer_id)

rule_snapshots = Table(
    "rule_snapshots",
    metadata,
    Column("hash", String(64), primary_key=True),  # SHA-256 of the canonical JSON of `body`
    Column("body", Text, nullable=False),  # canonical JSON: decide.rules_snapshot(rules, as_of)
)
