"""Turnover per account and currency: the debits and credits kept next to the running
balance, so the whole journal's trial balance reads one row per account and currency
instead of summing every posting (#17).  Filled from the postings for existing ledgers.

Revision ID: 0016_turnover
Revises: 0012_lifecycle
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_turnover"
down_revision = "0012_lifecycle"
branch_labels = None
depends_on = None

_SIDES = (("debit_minor", "debit_not_negative", ">"), ("credit_minor", "credit_not_negative", "<"))


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for column, check, _ in _SIDES:
        if sqlite:
            # A plain ALTER TABLE: a batch rebuild would drop the table's neighbours' triggers.
            op.execute(
                f"ALTER TABLE account_balances ADD COLUMN {column} BIGINT NOT NULL DEFAULT '0' "
                f"CONSTRAINT ck_account_balances_{check} CHECK ({column} >= 0)"
            )
        else:
            op.add_column(
                "account_balances", sa.Column(column, sa.BigInteger(), nullable=False, server_default="0")
            )
            op.create_check_constraint(check, "account_balances", f"{column} >= 0")
    for column, _, sign in _SIDES:
        op.execute(
            f"UPDATE account_balances SET {column} = COALESCE(("
            f"SELECT SUM(ABS(p.amount_minor)) FROM postings p WHERE p.account_id = account_balances.account_id "
            f"AND p.currency = account_balances.currency AND p.amount_minor {sign} 0), 0)"
        )


def downgrade() -> None:
    with op.batch_alter_table("account_balances") as batch:
        for column, check, _ in _SIDES:
            batch.drop_constraint(check, type_="check")
            batch.drop_column(column)
