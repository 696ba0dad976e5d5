"""Letters: facilities' postal addresses (Russian and Latin), a prisoner's birth date with the
consent to put it on an envelope and the support channel's link, letter services (seeded) and
the letters sent.

New columns on existing tables are added in place (no SQLite batch rebuild: those tables are
referenced by others, and a rebuild would drop their triggers).

Revision ID: 0023_letters
Revises: 0020_donor_safety
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0023_letters"
down_revision = "0020_donor_safety"
branch_labels = None
depends_on = None

# The services as seeded, written out here so this migration seeds the same rows whatever the
# code says later.  Prices in kopecks; None: not known here (a letter then needs its cost).
# FSIN-pismo: 55 ₽ a letter, 55 ₽ a reply form, 35 ₽ an image (secondary: vesna.democrat, in
# shared/PRISONER-SUPPORT.md).  Zonatelecom's price for a letter is not in our sources.
SERVICE_COLUMNS = (
    "key",
    "name",
    "name_ru",
    "url",
    "letter_price_minor",
    "reply_form_price_minor",
    "image_price_minor",
    "note",
)
SERVICES = (
    (
        "rosuznik",
        "RosUznik",
        "РосУзник",
        "https://rosuznik.org/",
        0,
        0,
        0,
        "Free: volunteers print the letter and post it.",
    ),
    ("fsin_pismo", "FSIN-pismo", "ФСИН-письмо", "https://fsin-pismo.ru/", 5500, 5500, 3500, None),
    (
        "zonatelecom",
        "Zonatelecom",
        "Зонателеком",
        "https://zonatelecom.ru/",
        None,
        None,
        None,
        "Price not in our sources: check zonatelecom.ru and set it here, or give each letter's cost.",
    ),
    ("post", "Russian Post", "Почта России", None, None, None, None, "Stamps and envelopes: give the cost."),
    ("other", "Other", "Другое", None, None, None, None, None),
)


def upgrade() -> None:
    op.add_column("facilities", sa.Column("postal_address_ru", sa.Text(), nullable=True))
    op.add_column("facilities", sa.Column("postal_address_latin", sa.Text(), nullable=True))
    op.add_column("prisoners", sa.Column("birth_date", sa.Date(), nullable=True))
    op.add_column(
        "prisoners",
        sa.Column("letter_birth_date_consent", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("prisoners", sa.Column("channel_url", sa.String(300), nullable=True))

    services = op.create_table(
        "letter_services",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(40), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("name_ru", sa.String(120), nullable=False),
        sa.Column("url", sa.String(300), nullable=True),
        sa.Column("letter_price_minor", sa.BigInteger(), nullable=True),
        sa.Column("reply_form_price_minor", sa.BigInteger(), nullable=True),
        sa.Column("image_price_minor", sa.BigInteger(), nullable=True),
        sa.Column("serves_all", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("regions", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_letter_services"),
        sa.UniqueConstraint("key", name="uq_letter_services_key"),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name="fk_letter_services_updated_by_id_users"
        ),
        sa.CheckConstraint(
            "letter_price_minor IS NULL OR letter_price_minor >= 0",
            name="letter_price_not_negative",
        ),
        sa.CheckConstraint(
            "reply_form_price_minor IS NULL OR reply_form_price_minor >= 0",
            name="reply_price_not_negative",
        ),
        sa.CheckConstraint(
            "image_price_minor IS NULL OR image_price_minor >= 0",
            name="image_price_not_negative",
        ),
    )
    op.create_table(
        "letter_service_facilities",
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("service_id", "facility_id", name="pk_letter_service_facilities"),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["letter_services.id"],
            name="fk_letter_service_facilities_service_id_letter_services",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"],
            ["facilities.id"],
            name="fk_letter_service_facilities_facility_id_facilities",
            ondelete="CASCADE",
        ),
    )
    op.create_table(
        "letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prisoner_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=True),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("images", sa.Integer(), nullable=False),
        sa.Column("reply_form", sa.Boolean(), nullable=False),
        sa.Column("cost_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("paid_from_id", sa.Integer(), nullable=True),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("approval_id", sa.Integer(), nullable=True),
        sa.Column("replied_on", sa.Date(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_letters"),
        sa.UniqueConstraint("entry_id", name="uq_letters_entry_id"),
        sa.UniqueConstraint("approval_id", name="uq_letters_approval_id"),
        sa.ForeignKeyConstraint(["prisoner_id"], ["prisoners.id"], name="fk_letters_prisoner_id_prisoners"),
        sa.ForeignKeyConstraint(
            ["service_id"], ["letter_services.id"], name="fk_letters_service_id_letter_services"
        ),
        sa.ForeignKeyConstraint(["facility_id"], ["facilities.id"], name="fk_letters_facility_id_facilities"),
        sa.ForeignKeyConstraint(["currency"], ["currencies.code"], name="fk_letters_currency_currencies"),
        sa.ForeignKeyConstraint(["paid_from_id"], ["accounts.id"], name="fk_letters_paid_from_id_accounts"),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["journal_entries.id"], name="fk_letters_entry_id_journal_entries"
        ),
        sa.ForeignKeyConstraint(["approval_id"], ["approvals.id"], name="fk_letters_approval_id_approvals"),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"], name="fk_letters_recorded_by_id_users"),
        sa.CheckConstraint("pages > 0", name="pages_positive"),
        sa.CheckConstraint("images >= 0", name="images_not_negative"),
        sa.CheckConstraint("cost_minor >= 0", name="cost_not_negative"),
        sa.CheckConstraint("replied_on IS NULL OR replied_on >= sent_on", name="reply_after_sending"),
    )
    op.create_index("ix_letters_prisoner_id", "letters", ["prisoner_id"])
    op.create_index("ix_letters_service_id", "letters", ["service_id"])
    op.create_index("ix_letters_sent_on", "letters", ["sent_on"])
    op.create_index("ix_letters_recorded_at", "letters", ["recorded_at"])
    op.bulk_insert(services, [dict(zip(SERVICE_COLUMNS, row, strict=True)) for row in SERVICES])


def downgrade() -> None:
    for name in ("recorded_at", "sent_on", "service_id", "prisoner_id"):
        op.drop_index(f"ix_letters_{name}", table_name="letters")
    op.drop_table("letters")
    op.drop_table("letter_service_facilities")
    op.drop_table("letter_services")
    for table, column in (
        ("prisoners", "channel_url"),
        ("prisoners", "letter_birth_date_consent"),
        ("prisoners", "birth_date"),
        ("facilities", "postal_address_latin"),
        ("facilities", "postal_address_ru"),
    ):
        op.drop_column(table, column)
