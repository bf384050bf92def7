"""Tables of the data-request desk: stored requests, their moves and approvals, productions, and the
provider's records a request can reach that the foundation does not hold (logins, transactions,
support messages) plus customers' at-risk marks.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, LargeBinary, String, Table, Text

from rempart.adapters.storage.tables import metadata

data_requests = Table(
    "data_requests",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("state", String(20), nullable=False, index=True),
    Column("provider_entity", String(4), nullable=False),
    Column("country", String(2), nullable=False),
    Column("instrument_type", String(40), nullable=False),
    Column("received_at", String(40), nullable=False),
    Column("intake_by", String(120), nullable=False),
    Column("request", Text, nullable=False),  # canonical JSON of the request as received (or resupplied)
    Column("request_sha256", String(64), nullable=False),
    Column("evaluation", Text, nullable=False),  # canonical JSON of the evaluation
    Column("outcome", String(20), nullable=False),
    Column("action", String(20), nullable=False),
    Column("customer_ids", Text, nullable=False),  # canonical JSON array: the resolved targets
    Column("deadline", String(40)),
    Column("preservation_until", String(10)),
    Column("notice", Text, nullable=False),  # canonical JSON: user-notification status
    Column("notified_at", String(40)),
    Column("decision_id", String(40), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
)

request_moves = Table(
    "request_moves",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("request_id", String(40), nullable=False, index=True),
    Column("from_state", String(20), nullable=False),
    Column("to_state", String(20), nullable=False),
    Column("actor", String(120), nullable=False),
    Column("reason", Text, nullable=False),
    Column("at", String(40), nullable=False),
    Column("audit_event_id", String(40), nullable=False),
)

request_approvals = Table(
    "request_approvals",
    metadata,
    Column("request_id", String(40), primary_key=True),
    Column("approver", String(120), primary_key=True),
    Column("reason", Text, nullable=False),
    Column("at", String(40), nullable=False),
    Column("decision_id", String(40), nullable=False),
)

request_productions = Table(
    "request_productions",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("request_id", String(40), nullable=False, index=True),
    Column("created_at", String(40), nullable=False),
    Column("actor", String(120), nullable=False),
    Column("manifest", Text, nullable=False),
    Column("package_sha256", String(64), nullable=False),
    Column("signature", Text, nullable=False),
    Column("key_id", String(80), nullable=False),
    Column("package", LargeBinary, nullable=False),
    Column("decision_id", String(40), nullable=False),
)

# --- the provider's records a request can reach -------------------------------------------------

transactions = Table(
    "transactions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("customer_id", String(120), nullable=False),
    Column("txid", String(200), nullable=False),
    Column("kind", String(20), nullable=False),  # deposit | withdrawal | trade
    Column("asset", String(20), nullable=False),
    Column("amount", String(64), nullable=False),  # decimal string
    Column("address", String(200)),
    Column("at", String(40), nullable=False),
    Index("ix_transactions_customer", "customer_id", "at"),
    Index("ix_transactions_txid", "txid"),
    Index("ix_transactions_address", "address"),
)

customer_logins = Table(
    "customer_logins",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("customer_id", String(120), nullable=False),
    Column("at", String(40), nullable=False),
    Column("ip", String(64), nullable=False),
    Column("device", String(200)),
    Index("ix_customer_logins_customer", "customer_id", "at"),
)

support_messages = Table(
    "support_messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("customer_id", String(120), nullable=False),
    Column("at", String(40), nullable=False),
    Column("channel", String(40), nullable=False),
    Column("subject", Text),
    Column("body", Text, nullable=False),
    Index("ix_support_messages_customer", "customer_id", "at"),
)

customer_risk_marks = Table(
    "customer_risk_marks",
    metadata,
    Column("customer_id", String(120), primary_key=True),
    Column("tag", String(40), primary_key=True),  # journalist, activist, opposition, political_donor, ...
    Column("note", Text),
    Column("set_by", String(120), nullable=False),
    Column("set_at", String(40), nullable=False),
)
