"""Performance: an account's postings in chain order, from an index.

The account ledger (page, CSV and API) lists one account's postings by entry and line;
without this index the database sorted all of the account's postings for every page
(about 2 s for a bank account at a million postings, bench/README.md).

Revision ID: 0017_account_order
Revises: 0016_turnover
Create Date: 2026-12-01
"""

from alembic import op

revision = "0017_account_order"
down_revision = "0016_turnover"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_postings_account_entry_line", "postings", ["account_id", "entry_id", "line_no"])


def downgrade() -> None:
    op.drop_index("ix_postings_account_entry_line", table_name="postings")
