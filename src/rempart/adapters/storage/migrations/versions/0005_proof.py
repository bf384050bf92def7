"""proof tables: signed checkpoints, the Merkle node index, decision salts, transparency records.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_BigInt = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "audit_checkpoints",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("origin", sa.String(length=80), nullable=False),
        sa.Column("size", _BigInt, nullable=False),
        sa.Column("root_hash", sa.String(length=64), nullable=False),
        sa.Column("time", sa.String(length=40), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("signature", sa.String(length=120), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_checkpoints")),
    )
    op.create_table(
        "merkle_nodes",
        sa.Column("pos", _BigInt, autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("pos", name=op.f("pk_merkle_nodes")),
    )
    op.create_table(
        "merkle_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("size", _BigInt, nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merkle_state")),
    )
    op.create_table(
        "decision_salts",
        sa.Column("decision_id", sa.String(length=40), nullable=False),
        sa.Column("scheme", sa.String(length=40), nullable=False),
        sa.Column("seed", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("decision_id", name=op.f("pk_decision_salts")),
    )
    op.create_table(
        "transparency_records",
        sa.Column("request_id", sa.String(length=120), nullable=False),
        sa.Column("event_id", sa.String(length=40), nullable=False),
        sa.Column("record", sa.Text(), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.Column("received_on", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint("request_id", name=op.f("pk_transparency_records")),
    )
    with op.batch_alter_table("transparency_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_transparency_records_received_on"), ["received_on"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("transparency_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transparency_records_received_on"))
    op.drop_table("transparency_records")
    op.drop_table("decision_salts")
    op.drop_table("merkle_state")
    op.drop_table("merkle_nodes")
    op.drop_table("audit_checkpoints")
