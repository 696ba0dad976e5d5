"""Donors and mail: donors' emails encrypted, their language and consent to name the prisoner;
pledge instalments, status history and the new statuses; bank details per currency; the
admins' pledge and retention settings; public-pledge throttling; the mail outbox.

Revision ID: 0009_donor_mail
Revises: 0013_perf
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_donor_mail"
down_revision = "0013_perf"
branch_labels = None
depends_on = None

NEW_STATUSES = "status IN ('active', 'overdue', 'lapsed', 'fulfilled', 'paused', 'cancelled')"
OLD_STATUSES = "status IN ('active', 'cancelled', 'completed')"


def _pledges(status_check: str | None) -> sa.Table:
    """The pledges table as it stands, for SQLite's batch rebuild (which would drop CHECKs)."""
    constraints = [
        sa.PrimaryKeyConstraint("id", name="pk_pledges"),
        sa.UniqueConstraint("reference", name="uq_pledges_reference"),
        sa.UniqueConstraint("stripe_subscription_id", name="uq_pledges_stripe_subscription_id"),
        sa.ForeignKeyConstraint(["donor_id"], ["donors.id"], name="fk_pledges_donor_id_donors"),
        sa.ForeignKeyConstraint(["prisoner_id"], ["prisoners.id"], name="fk_pledges_prisoner_id_prisoners"),
        sa.ForeignKeyConstraint(["currency"], ["currencies.code"], name="fk_pledges_currency_currencies"),
        sa.CheckConstraint("amount_minor > 0", name="ck_pledges_amount_positive"),
        sa.CheckConstraint("frequency IN ('monthly', 'one_off')", name="ck_pledges_frequency_known"),
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ck_pledges_ends_after_start"),
    ]
    if status_check:
        constraints.append(sa.CheckConstraint(status_check, name="ck_pledges_status_known"))
    table = sa.Table(
        "pledges",
        sa.MetaData(),
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
        *constraints,
    )
    sa.Index("ix_pledges_donor_id", table.c.donor_id)
    sa.Index("ix_pledges_prisoner_id", table.c.prisoner_id)
    return table


def _recheck_statuses(old: str, new: str, renames: dict[str, str]) -> None:
    if op.get_bind().dialect.name == "postgresql":
        # 0001 named its CHECKs before the naming convention applied: on PostgreSQL the name
        # carries the prefix twice.  Either way, this one goes.
        for name in ("ck_pledges_ck_pledges_status_known", "ck_pledges_status_known"):
            op.execute(f"ALTER TABLE pledges DROP CONSTRAINT IF EXISTS {name}")
    else:
        with op.batch_alter_table("pledges", copy_from=_pledges(old)) as batch:
            batch.drop_constraint(op.f("ck_pledges_status_known"), type_="check")
    for before, after in renames.items():
        op.execute(
            sa.text("UPDATE pledges SET status = :after WHERE status = :before").bindparams(
                before=before, after=after
            )
        )
    with op.batch_alter_table("pledges", copy_from=_pledges(None)) as batch:
        batch.create_check_constraint(op.f("ck_pledges_status_known"), new)


