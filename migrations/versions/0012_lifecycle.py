"""Prisoner lifecycle and parcel rules: facility kind and regime, what the rules depend on
(gender, juvenile, conditions of detention), lifecycle events, parcel kind, outcome and
override reason, parcel rules seeded from the Penal Enforcement Code, who sends the next
parcel.

New columns on existing tables are added in place (no SQLite batch rebuild: those tables
are referenced by others, and a rebuild would drop their triggers).  Their CHECKs are real
constraints on PostgreSQL and triggers on SQLite, with the same names.

Revision ID: 0012_lifecycle
Revises: 0011_approvals
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_lifecycle"
down_revision = "0011_approvals"
branch_labels = None
depends_on = None

# The parcel rules as seeded (ledger/spending/parcel_law.py cites the law for each number):
# written out here, so that this migration seeds the same rows whatever the code says later.
RULE_COLUMNS = (
    "facility_kind",
    "regime",
    "conditions",
    "parcels_per_year",
    "small_parcels_per_year",
    "max_parcel_grams",
    "max_small_parcel_grams",
    "max_grams_per_month",
    "exemptions",
    "legal_basis",
)
DEFAULT_RULES = (
    (
        "colony",
        "general",
        "ordinary",
        6,
        6,
        20000,
        5000,
        None,
        "women,juveniles,medical",
        "УИК РФ ст. 121 ч. 1 п. «в»; вес — ст. 90 ч. 1",
    ),
    (
        "colony",
        "general",
        "lightened",
        12,
        12,
        20000,
        5000,
        None,
        "women,juveniles,medical",
        "УИК РФ ст. 121 ч. 2 п. «в»; вес — ст. 90 ч. 1",
    ),
    (
        "colony",
        "general",
        "strict",
        3,
        3,
        20000,
        5000,
        None,
        "women,juveniles,medical",
        "УИК РФ ст. 121 ч. 3 п. «в»; вес — ст. 90 ч. 1",
    ),
    (
        "colony",
        "strict",
        "ordinary",
        4,
        4,
        20000,
        5000,
        None,
        "women,juveniles,medical",
        "УИК РФ ст. 123 ч. 1 п. «в»; вес — ст. 90 ч. 1",
    ),
    (
        "colony",
        "strict",
        "lightened",
        6,
        6,
        20000,
        5000,
        None,
        "women,juveniles,medical",
        "УИК РФ ст. 123 ч. 2 п. «в»; вес — ст. 90 ч. 1",
    ),
    (
        "colony",
        "strict",
        "strict",
        2,
        2,
        20000,
        5000,
        None,
        "women,juveniles,medical",
        "УИК РФ ст. 123 ч. 3 п. «в»; вес — ст. 90 ч. 1",
    ),
    (
        "colony",
        "special",
        "ordinary",
        3,
        3,
        20000,
        5000,
        None,
        "women,juveniles,medical",
        "УИК РФ ст. 125 ч. 1 п. «в»; вес — ст. 90 ч. 1",
    ),
    (
        "colony",
        "special",
        "lightened",
        4,
        4,
        20000,
        5000,
        None,
        "women,juveniles,medical",
        "УИК РФ ст. 125 ч. 2 п. «в»; вес — ст. 90 ч. 1",
    ),
    (
        "colony",
        "special",
        "strict",
        1,
        1,
        20000,
        5000,
        None,
        "women,juveniles,medical",
        "УИК РФ ст. 125 ч. 3 п. «в»; вес — ст. 90 ч. 1",
    ),
    (
        "colony",
        "educational",
        "any",
        None,
        None,
        20000,
        5000,
        None,
        "women,juveniles,medical",
        "УИК РФ ст. 90 ч. 1 п. «а»; вес — ст. 90 ч. 1",
    ),
    (
        "prison",
        "general",
        "any",
        2,
        2,
        20000,
        5000,
        None,
        "women,juveniles,medical",
        "УИК РФ ст. 131 ч. 4 п. «в»; вес — ст. 90 ч. 1",
    ),
    (
        "prison",
        "strict",
        "any",
        1,
        1,
        20000,
        5000,
        None,
        "women,juveniles,medical",
        "УИК РФ ст. 131 ч. 5 п. «в»; вес — ст. 90 ч. 1",
    ),
    (
        "settlement",
        "none",
        "any",
        None,
        None,
        20000,
        5000,
        None,
        "women,juveniles,medical",
        "УИК РФ ст. 90 ч. 1 п. «б» (число не ограничено); вес — ст. 90 ч. 1",
    ),
    (
        "pre_trial",
        "none",
        "any",
        None,
        None,
        None,
        None,
        30000,
        "juveniles,medical",
        "Федеральный закон № 103-ФЗ ст. 25 (30 кг в месяц)",
    ),
    ("other", "none", "any", None, None, None, None, None, "", None),
)


def _values(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


# (table, constraint name, column, SQL condition) for the new columns of existing tables.
COLUMN_CHECKS = (
    (
        "facilities",
        "ck_facilities_kind_known",
        "kind",
        f"kind IN ({_values(('pre_trial', 'colony', 'settlement', 'prison', 'other'))})",
    ),
    (
        "facilities",
        "ck_facilities_regime_known",
        "regime",
        f"regime IN ({_values(('none', 'general', 'strict', 'special', 'educational'))})",
    ),
    ("prisoners", "ck_prisoners_gender_known", "gender", "gender IS NULL OR gender IN ('male', 'female')"),
    (
        "prisoners",
        "ck_prisoners_conditions_known",
        "conditions",
        "conditions IS NULL OR conditions IN ('ordinary', 'lightened', 'strict')",
    ),
    (
        "prisoners",
        "ck_prisoners_lifecycle_public_known",
        "lifecycle_public",
        "lifecycle_public IN ('nothing', 'status', 'history')",
    ),
    ("parcels", "ck_parcels_kind_known", "kind", "kind IN ('parcel', 'small_parcel')"),
)


def _add_checks() -> None:
    dialect = op.get_bind().dialect.name
    for table, name, column, condition in COLUMN_CHECKS:
        if dialect == "postgresql":
            op.create_check_constraint(op.f(name), table, condition)
        else:
            new_condition = condition.replace(column, f"NEW.{column}")
            for action, suffix in (("INSERT", "insert"), (f"UPDATE OF {column}", "update")):
                op.execute(
                    f"CREATE TRIGGER {name}_{suffix} BEFORE {action} ON {table} "
                    f"WHEN NOT ({new_condition}) "
                    f"BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {name}'); END"
                )


def _drop_checks() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for _table, name, _column, _condition in COLUMN_CHECKS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}_insert")
            op.execute(f"DROP TRIGGER IF EXISTS {name}_update")
    # On PostgreSQL the constraints go with their columns.


def upgrade() -> None:
    op.add_column("facilities", sa.Column("kind", sa.String(20), nullable=False, server_default="other"))
    op.add_column("facilities", sa.Column("regime", sa.String(20), nullable=False, server_default="none"))
    op.add_column("prisoners", sa.Column("gender", sa.String(10), nullable=True))
    op.add_column("prisoners", sa.Column("juvenile", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("prisoners", sa.Column("conditions", sa.String(12), nullable=True))
    op.add_column(
        "prisoners",
        sa.Column("lifecycle_public", sa.String(10), nullable=False, server_default="status"),
    )
    op.add_column("prisoners", sa.Column("died_on", sa.Date(), nullable=True))
    op.add_column("parcels", sa.Column("kind", sa.String(12), nullable=False, server_default="parcel"))
    op.add_column("parcels", sa.Column("medical", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("parcels", sa.Column("override_reason", sa.Text(), nullable=True))
    _add_checks()

    op.create_table(
        "prisoner_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prisoner_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=True),
        sa.Column("fund_policy", sa.String(10), nullable=True),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_prisoner_events"),
        sa.UniqueConstraint("entry_id", name="uq_prisoner_events_entry_id"),
        sa.ForeignKeyConstraint(
            ["prisoner_id"], ["prisoners.id"], name="fk_prisoner_events_prisoner_id_prisoners"
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facilities.id"], name="fk_prisoner_events_facility_id_facilities"
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["journal_entries.id"], name="fk_prisoner_events_entry_id_journal_entries"
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name="fk_prisoner_events_recorded_by_id_users"
        ),
        sa.CheckConstraint(
            "type IN ('transferred', 'whereabouts_unknown', 'released', 'died')",
            name="ck_prisoner_events_type_known",
        ),
        sa.CheckConstraint(
            "fund_policy IS NULL OR fund_policy IN ('keep', 'general')",
            name="ck_prisoner_events_policy_known",
        ),
        sa.CheckConstraint(
            "(type = 'transferred') = (facility_id IS NOT NULL)",
            name="ck_prisoner_events_facility_for_transfer",
        ),
        sa.CheckConstraint(
            "(type IN ('released', 'died')) = (fund_policy IS NOT NULL)",
            name="ck_prisoner_events_policy_for_release_or_death",
        ),
    )
    op.create_index("ix_prisoner_events_prisoner_id", "prisoner_events", ["prisoner_id"])
    op.create_index("ix_prisoner_events_facility_id", "prisoner_events", ["facility_id"])

    op.create_table(
        "parcel_assignments",
        sa.Column("prisoner_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("assigned_by_id", sa.Integer(), nullable=True),
        sa.Column("assigned_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("prisoner_id", name="pk_parcel_assignments"),
        sa.ForeignKeyConstraint(
            ["prisoner_id"], ["prisoners.id"], name="fk_parcel_assignments_prisoner_id_prisoners"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_parcel_assignments_user_id_users"),
        sa.ForeignKeyConstraint(
            ["assigned_by_id"], ["users.id"], name="fk_parcel_assignments_assigned_by_id_users"
        ),
    )
    op.create_index("ix_parcel_assignments_user_id", "parcel_assignments", ["user_id"])

    op.create_table(
        "parcel_outcomes",
        sa.Column("parcel_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(12), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("inventory_receipt_id", sa.Integer(), nullable=True),
        sa.Column("refund_entry_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("parcel_id", name="pk_parcel_outcomes"),
        sa.UniqueConstraint("refund_entry_id", name="uq_parcel_outcomes_refund_entry_id"),
        sa.ForeignKeyConstraint(["parcel_id"], ["parcels.id"], name="fk_parcel_outcomes_parcel_id_parcels"),
        sa.ForeignKeyConstraint(
            ["inventory_receipt_id"], ["receipts.id"], name="fk_parcel_outcomes_inventory_receipt_id_receipts"
        ),
        sa.ForeignKeyConstraint(
            ["refund_entry_id"],
            ["journal_entries.id"],
            name="fk_parcel_outcomes_refund_entry_id_journal_entries",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name="fk_parcel_outcomes_recorded_by_id_users"
        ),
        sa.CheckConstraint(
            "outcome IN ('delivered', 'returned', 'confiscated')", name="ck_parcel_outcomes_outcome_known"
        ),
    )

    rules = op.create_table(
        "parcel_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_kind", sa.String(20), nullable=False),
        sa.Column("regime", sa.String(20), nullable=False),
        sa.Column("conditions", sa.String(12), nullable=False),
        sa.Column("parcels_per_year", sa.Integer(), nullable=True),
        sa.Column("small_parcels_per_year", sa.Integer(), nullable=True),
        sa.Column("max_parcel_grams", sa.Integer(), nullable=True),
        sa.Column("max_small_parcel_grams", sa.Integer(), nullable=True),
        sa.Column("max_grams_per_month", sa.Integer(), nullable=True),
        sa.Column("exemptions", sa.String(100), nullable=False, server_default=""),
        sa.Column("legal_basis", sa.Text(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_parcel_rules"),
        sa.UniqueConstraint(
            "facility_kind", "regime", "conditions", name="uq_parcel_rules_kind_regime_conditions"
        ),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], name="fk_parcel_rules_updated_by_id_users"),
        sa.CheckConstraint(
            "conditions IN ('any', 'ordinary', 'lightened', 'strict')",
            name="ck_parcel_rules_conditions_known",
        ),
        sa.CheckConstraint(
            "parcels_per_year IS NULL OR parcels_per_year >= 0", name="ck_parcel_rules_parcels_not_negative"
        ),
        sa.CheckConstraint(
            "small_parcels_per_year IS NULL OR small_parcels_per_year >= 0",
            name="ck_parcel_rules_small_parcels_not_negative",
        ),
        sa.CheckConstraint(
            "max_parcel_grams IS NULL OR max_parcel_grams > 0", name="ck_parcel_rules_parcel_grams_positive"
        ),
        sa.CheckConstraint(
            "max_small_parcel_grams IS NULL OR max_small_parcel_grams > 0",
            name="ck_parcel_rules_small_parcel_grams_positive",
        ),
        sa.CheckConstraint(
            "max_grams_per_month IS NULL OR max_grams_per_month > 0",
            name="ck_parcel_rules_grams_per_month_positive",
        ),
    )
    op.bulk_insert(rules, [dict(zip(RULE_COLUMNS, row, strict=True)) for row in DEFAULT_RULES])


def downgrade() -> None:
    op.drop_table("parcel_rules")
    op.drop_table("parcel_outcomes")
    op.drop_index("ix_parcel_assignments_user_id", table_name="parcel_assignments")
    op.drop_table("parcel_assignments")
    op.drop_index("ix_prisoner_events_facility_id", table_name="prisoner_events")
    op.drop_index("ix_prisoner_events_prisoner_id", table_name="prisoner_events")
    op.drop_table("prisoner_events")
    _drop_checks()
    for table, column in (
        ("parcels", "override_reason"),
        ("parcels", "medical"),
        ("parcels", "kind"),
        ("prisoners", "died_on"),
        ("prisoners", "lifecycle_public"),
        ("prisoners", "conditions"),
        ("prisoners", "juvenile"),
        ("prisoners", "gender"),
        ("facilities", "regime"),
        ("facilities", "kind"),
    ):
        op.drop_column(table, column)
