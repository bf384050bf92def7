"""restrictions: whole-base evaluation runs and their per-customer results.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "restriction_runs",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("as_of", sa.String(length=10), nullable=False),
        sa.Column("provider_entity", sa.String(length=8), nullable=False),
        sa.Column("rules_hash", sa.String(length=64), nullable=False),
        sa.Column("rule_versions", sa.Text(), nullable=False),
        sa.Column("counts", sa.Text(), nullable=False),
        sa.Column("started_at", sa.String(length=40), nullable=False),
        sa.Column("seconds", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_restriction_runs")),
        sa.UniqueConstraint("id", name=op.f("uq_restriction_runs_id")),
    )
    op.create_table(
        "restriction_results",
        sa.Column("run_id", sa.String(length=40), nullable=False),
        sa.Column("customer_id", sa.String(length=120), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("decided_by", sa.Text(), nullable=False),
        sa.Column("holdings_eur", sa.String(length=64), nullable=False),
        sa.Column("decision_id", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("run_id", "customer_id", name=op.f("pk_restriction_results")),
    )
    op.create_index("ix_restriction_results_customer", "restriction_results", ["customer_id"])


def downgrade() -> None:
    op.drop_index("ix_restriction_results_customer", table_name="restriction_results")
    op.drop_table("restriction_results")
    op.drop_table("restriction_runs")
