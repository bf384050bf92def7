"""screening: alerts, per-customer and per-list screening state, runs.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "screening_alerts",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("customer_id", sa.String(length=120), nullable=False),
        sa.Column("entity_id", sa.String(length=200), nullable=False),
        sa.Column("list_name", sa.String(length=40), nullable=False),
        sa.Column("list_version", sa.String(length=80), nullable=False),
        sa.Column("source_id", sa.String(length=120), nullable=False),
        sa.Column("schema", sa.String(length=40), nullable=False),
        sa.Column("matched_name", sa.Text(), nullable=False),
        sa.Column("score", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("algorithm", sa.String(length=80), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("customer_data_hash", sa.String(length=64), nullable=False),
        sa.Column("entity_content_hash", sa.String(length=64), nullable=False),
        sa.Column("regimes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("decided_at", sa.String(length=40), nullable=True),
        sa.Column("decided_by", sa.String(length=120), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decision_id", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_screening_alerts")),
        sa.UniqueConstraint("id", name=op.f("uq_screening_alerts_id")),
    )
    with op.batch_alter_table("screening_alerts", schema=None) as batch_op:
        batch_op.create_index("ix_screening_alerts_pair", ["customer_id", "entity_id"], unique=False)
        batch_op.create_index("ix_screening_alerts_state", ["state"], unique=False)
    op.create_table(
        "screening_customer_state",
        sa.Column("customer_id", sa.String(length=120), nullable=False),
        sa.Column("data_hash", sa.String(length=64), nullable=False),
        sa.Column("versions_hash", sa.String(length=64), nullable=False),
        sa.Column("screened_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_screening_customer_state")),
    )
    op.create_table(
        "screening_list_state",
        sa.Column("list_name", sa.String(length=40), nullable=False),
        sa.Column("version_id", sa.String(length=80), nullable=False),
        sa.Column("screened_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("list_name", name=op.f("pk_screening_list_state")),
    )
    op.create_table(
        "screening_runs",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("started_at", sa.String(length=40), nullable=False),
        sa.Column("finished_at", sa.String(length=40), nullable=False),
        sa.Column("list_versions", sa.Text(), nullable=False),
        sa.Column("counts", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_screening_runs")),
        sa.UniqueConstraint("id", name=op.f("uq_screening_runs_id")),
    )


def downgrade() -> None:
    op.drop_table("screening_runs")
    op.drop_table("screening_list_state")
    op.drop_table("screening_customer_state")
    with op.batch_alter_table("screening_alerts", schema=None) as batch_op:
        batch_op.drop_index("ix_screening_alerts_state")
        batch_op.drop_index("ix_screening_alerts_pair")
    op.drop_table("screening_alerts")