def upgrade() -> None:
    from ledger.platform.crypto import encrypt_text

    # Donors: the email only encrypted (ledger/platform/crypto.py), its date (for the retention period),
    # the donor's language and whether mails may name the prisoner.
    with op.batch_alter_table("donors") as batch:
        batch.add_column(sa.Column("email_encrypted", sa.Text(), nullable=True))
        batch.add_column(sa.Column("email_added_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("locale", sa.String(5), nullable=False, server_default="en"))
        batch.add_column(
            sa.Column("may_name_prisoner", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    connection = op.get_bind()
    donors = sa.table(
        "donors",
        sa.column("id", sa.Integer()),
        sa.column("email", sa.String()),
        sa.column("email_encrypted", sa.Text()),
        sa.column("email_added_at", sa.DateTime()),
        sa.column("created_at", sa.DateTime()),
    )
    for donor_id, email, created_at in connection.execute(
        sa.select(donors.c.id, donors.c.email, donors.c.created_at).where(donors.c.email.is_not(None))
    ).all():
        connection.execute(
            donors.update()
            .where(donors.c.id == donor_id)
            .values(email_encrypted=encrypt_text(email), email_added_at=created_at, email=None)
        )
    with op.batch_alter_table("donors") as batch:
        batch.drop_column("email")
        batch.create_check_constraint(op.f("ck_donors_locale_known"), "locale IN ('en', 'ru')")

    _recheck_statuses(OLD_STATUSES, NEW_STATUSES, {"completed": "fulfilled"})
    # How a pledge is paid: card pledges are those with a Stripe subscription.
    op.add_column("pledges", sa.Column("channel", sa.String(8), nullable=False, server_default="bank"))
    op.execute("UPDATE pledges SET channel = 'card' WHERE stripe_subscription_id IS NOT NULL")

    op.create_table(
        "pledge_instalments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pledge_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("waived", sa.Boolean(), nullable=False),
        sa.Column("reminded_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_pledge_instalments"),
        sa.ForeignKeyConstraint(
            ["pledge_id"], ["pledges.id"], name="fk_pledge_instalments_pledge_id_pledges"
        ),
        sa.UniqueConstraint("pledge_id", "number", name="uq_pledge_instalments_pledge_number"),
        sa.CheckConstraint("number > 0", name=op.f("ck_pledge_instalments_number_positive")),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_pledge_instalments_amount_positive")),
    )
    op.create_index("ix_pledge_instalments_pledge_id", "pledge_instalments", ["pledge_id"])
    op.create_table(
        "pledge_status_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pledge_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("old_status", sa.String(12), nullable=True),
        sa.Column("new_status", sa.String(12), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("changed_by", sa.String(20), nullable=False),
        sa.Column("reason", sa.String(60), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_pledge_status_changes"),
        sa.ForeignKeyConstraint(
            ["pledge_id"], ["pledges.id"], name="fk_pledge_status_changes_pledge_id_pledges"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_pledge_status_changes_user_id_users"),
    )
    op.create_index("ix_pledge_status_changes_pledge_id", "pledge_status_changes", ["pledge_id"])
    op.create_table(
        "bank_details",
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("details_en", sa.Text(), nullable=False),
        sa.Column("details_ru", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("currency", name="pk_bank_details"),
        sa.ForeignKeyConstraint(
            ["currency"], ["currencies.code"], name="fk_bank_details_currency_currencies"
        ),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], name="fk_bank_details_updated_by_id_users"),
    )
    op.create_table(
        "donor_settings",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("overdue_days", sa.Integer(), nullable=False),
        sa.Column("lapse_missed", sa.Integer(), nullable=False),
        sa.Column("email_retention_days", sa.Integer(), nullable=False),
        sa.Column("digest_sent_on", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_donor_settings"),
        sa.CheckConstraint("id = 1", name=op.f("ck_donor_settings_single_row")),
        sa.CheckConstraint("overdue_days >= 0", name=op.f("ck_donor_settings_overdue_days_positive")),
        sa.CheckConstraint("lapse_missed > 0", name=op.f("ck_donor_settings_lapse_missed_positive")),
        sa.CheckConstraint("email_retention_days > 0", name=op.f("ck_donor_settings_retention_positive")),
    )
    op.create_table(
        "pledge_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("client_key", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_pledge_attempts"),
    )
    op.create_index("ix_pledge_attempts_at", "pledge_attempts", ["at"])
    op.create_index("ix_pledge_attempts_client_key", "pledge_attempts", ["client_key"])
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("locale", sa.String(5), nullable=False),
        sa.Column("donor_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("claim_token", sa.String(32), nullable=True),
        sa.Column("last_error", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_mail_outbox"),
        sa.ForeignKeyConstraint(["donor_id"], ["donors.id"], name="fk_mail_outbox_donor_id_donors"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_mail_outbox_user_id_users"),
        sa.CheckConstraint(
            "status IN ('queued', 'sending', 'sent', 'failed', 'dropped')",
            name=op.f("ck_mail_outbox_status_known"),
        ),
        sa.CheckConstraint(
            "(donor_id IS NULL) <> (user_id IS NULL)", name=op.f("ck_mail_outbox_one_recipient")
        ),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_mail_outbox_attempts_positive")),
    )
    op.create_index("ix_mail_outbox_donor_id", "mail_outbox", ["donor_id"])
    op.create_index("ix_mail_outbox_user_id", "mail_outbox", ["user_id"])
    op.create_index("ix_mail_outbox_status", "mail_outbox", ["status"])


def downgrade() -> None:
    from ledger.platform.crypto import decrypt_text

    op.drop_index("ix_mail_outbox_status", table_name="mail_outbox")
    op.drop_index("ix_mail_outbox_user_id", table_name="mail_outbox")
    op.drop_index("ix_mail_outbox_donor_id", table_name="mail_outbox")
    op.drop_table("mail_outbox")
    op.drop_index("ix_pledge_attempts_client_key", table_name="pledge_attempts")
    op.drop_index("ix_pledge_attempts_at", table_name="pledge_attempts")
    op.drop_table("pledge_attempts")
    op.drop_table("donor_settings")
    op.drop_table("bank_details")
    op.drop_index("ix_pledge_status_changes_pledge_id", table_name="pledge_status_changes")
    op.drop_table("pledge_status_changes")
    op.drop_index("ix_pledge_instalments_pledge_id", table_name="pledge_instalments")
    op.drop_table("pledge_instalments")

    if op.get_bind().dialect.name == "postgresql":
        op.drop_column("pledges", "channel")  # on SQLite the rebuild below leaves it out
    _recheck_statuses(
        NEW_STATUSES,
        OLD_STATUSES,
        {"fulfilled": "completed", "overdue": "active", "lapsed": "active", "paused": "active"},
    )

    with op.batch_alter_table("donors") as batch:
        batch.add_column(sa.Column("email", sa.String(254), nullable=True))
    connection = op.get_bind()
    donors = sa.table(
        "donors", sa.column("id", sa.Integer()), sa.column("email", sa.String()), sa.column("email_encrypted")
    )
    for donor_id, token in connection.execute(
        sa.select(donors.c.id, donors.c.email_encrypted).where(donors.c.email_encrypted.is_not(None))
    ).all():
        connection.execute(donors.update().where(donors.c.id == donor_id).values(email=decrypt_text(token)))
    with op.batch_alter_table("donors") as batch:
        batch.drop_constraint(op.f("ck_donors_locale_known"), type_="check")
        batch.drop_column("may_name_prisoner")
        batch.drop_column("locale")
        batch.drop_column("email_added_at")
        batch.drop_column("email_encrypted")
