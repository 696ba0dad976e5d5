"""API: remembered answers to Idempotency-Key requests.

Revision ID: 0003_api_idempotency
Revises: 0002_spending
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_api_idempotency"
down_revision = "0002_spending"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_idempotent_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response_body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_api_idempotent_requests"),
        sa.UniqueConstraint("user_id", "key", name="uq_api_idempotent_requests_user_key"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_api_idempotent_requests_user_id_users"),
    )


def downgrade() -> None:
    op.drop_table("api_idempotent_requests")
