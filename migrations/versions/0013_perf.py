"""Performance: a covering index for sums per account and currency.

The trial balance (and verify's fallback) sum every posting per (account, currency);
with the amount in the index, the database answers from the index alone, in index
order, without reading the table or sorting.

Revision ID: 0013_perf
Revises: 0008_accounts
Create Date: 2026-12-01
"""

from alembic import op

revision = "0013_perf"
down_revision = "0008_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_postings_account_currency_amount", "postings", ["account_id", "currency", "amount_minor"]
    )


def downgrade() -> None:
    op.drop_index("ix_postings_account_currency_amount", table_name="postings")
