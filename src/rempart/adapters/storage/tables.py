"""Tables of the foundation: list versions, listed entities, the provider's data, decisions, audit.

SQLAlchemy Core. Amounts are decimal strings (SQLite has no exact decimal type); JSON is canonical
text. Areas add their tables in `tables_<area>.py` on the same `metadata`.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)

# --- lists --------------------------------------------------------------------------------------

list_versions = Table(
    "list_versions",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(80), nullable=False, unique=True),
    Column("list_name", String(40), nullable=False, index=True),
    Column("as_of", Date, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("source_files", Text, nullable=False),
    Column("counts", Text, nullable=False),
    Column("diff", Text, nullable=False),
    Column("warnings", Text, nullable=False),
    Column("previous_id", String(80)),
    Column("created_at", String(40), nullable=False),
)

# Entity bodies are content-addressed: a version lists (source_id -> content hash), so an
# unchanged entity is stored once across versions and no version is ever rewritten.
entity_bodies = Table(
    "entity_bodies",
    metadata,
    Column("content_hash", String(64), primary_key=True),
    Column("data", Text, nullable=False),
)

version_entities = Table(
    "version_entities",
    metadata,
    Column("version_id", String(80), primary_key=True),
    Column("source_id", String(120), primary_key=True),
    Column("schema", String(40), nullable=False),
    Column("content_hash", String(64), nullable=False),
)

# --- the provider's data --------------------------------------------------------------------------

customers = Table(
    "customers",
    metadata,
    Column("customer_id", String(120), primary_key=True),
    Column("type", String(20), nullable=False),
    Column("name", Text, nullable=False),
    Column("alt_names", Text, nullable=False),
    Column("birth_date", String(10)),
    Column("nationalities", Text, nullable=False),
    Column("residence_country", String(2)),
    Column("residence_permits", Text, nullable=False),
    Column("establishment_country", String(2)),
    Column("registration_number", String(120)),
    Column("email", String(320)),
    Column("created_at", String(40)),
    Column("data_hash", String(64), nullable=False),
    Column("updated_at", String(40), nullable=False),
)

customer_wallets = Table(
    "customer_wallets",
    metadata,
    Column("customer_id", String(120), primary_key=True),
    Column("chain", String(20), primary_key=True),
    Column("address", String(200), primary_key=True),
)

balance_snapshots = Table(
    "balance_snapshots",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("as_of", String(40), nullable=False),
    Column("source_sha256", String(64), nullable=False),
    Column("rows", Integer, nullable=False),
    Column("created_at", String(40), nullable=False),
)

balances = Table(
    "balances",
    metadata,
    Column("snapshot_id", Integer, primary_key=True),
    Column("customer_id", String(120), primary_key=True),
    Column("account_id", String(120), primary_key=True),
    Column("asset", String(20), primary_key=True),
    Column("amount", String(64), nullable=False),
    Index("ix_balances_customer", "snapshot_id", "customer_id"),
)

prices = Table(
    "prices",
    metadata,
    Column("asset", String(20), primary_key=True),
    Column("as_of", String(40), primary_key=True),
    Column("source", String(120), primary_key=True),
    Column("price_eur", String(64), nullable=False),
)

# --- decisions and audit --------------------------------------------------------------------------

decisions = Table(
    "decisions",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(40), nullable=False, unique=True),
    Column("kind", String(40), nullable=False, index=True),
    Column("subject", String(200), nullable=False, index=True),
    Column("created_at", String(40), nullable=False),
    Column("actor", String(120), nullable=False),
    Column("inputs", Text, nullable=False),
    Column("outputs", Text, nullable=False),
    Column("refs", Text, nullable=False),
    Column("inputs_hash", String(64), nullable=False),
    Column("audit_event_id", String(40), nullable=False),
)

audit_events = Table(
    "audit_events",
    metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False),
    Column("id", String(40), nullable=False),
    Column("type", String(60), nullable=False),
    Column("actor", String(120), nullable=False),
    Column("time", String(40), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("payload_hash", String(64), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    UniqueConstraint("id", name="uq_audit_events_id"),
)

# One row: the head of the chain. Appending locks it, so concurrent writers serialize.
audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), nullable=False),
    Column("hash", String(64), nullable=False),
)
