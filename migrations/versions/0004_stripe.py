"""Stripe: the webhook event store.

Revision ID: 0004_stripe
Revises: 0003_api_idempotency
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_stripe"
down_revision = "0003_api_idempotency"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stripe_events",
        sa.Column("id", sa.String(255), nullable=False),
        sa.Column("type", sa.String(100), nullable=False),
        sa.Column("object_id", sa.String(255), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("detail", sa.String(500), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("processed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_stripe_events"),
        sa.CheckConstraint(
            "status IN ('received', 'processed', 'ignored', 'needs_attention')",
            name="ck_stripe_events_status_known",
        ),
    )
    op.create_index("ix_stripe_events_status", "stripe_events", ["status"])


def downgrade() -> None:
    op.drop_index("ix_stripe_events_status", table_name="stripe_events")
    op.drop_table("stripe_events")
