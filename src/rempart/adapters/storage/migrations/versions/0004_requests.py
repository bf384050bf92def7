"""requests: stored data requests, moves, approvals, productions; logins, transactions, support
messages and customers' at-risk marks.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customer_logins",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=120), nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("device", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_logins")),
    )
    op.create_index("ix_customer_logins_customer", "customer_logins", ["customer_id", "at"], unique=False)
    op.create_table(
        "customer_risk_marks",
        sa.Column("customer_id", sa.String(length=120), nullable=False),
        sa.Column("tag", sa.String(length=40), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("set_by", sa.String(length=120), nullable=False),
        sa.Column("set_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("customer_id", "tag", name=op.f("pk_customer_risk_marks")),
    )
    op.create_table(
        "data_requests",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("provider_entity", sa.String(length=4), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("instrument_type", sa.String(length=40), nullable=False),
        sa.Column("received_at", sa.String(length=40), nullable=False),
        sa.Column("intake_by", sa.String(length=120), nullable=False),
        sa.Column("request", sa.Text(), nullable=False),
        sa.Column("request_sha256", sa.String(length=64), nullable=False),
        sa.Column("evaluation", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("customer_ids", sa.Text(), nullable=False),
        sa.Column("deadline", sa.String(length=40), nullable=True),
        sa.Column("preservation_until", sa.String(length=10), nullable=True),
        sa.Column("notice", sa.Text(), nullable=False),
        sa.Column("notified_at", sa.String(length=40), nullable=True),
        sa.Column("decision_id", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("updated_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_requests")),
    )
    op.create_index(op.f("ix_data_requests_state"), "data_requests", ["state"], unique=False)
    op.create_table(
        "request_approvals",
        sa.Column("request_id", sa.String(length=40), nullable=False),
        sa.Column("approver", sa.String(length=120), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("decision_id", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("request_id", "approver", name=op.f("pk_request_approvals")),
    )
    op.create_table(
        "request_moves",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("request_id", sa.String(length=40), nullable=False),
        sa.Column("from_state", sa.String(length=20), nullable=False),
        sa.Column("to_state", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("audit_event_id", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_request_moves")),
    )
    op.create_index(op.f("ix_request_moves_request_id"), "request_moves", ["request_id"], unique=False)
    op.create_table(
        "request_productions",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("request_id", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("manifest", sa.Text(), nullable=False),
        sa.Column("package_sha256", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.Column("key_id", sa.String(length=80), nullable=False),
        sa.Column("package", sa.LargeBinary(), nullable=False),
        sa.Column("decision_id", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_productions")),
    )
    op.create_index(
        op.f("ix_request_productions_request_id"), "request_productions", ["request_id"], unique=False
    )
    op.create_table(
        "support_messages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=120), nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_messages")),
    )
    op.create_index("ix_support_messages_customer", "support_messages", ["customer_id", "at"], unique=False)
    op.create_table(
        "transactions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=120), nullable=False),
        sa.Column("txid", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("asset", sa.String(length=20), nullable=False),
        sa.Column("amount", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transactions")),
    )
    op.create_index("ix_transactions_address", "transactions", ["address"], unique=False)
    op.create_index("ix_transactions_customer", "transactions", ["customer_id", "at"], unique=False)
    op.create_index("ix_transactions_txid", "transactions", ["txid"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_transactions_txid", table_name="transactions")
    op.drop_index("ix_transactions_customer", table_name="transactions")
    op.drop_index("ix_transactions_address", table_name="transactions")
    op.drop_table("transactions")
    op.drop_index("ix_support_messages_customer", table_name="support_messages")
    op.drop_table("support_messages")
    op.drop_index(op.f("ix_request_productions_request_id"), table_name="request_productions")
    op.drop_table("request_productions")
    op.drop_index(op.f("ix_request_moves_request_id"), table_name="request_moves")
    op.drop_table("request_moves")
    op.drop_table("request_approvals")
    op.drop_index(op.f("ix_data_requests_state"), table_name="data_requests")
    op.drop_table("data_requests")
    op.drop_table("customer_risk_marks")
    op.drop_index("ix_customer_logins_customer", table_name="customer_logins")
    op.drop_table("customer_logins")
