"""Commissary support: transfers to prisoners' personal accounts (in transit, credited,
returned), monthly limits seeded from the Penal Enforcement Code, monthly top-ups, and the
monthly top-up run with its lines and log.

The limits are seeded with this migration's own list (ledger/commissary/limits.py explains the
sources); admins edit them afterwards.  The journal's tables are untouched: the money of a
transfer is in ordinary entries.

Revision ID: 0022_commissary
Revises: 0021_verify_coverage
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0022_commissary"
down_revision = "0021_verify_coverage"
branch_labels = None
depends_on = None

# (facility kind, regime, conditions, RUB a month or None, legal basis), as of this migration.
LIMITS = (
    (
        "colony",
        "general",
        "ordinary",
        9_000,
        "УИК РФ ст. 121 ч. 1 п. «а» (ред. 260-ФЗ от 13.07.2015; сверить с ред. 211-ФЗ от 13.06.2023)",
    ),
    ("colony", "general", "lightened", None, "УИК РФ ст. 121 ч. 2 п. «а»"),
    ("colony", "general", "strict", None, "УИК РФ ст. 121 ч. 3 п. «а»"),
    ("colony", "strict", "ordinary", None, "УИК РФ ст. 123 ч. 1 п. «а»"),
    ("colony", "strict", "lightened", None, "УИК РФ ст. 123 ч. 2 п. «а»"),
    ("colony", "strict", "strict", None, "УИК РФ ст. 123 ч. 3 п. «а»"),
    ("colony", "special", "ordinary", None, "УИК РФ ст. 125 ч. 1 п. «а»"),
    ("colony", "special", "lightened", None, "УИК РФ ст. 125 ч. 2 п. «а»"),
    ("colony", "special", "strict", None, "УИК РФ ст. 125 ч. 3 п. «а»"),
    ("prison", "general", "any", None, "УИК РФ ст. 131 ч. 4 п. «а»"),
    ("prison", "strict", "any", None, "УИК РФ ст. 131 ч. 5 п. «а»"),
)


def _seed_limits() -> None:
    table = sa.table(
        "commissary_limits",
        sa.column("facility_kind", sa.String),
        sa.column("regime", sa.String),
        sa.column("conditions", sa.String),
        sa.column("currency", sa.String),
        sa.column("amount_minor", sa.BigInteger),
        sa.column("legal_basis", sa.Text),
    )
    op.bulk_insert(
        table,
        [
            {
                "facility_kind": kind,
                "regime": regime,
                "conditions": conditions,
                "currency": "RUB",
                "amount_minor": None if rubles is None else rubles * 100,
                "legal_basis": basis,
            }
            for kind, regime, conditions, rubles, basis in LIMITS
        ],
    )


# Sign-off of a single transfer to a personal account: a new kind of pending item.
APPROVAL_KINDS = ("disbursement", "cash", "transfer")
APPROVAL_KINDS_NOW = (*APPROVAL_KINDS, "commissary")


def _approval_kinds(kinds: tuple[str, ...]) -> None:
    """The approvals' kind CHECK allowing ``kinds``; SQLite rebuilds the table (foreign keys are
    off while migrating, migrations/env.py; the table has no triggers)."""
    check = "kind IN ({})".format(", ".join(f"'{kind}'" for kind in kinds))
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("approvals", recreate="always") as batch:
            batch.drop_constraint(op.f("ck_approvals_kind_known"), type_="check")
            batch.create_check_constraint(op.f("ck_approvals_kind_known"), check)
    else:
        op.drop_constraint(op.f("ck_approvals_kind_known"), "approvals", type_="check")
        op.create_check_constraint(op.f("ck_approvals_kind_known"), "approvals", check)


def upgrade() -> None:
    op.create_table(
        "commissary_limits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_kind", sa.String(length=20), nullable=False),
        sa.Column("regime", sa.String(length=20), nullable=False),
        sa.Column("conditions", sa.String(length=12), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("legal_basis", sa.Text(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "conditions IN ('ordinary', 'lightened', 'strict', 'any')",
            name=op.f("ck_commissary_limits_conditions_known"),
        ),
        sa.CheckConstraint(
            "amount_minor IS NULL OR amount_minor >= 0", name=op.f("ck_commissary_limits_amount_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["currency"], ["currencies.code"], name=op.f("fk_commissary_limits_currency_currencies")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_commissary_limits_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commissary_limits")),
        sa.UniqueConstraint(
            "facility_kind", "regime", "conditions", name="uq_commissary_limits_kind_regime_conditions"
        ),
    )
    op.create_table(
        "commissary_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("prepared_by_id", sa.Integer(), nullable=False),
        sa.Column("prepared_at", sa.DateTime(), nullable=False),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("approved_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "(status = 'approved') = (approved_by_id IS NOT NULL AND approved_at IS NOT NULL)",
            name=op.f("ck_commissary_runs_approved_when_approved"),
        ),
        sa.CheckConstraint(
            "status IN ('prepared', 'approved')", name=op.f("ck_commissary_runs_status_known")
        ),
        sa.CheckConstraint(
            "approved_by_id IS NULL OR approved_by_id != prepared_by_id",
            name=op.f("ck_commissary_runs_second_person"),
        ),
        sa.ForeignKeyConstraint(
            ["approved_by_id"], ["users.id"], name=op.f("fk_commissary_runs_approved_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["prepared_by_id"], ["users.id"], name=op.f("fk_commissary_runs_prepared_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commissary_runs")),
    )
    op.create_index("ix_commissary_runs_month", "commissary_runs", ["month"])

    op.create_table(
        "commissary_topups",
        sa.Column("prisoner_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("fee_minor", sa.BigInteger(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("paid_from_id", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "channel IN ('zonatelecom', 'fsin_transfer', 'post', 'other')",
            name=op.f("ck_commissary_topups_channel_known"),
        ),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_commissary_topups_amount_positive")),
        sa.CheckConstraint("fee_minor >= 0", name=op.f("ck_commissary_topups_fee_not_negative")),
        sa.ForeignKeyConstraint(
            ["currency"], ["currencies.code"], name=op.f("fk_commissary_topups_currency_currencies")
        ),
        sa.ForeignKeyConstraint(
            ["paid_from_id"], ["accounts.id"], name=op.f("fk_commissary_topups_paid_from_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["prisoner_id"], ["prisoners.id"], name=op.f("fk_commissary_topups_prisoner_id_prisoners")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_commissary_topups_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("prisoner_id", name=op.f("pk_commissary_topups")),
    )
    op.create_table(
        "commissary_transfers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prisoner_id", sa.Integer(), nullable=False),
        sa.Column("fund_account_id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("fee_minor", sa.BigInteger(), nullable=False),
        sa.Column("paid_from_id", sa.Integer(), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("sent_entry_id", sa.Integer(), nullable=False),
        sa.Column("settled_entry_id", sa.Integer(), nullable=True),
        sa.Column("settled_on", sa.Date(), nullable=True),
        sa.Column("return_reason", sa.String(length=500), nullable=True),
        sa.Column("over_limit_reason", sa.String(length=500), nullable=True),
        sa.Column("memo", sa.String(length=500), nullable=True),
        sa.Column("run_month", sa.String(length=7), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "(status = 'in_transit') = (settled_on IS NULL)",
            name=op.f("ck_commissary_transfers_settled_when_closed"),
        ),
        sa.CheckConstraint(
            "channel IN ('zonatelecom', 'fsin_transfer', 'post', 'other')",
            name=op.f("ck_commissary_transfers_channel_known"),
        ),
        sa.CheckConstraint(
            "status IN ('in_transit', 'credited', 'returned')",
            name=op.f("ck_commissary_transfers_status_known"),
        ),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_commissary_transfers_amount_positive")),
        sa.CheckConstraint("fee_minor >= 0", name=op.f("ck_commissary_transfers_fee_not_negative")),
        sa.ForeignKeyConstraint(
            ["currency"], ["currencies.code"], name=op.f("fk_commissary_transfers_currency_currencies")
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facilities.id"], name=op.f("fk_commissary_transfers_facility_id_facilities")
        ),
        sa.ForeignKeyConstraint(
            ["fund_account_id"],
            ["accounts.id"],
            name=op.f("fk_commissary_transfers_fund_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["paid_from_id"], ["accounts.id"], name=op.f("fk_commissary_transfers_paid_from_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["prisoner_id"], ["prisoners.id"], name=op.f("fk_commissary_transfers_prisoner_id_prisoners")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_commissary_transfers_recorded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["sent_entry_id"],
            ["journal_entries.id"],
            name=op.f("fk_commissary_transfers_sent_entry_id_journal_entries"),
        ),
        sa.ForeignKeyConstraint(
            ["settled_entry_id"],
            ["journal_entries.id"],
            name=op.f("fk_commissary_transfers_settled_entry_id_journal_entries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commissary_transfers")),
        sa.UniqueConstraint("prisoner_id", "run_month", name="uq_commissary_transfers_prisoner_month"),
        sa.UniqueConstraint("sent_entry_id", name=op.f("uq_commissary_transfers_sent_entry_id")),
        sa.UniqueConstraint("settled_entry_id", name=op.f("uq_commissary_transfers_settled_entry_id")),
    )
    op.create_index("ix_commissary_transfers_fund_account_id", "commissary_transfers", ["fund_account_id"])
    op.create_index("ix_commissary_transfers_prisoner_id", "commissary_transfers", ["prisoner_id"])
    op.create_index("ix_commissary_transfers_status", "commissary_transfers", ["status"])

    op.create_table(
        "commissary_run_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("prisoner_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("fee_minor", sa.BigInteger(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("paid_from_id", sa.Integer(), nullable=False),
        sa.Column("skip_reason", sa.String(length=24), nullable=True),
        sa.Column("transfer_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "channel IN ('zonatelecom', 'fsin_transfer', 'post', 'other')",
            name=op.f("ck_commissary_run_lines_channel_known"),
        ),
        sa.CheckConstraint(
            "skip_reason IS NULL OR skip_reason IN ('fund_short', 'limit_reached', 'whereabouts_unknown', 'released')",
            name=op.f("ck_commissary_run_lines_skip_known"),
        ),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_commissary_run_lines_amount_positive")),
        sa.CheckConstraint(
            "transfer_id IS NULL OR skip_reason IS NULL",
            name=op.f("ck_commissary_run_lines_posted_only_when_sent"),
        ),
        sa.ForeignKeyConstraint(
            ["currency"], ["currencies.code"], name=op.f("fk_commissary_run_lines_currency_currencies")
        ),
        sa.ForeignKeyConstraint(
            ["paid_from_id"], ["accounts.id"], name=op.f("fk_commissary_run_lines_paid_from_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["prisoner_id"], ["prisoners.id"], name=op.f("fk_commissary_run_lines_prisoner_id_prisoners")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["commissary_runs.id"], name=op.f("fk_commissary_run_lines_run_id_commissary_runs")
        ),
        sa.ForeignKeyConstraint(
            ["transfer_id"],
            ["commissary_transfers.id"],
            name=op.f("fk_commissary_run_lines_transfer_id_commissary_transfers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commissary_run_lines")),
        sa.UniqueConstraint("run_id", "prisoner_id", name="uq_commissary_run_lines_run_prisoner"),
        sa.UniqueConstraint("transfer_id", name=op.f("uq_commissary_run_lines_transfer_id")),
    )
    op.create_index("ix_commissary_run_lines_run_id", "commissary_run_lines", ["run_id"])

    op.create_table(
        "commissary_run_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("prisoner_id", sa.Integer(), nullable=True),
        sa.Column("transfer_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["prisoner_id"], ["prisoners.id"], name=op.f("fk_commissary_run_log_prisoner_id_prisoners")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["commissary_runs.id"], name=op.f("fk_commissary_run_log_run_id_commissary_runs")
        ),
        sa.ForeignKeyConstraint(
            ["transfer_id"],
            ["commissary_transfers.id"],
            name=op.f("fk_commissary_run_log_transfer_id_commissary_transfers"),
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_commissary_run_log_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commissary_run_log")),
    )
    op.create_index("ix_commissary_run_log_run_id", "commissary_run_log", ["run_id"])

    _seed_limits()
    _approval_kinds(APPROVAL_KINDS_NOW)


def downgrade() -> None:
    # Items of the new kind go with it: their holds and receipts first.
    op.execute(
        "DELETE FROM approval_holds WHERE approval_id IN (SELECT id FROM approvals WHERE kind = 'commissary')"
    )
    op.execute(
        "DELETE FROM approval_receipts WHERE approval_id IN (SELECT id FROM approvals WHERE kind = 'commissary')"
    )
    op.execute("DELETE FROM approvals WHERE kind = 'commissary'")
    _approval_kinds(APPROVAL_KINDS)
    op.drop_index("ix_commissary_run_log_run_id", table_name="commissary_run_log")

    op.drop_table("commissary_run_log")
    op.drop_index("ix_commissary_run_lines_run_id", table_name="commissary_run_lines")

    op.drop_table("commissary_run_lines")
    op.drop_index("ix_commissary_transfers_status", table_name="commissary_transfers")
    op.drop_index("ix_commissary_transfers_prisoner_id", table_name="commissary_transfers")
    op.drop_index("ix_commissary_transfers_fund_account_id", table_name="commissary_transfers")

    op.drop_table("commissary_transfers")
    op.drop_table("commissary_topups")
    op.drop_index("ix_commissary_runs_month", table_name="commissary_runs")

    op.drop_table("commissary_runs")
    op.drop_table("commissary_limits")
