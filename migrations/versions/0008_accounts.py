"""Managed asset accounts: kind, currency, Russian label, holder, closing date.

Existing asset accounts get their kind from their name (assets:bank:…, assets:cash:…,
assets:stripe, anything else an intermediary).  A bank or cash account gets the currency of
its postings when they are all in one currency; one without postings gets the currency its
name starts with (``assets:bank:eur-main``) when there is one.  An account that already holds
two currencies keeps none: ``ledger verify`` reports it until an admin moves the money to
single-currency accounts and closes it.  Coordinators' cash (``assets:cash:coordinator-<id>``)
is linked to its holder.

Revision ID: 0008_accounts
Revises: 0014_hardening
Create Date: 2026-12-01
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "0008_accounts"
down_revision = "0014_hardening"
branch_labels = None
depends_on = None

KIND_CHECK = "kind IS NULL OR kind IN ('bank', 'cash', 'stripe', 'intermediary')"
CASH_HOLDER = re.compile(r"^assets:cash:coordinator-(\d+)(?:-[a-z]{3})?$")


def _add_columns_sqlite() -> None:
    # SQLite's ADD COLUMN keeps the table (and its triggers); constraints go inline, named.
    for ddl in (
        f"ALTER TABLE accounts ADD COLUMN kind VARCHAR(16) CONSTRAINT ck_accounts_kind_known CHECK ({KIND_CHECK})",
        "ALTER TABLE accounts ADD COLUMN currency VARCHAR(3) "
        "CONSTRAINT fk_accounts_currency_currencies REFERENCES currencies (code)",
        "ALTER TABLE accounts ADD COLUMN label_ru VARCHAR(200)",
        "ALTER TABLE accounts ADD COLUMN holder_id INTEGER CONSTRAINT fk_accounts_holder_id_users REFERENCES users (id)",
        "ALTER TABLE accounts ADD COLUMN closed_at DATETIME",
    ):
        op.execute(ddl)


def _add_columns_postgresql() -> None:
    op.add_column("accounts", sa.Column("kind", sa.String(16), nullable=True))
    op.add_column("accounts", sa.Column("currency", sa.String(3), nullable=True))
    op.add_column("accounts", sa.Column("label_ru", sa.String(200), nullable=True))
    op.add_column("accounts", sa.Column("holder_id", sa.Integer(), nullable=True))
    op.add_column("accounts", sa.Column("closed_at", sa.DateTime(), nullable=True))
    op.create_check_constraint("ck_accounts_kind_known", "accounts", KIND_CHECK)
    op.create_foreign_key("fk_accounts_currency_currencies", "accounts", "currencies", ["currency"], ["code"])
    op.create_foreign_key("fk_accounts_holder_id_users", "accounts", "users", ["holder_id"], ["id"])


def _fill_existing() -> None:
    connection = op.get_bind()
    op.execute(
        "UPDATE accounts SET kind = CASE"
        " WHEN name LIKE 'assets:bank:%' THEN 'bank'"
        " WHEN name LIKE 'assets:cash:%' THEN 'cash'"
        " WHEN name = 'assets:stripe' OR name LIKE 'assets:stripe:%' THEN 'stripe'"
        " ELSE 'intermediary' END"
        " WHERE type = 'asset'"
    )
    # One currency in the postings: that is the account's currency.
    op.execute(
        "UPDATE accounts SET currency = (SELECT MIN(p.currency) FROM postings p WHERE p.account_id = accounts.id)"
        " WHERE kind IN ('bank', 'cash')"
        " AND (SELECT COUNT(DISTINCT p.currency) FROM postings p WHERE p.account_id = accounts.id) = 1"
    )
    known = {row[0] for row in connection.execute(sa.text("SELECT code FROM currencies"))}
    users = {row[0] for row in connection.execute(sa.text("SELECT id FROM users"))}
    rows = connection.execute(
        sa.text(
            "SELECT a.id, a.name, a.currency,"
            " (SELECT COUNT(*) FROM postings p WHERE p.account_id = a.id) AS postings"
            " FROM accounts a WHERE a.kind IN ('bank', 'cash')"
        )
    ).all()
    for account_id, name, currency, postings in rows:
        values = {}
        if currency is None and postings == 0:
            first = name.split(":")[-1].split("-")[0].upper()
            if first in known:
                values["currency"] = first
        holder = CASH_HOLDER.match(name)
        if holder and int(holder.group(1)) in users:
            values["holder_id"] = int(holder.group(1))
        if values:
            assignments = ", ".join(f"{column} = :{column}" for column in values)
            connection.execute(
                sa.text(f"UPDATE accounts SET {assignments} WHERE id = :id"), {**values, "id": account_id}
            )


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _add_columns_sqlite()
    else:
        _add_columns_postgresql()
    op.create_index("ix_accounts_holder_id", "accounts", ["holder_id"])
    _fill_existing()


def downgrade() -> None:
    op.drop_index("ix_accounts_holder_id", table_name="accounts")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint("fk_accounts_holder_id_users", "accounts", type_="foreignkey")
        op.drop_constraint("fk_accounts_currency_currencies", "accounts", type_="foreignkey")
        op.drop_constraint("ck_accounts_kind_known", "accounts", type_="check")
    # SQLite (3.35+) drops a column with its inline constraints.
    for column in ("closed_at", "holder_id", "label_ru", "currency", "kind"):
        op.execute(f"ALTER TABLE accounts DROP COLUMN {column}")
