"""Ledger core: currencies, accounts, journal, balances, users, tokens, audit log,
facilities and prisoners; append-only triggers on entries and postings.

Revision ID: 0001_ledger_core
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

from migrations.ddl import triggers_v1

revision = "0001_ledger_core"
down_revision = None
branch_labels = None
depends_on = None

# ISO 4217 as of this migration (code -> minor units), written out here so that this
# migration never changes when ledger/money.py does; later additions come with their own
# migration.
_ZERO = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_THREE = "BHD IQD JOD KWD LYD OMR TND"
_FOUR = "CLF UYW"
_TWO = (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD "
    "BTN BWP BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP "
    "ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR "
    "JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU "
    "MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR "
    "RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS "
    "TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD YER ZAR ZMW ZWG"
)

CURRENCIES: dict[str, int] = {
    **{code: 0 for code in _ZERO.split()},
    **{code: 2 for code in _TWO.split()},
    **{code: 3 for code in _THREE.split()},
    **{code: 4 for code in _FOUR.split()},
}

APPEND_ONLY_TABLES = ("journal_entries", "postings")
CATEGORIES = (
    "'donation', 'fee', 'food', 'clothing', 'parcels', 'commissary', 'letters', "
    "'transfer', 'conversion', 'refund', 'other'"
)


def _append_only_triggers() -> None:
    """Refuse UPDATE and DELETE on the journal.  Autogenerate cannot see triggers."""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table in APPEND_ONLY_TABLES:
            for statement in triggers_v1.sqlite_append_only(
                table, f"{table} are append-only: record a reversal"
            ):
                op.execute(statement)
    elif dialect == "postgresql":
        op.execute(triggers_v1.postgresql_append_only_function("ledger_append_only", "record a reversal"))
        for table in APPEND_ONLY_TABLES:
            for statement in triggers_v1.postgresql_append_only(table, "ledger_append_only"):
                op.execute(statement)
    else:  # pragma: no cover - we support SQLite and PostgreSQL only
        raise RuntimeError(f"unsupported database: {dialect}")


def _drop_append_only_triggers() -> None:
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY_TABLES:
        if dialect == "sqlite":
            statements = triggers_v1.sqlite_drop_append_only(table)
        else:
            statements = triggers_v1.postgresql_drop_append_only(table)
        for statement in statements:
            op.execute(statement)
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS ledger_append_only()")


def _currency_shape_check() -> sa.CheckConstraint:
    if op.get_bind().dialect.name == "postgresql":
        return sa.CheckConstraint("code ~ '^[A-Z]{3}$'", name="ck_currencies_code_shape")
    return sa.CheckConstraint("code GLOB '[A-Z][A-Z][A-Z]'", name="ck_currencies_code_shape")


def upgrade() -> None:
    currencies = op.create_table(
        "currencies",
        sa.Column("code", sa.String(3), nullable=False),
        sa.Column("minor_units", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_currencies"),
        sa.CheckConstraint("minor_units BETWEEN 0 AND 4", name="ck_currencies_minor_units_range"),
        _currency_shape_check(),
    )
    op.bulk_insert(
        currencies, [{"code": code, "minor_units": places} for code, places in sorted(CURRENCIES.items())]
    )

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("display_name", sa.String(120), nullable=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("locale", sa.String(8), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("email", name="uq_users_email"),
        sa.CheckConstraint("role IN ('admin', 'coordinator', 'auditor')", name="ck_users_role_known"),
    )

    op.create_table(
        "facilities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("region", sa.String(120), nullable=True),
        sa.Column("max_parcel_grams", sa.Integer(), nullable=True),
        sa.Column("max_parcels_per_month", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_facilities"),
        sa.UniqueConstraint("name", name="uq_facilities_name"),
        sa.CheckConstraint(
            "max_parcel_grams IS NULL OR max_parcel_grams > 0", name="ck_facilities_max_grams_positive"
        ),
        sa.CheckConstraint(
            "max_parcels_per_month IS NULL OR max_parcels_per_month > 0",
            name="ck_facilities_max_parcels_positive",
        ),
    )

    op.create_table(
        "prisoners",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(80), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_latin", sa.String(200), nullable=True),
        sa.Column("facility_id", sa.Integer(), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("region", sa.String(120), nullable=True),
        sa.Column("charges", sa.String(500), nullable=True),
        sa.Column("sentence", sa.String(200), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("bio_en", sa.Text(), nullable=True),
        sa.Column("bio_ru", sa.Text(), nullable=True),
        sa.Column("monthly_need_minor", sa.BigInteger(), nullable=True),
        sa.Column("monthly_need_currency", sa.String(3), nullable=True),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_prisoners"),
        sa.UniqueConstraint("slug", name="uq_prisoners_slug"),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facilities.id"], name="fk_prisoners_facility_id_facilities"
        ),
        sa.ForeignKeyConstraint(
            ["monthly_need_currency"],
            ["currencies.code"],
            name="fk_prisoners_monthly_need_currency_currencies",
        ),
        sa.CheckConstraint(
            "status IN ('awaiting_trial', 'sentenced', 'released')", name="ck_prisoners_status_known"
        ),
        sa.CheckConstraint(
            "monthly_need_minor IS NULL OR monthly_need_minor >= 0", name="ck_prisoners_need_positive"
        ),
    )
    op.create_index("ix_prisoners_facility_id", "prisoners", ["facility_id"])

    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("guarded", sa.Boolean(), nullable=False),
        sa.Column("prisoner_id", sa.Integer(), nullable=True),
        sa.Column("label", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_accounts"),
        sa.UniqueConstraint("name", name="uq_accounts_name"),
        sa.ForeignKeyConstraint(["prisoner_id"], ["prisoners.id"], name="fk_accounts_prisoner_id_prisoners"),
        sa.CheckConstraint(
            "type IN ('asset', 'liability', 'equity', 'income', 'expense')", name="ck_accounts_type_known"
        ),
        sa.CheckConstraint("length(name) BETWEEN 3 AND 200", name="ck_accounts_name_length"),
    )
    op.create_index("ix_accounts_prisoner_id", "accounts", ["prisoner_id"])

    op.create_table(
        "journal_entries",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("entry_date", sa.Date(), nullable=False),
        sa.Column("description", sa.String(500), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("source_type", sa.String(16), nullable=False),
        sa.Column("source_ref", sa.String(200), nullable=True),
        sa.Column("idempotency_key", sa.String(200), nullable=True),
        sa.Column("reverses_id", sa.Integer(), nullable=True),
        sa.Column("is_advance", sa.Boolean(), nullable=False),
        sa.Column("conversion_rate", sa.String(40), nullable=True),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_journal_entries"),
        sa.UniqueConstraint("idempotency_key", name="uq_journal_entries_idempotency_key"),
        sa.UniqueConstraint("reverses_id", name="uq_journal_entries_reverses_id"),
        sa.UniqueConstraint("hash", name="uq_journal_entries_hash"),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name="fk_journal_entries_recorded_by_id_users"
        ),
        sa.ForeignKeyConstraint(
            ["reverses_id"], ["journal_entries.id"], name="fk_journal_entries_reverses_id_journal_entries"
        ),
        sa.CheckConstraint("id > 0", name="ck_journal_entries_id_positive"),
        sa.CheckConstraint("length(hash) = 64", name="ck_journal_entries_hash_length"),
        sa.CheckConstraint("length(prev_hash) = 64", name="ck_journal_entries_prev_hash_length"),
        sa.CheckConstraint(
            "source_type IN ('manual', 'stripe', 'import', 'reversal', 'demo', 'system')",
            name="ck_journal_entries_source_type_known",
        ),
        sa.CheckConstraint(
            "reverses_id IS NULL OR reverses_id < id", name="ck_journal_entries_reverses_earlier"
        ),
    )
    op.create_index("ix_journal_entries_entry_date", "journal_entries", ["entry_date"])
    op.create_index("ix_journal_entries_source_ref", "journal_entries", ["source_ref"])

    op.create_table(
        "postings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("category", sa.String(16), nullable=True),
        sa.Column("memo", sa.String(500), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_postings"),
        sa.UniqueConstraint("entry_id", "line_no", name="uq_postings_entry_line"),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["journal_entries.id"], name="fk_postings_entry_id_journal_entries"
        ),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name="fk_postings_account_id_accounts"),
        sa.ForeignKeyConstraint(["currency"], ["currencies.code"], name="fk_postings_currency_currencies"),
        sa.CheckConstraint("amount_minor <> 0", name="ck_postings_amount_nonzero"),
        sa.CheckConstraint(
            f"category IS NULL OR category IN ({CATEGORIES})", name="ck_postings_category_known"
        ),
    )
    op.create_index("ix_postings_account_currency_entry", "postings", ["account_id", "currency", "entry_id"])

    op.create_table(
        "account_balances",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("balance_minor", sa.BigInteger(), nullable=False),
        sa.Column("posting_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "currency", name="pk_account_balances"),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name="fk_account_balances_account_id_accounts"
        ),
        sa.ForeignKeyConstraint(
            ["currency"], ["currencies.code"], name="fk_account_balances_currency_currencies"
        ),
    )

    head = op.create_table(
        "ledger_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("entry_count", sa.Integer(), nullable=False),
        sa.Column("head_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_head"),
        sa.CheckConstraint("id = 1", name="ck_ledger_head_single_row"),
    )
    op.bulk_insert(head, [{"id": 1, "entry_count": 0, "head_hash": "0" * 64}])

    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_api_tokens"),
        sa.UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_api_tokens_user_id_users"),
    )
    op.create_index("ix_api_tokens_user_id", "api_tokens", ["user_id"])

    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target", sa.String(200), nullable=True),
        sa.Column("details", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_events"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_audit_events_user_id_users"),
    )
    op.create_index("ix_audit_events_at", "audit_events", ["at"])
    op.create_index("ix_audit_events_user_id", "audit_events", ["user_id"])
    op.create_index("ix_audit_events_action", "audit_events", ["action"])

    op.create_table(
        "donors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_name", sa.String(120), nullable=True),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("stripe_customer_id", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("purged_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_donors"),
        sa.UniqueConstraint("stripe_customer_id", name="uq_donors_stripe_customer_id"),
    )

    op.create_table(
        "pledges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(16), nullable=False),
        sa.Column("donor_id", sa.Integer(), nullable=False),
        sa.Column("prisoner_id", sa.Integer(), nullable=True),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("frequency", sa.String(10), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("stripe_subscription_id", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_pledges"),
        sa.UniqueConstraint("reference", name="uq_pledges_reference"),
        sa.UniqueConstraint("stripe_subscription_id", name="uq_pledges_stripe_subscription_id"),
        sa.ForeignKeyConstraint(["donor_id"], ["donors.id"], name="fk_pledges_donor_id_donors"),
        sa.ForeignKeyConstraint(["prisoner_id"], ["prisoners.id"], name="fk_pledges_prisoner_id_prisoners"),
        sa.ForeignKeyConstraint(["currency"], ["currencies.code"], name="fk_pledges_currency_currencies"),
        sa.CheckConstraint("amount_minor > 0", name="ck_pledges_amount_positive"),
        sa.CheckConstraint("frequency IN ('monthly', 'one_off')", name="ck_pledges_frequency_known"),
        sa.CheckConstraint("status IN ('active', 'cancelled', 'completed')", name="ck_pledges_status_known"),
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ck_pledges_ends_after_start"),
    )
    op.create_index("ix_pledges_donor_id", "pledges", ["donor_id"])
    op.create_index("ix_pledges_prisoner_id", "pledges", ["prisoner_id"])

    op.create_table(
        "donations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("donor_id", sa.Integer(), nullable=True),
        sa.Column("pledge_id", sa.Integer(), nullable=True),
        sa.Column("prisoner_id", sa.Integer(), nullable=True),
        sa.Column("method", sa.String(8), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_donations"),
        sa.UniqueConstraint("entry_id", name="uq_donations_entry_id"),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["journal_entries.id"], name="fk_donations_entry_id_journal_entries"
        ),
        sa.ForeignKeyConstraint(["donor_id"], ["donors.id"], name="fk_donations_donor_id_donors"),
        sa.ForeignKeyConstraint(["pledge_id"], ["pledges.id"], name="fk_donations_pledge_id_pledges"),
        sa.ForeignKeyConstraint(["prisoner_id"], ["prisoners.id"], name="fk_donations_prisoner_id_prisoners"),
        sa.ForeignKeyConstraint(["currency"], ["currencies.code"], name="fk_donations_currency_currencies"),
        sa.CheckConstraint("method IN ('bank', 'cash', 'card', 'other')", name="ck_donations_method_known"),
        sa.CheckConstraint("amount_minor > 0", name="ck_donations_amount_positive"),
    )
    op.create_index("ix_donations_donor_id", "donations", ["donor_id"])
    op.create_index("ix_donations_pledge_id", "donations", ["pledge_id"])
    op.create_index("ix_donations_prisoner_id", "donations", ["prisoner_id"])
    op.create_index("ix_donations_received_on", "donations", ["received_on"])

    _append_only_triggers()


def downgrade() -> None:
    _drop_append_only_triggers()
    for table in (
        "donations",
        "pledges",
        "donors",
        "audit_events",
        "api_tokens",
        "ledger_head",
        "account_balances",
        "postings",
        "journal_entries",
        "accounts",
        "prisoners",
        "facilities",
        "users",
        "currencies",
    ):
        op.drop_table(table)
