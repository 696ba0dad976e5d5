"""Prisoners, the facilities that hold them, and their funds."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledger.funds.kinds import (
    CONDITIONS,
    DONATION_METHODS,
    EVENT_TYPES,
    FACILITY_KINDS,
    FUND_POLICIES,
    GENDERS,
    LIFECYCLE_PUBLICATION,
    LOCALES,
    PLEDGE_FREQUENCIES,
    PLEDGE_STATUSES,
    PRISONER_STATUSES,
    REGIMES,
    Locale,
    PledgeChannel,
    PledgeStatus,
)
from ledger.platform.crypto import EncryptedText
from ledger.platform.database import Base, one_of, utcnow


class Facility(Base):
    """A detention facility; its limits are checked before a parcel is recorded."""

    __tablename__ = "facilities"
    __table_args__ = (
        CheckConstraint("max_parcel_grams IS NULL OR max_parcel_grams > 0", name="max_grams_positive"),
        CheckConstraint(
            "max_parcels_per_month IS NULL OR max_parcels_per_month > 0", name="max_parcels_positive"
        ),
        # Added by migration 0012: a CHECK on PostgreSQL, a trigger on SQLite.
        CheckConstraint(one_of("kind", FACILITY_KINDS), name="kind_known"),
        CheckConstraint(one_of("regime", REGIMES), name="regime_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    address: Mapped[str | None] = mapped_column(Text)
    region: Mapped[str | None] = mapped_column(String(120))
    max_parcel_grams: Mapped[int | None] = mapped_column(Integer)
    # The facility's own limits, stricter than the law's (its internal rules or a decision
    # of its head); checked with the parcel rules of its kind and regime.
    max_parcels_per_month: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20), default="other", server_default="other")
    regime: Mapped[str] = mapped_column(String(20), default="none", server_default="none")
    # Where letters go, as written on an envelope: index, region, town, street and house, and the
    # facility's official name (Russian: «… ФКУ СИЗО-5 ФСИН России»; Latin: "…, FKU SIZO-5 FSIN of
    # Russia").  The prisoner's name and birth date follow it (ledger/letters/addresses.py).
    postal_address_ru: Mapped[str | None] = mapped_column(Text)
    postal_address_latin: Mapped[str | None] = mapped_column(Text)

    prisoners: Mapped[list[Prisoner]] = relationship(back_populates="facility")


class Prisoner(Base):
    """A person we support.  Hidden prisoners never appear on public pages or JSON."""

    __tablename__ = "prisoners"
    __table_args__ = (
        CheckConstraint(one_of("status", PRISONER_STATUSES), name="status_known"),
        CheckConstraint("monthly_need_minor IS NULL OR monthly_need_minor >= 0", name="need_positive"),
        # Added by migration 0012: CHECKs on PostgreSQL, triggers on SQLite.
        CheckConstraint("gender IS NULL OR " + one_of("gender", GENDERS), name="gender_known"),
        CheckConstraint("conditions IS NULL OR " + one_of("conditions", CONDITIONS), name="conditions_known"),
        CheckConstraint(one_of("lifecycle_public", LIFECYCLE_PUBLICATION), name="lifecycle_public_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_latin: Mapped[str | None] = mapped_column(String(200))
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("facilities.id"), index=True)
    address: Mapped[str | None] = mapped_column(Text)
    region: Mapped[str | None] = mapped_column(String(120))
    charges: Mapped[str | None] = mapped_column(String(500))
    sentence: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="awaiting_trial")
    bio_en: Mapped[str | None] = mapped_column(Text)
    bio_ru: Mapped[str | None] = mapped_column(Text)
    monthly_need_minor: Mapped[int | None] = mapped_column(BigInteger)
    monthly_need_currency: Mapped[str | None] = mapped_column(ForeignKey("currencies.code"))
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # What the parcel rules depend on: the Code exempts women and juveniles from the
    # number of parcels (УИК ст. 90 ч. 1 п. «а»); conditions of detention set the number.
    gender: Mapped[str | None] = mapped_column(String(10))
    juvenile: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    conditions: Mapped[str | None] = mapped_column(String(12))
    lifecycle_public: Mapped[str] = mapped_column(String(10), default="status", server_default="status")
    died_on: Mapped[date | None] = mapped_column(Date)
    # Russian facilities want the date of birth on an envelope; it is shown with the letter
    # address only when the prisoner or the family agreed (off by default), never otherwise.
    birth_date: Mapped[date | None] = mapped_column(Date)
    letter_birth_date_consent: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # The support group's channel or page, shown as a link (never fetched).
    channel_url: Mapped[str | None] = mapped_column(String(300))

    facility: Mapped[Facility | None] = relationship(back_populates="prisoners", lazy="joined")
    fund_account = relationship("Account", back_populates="prisoner", uselist=False)


FACILITY_RULE = (
    "(type = 'transferred' AND facility_id IS NOT NULL) OR type = 'found' "
    "OR (type NOT IN ('transferred', 'found') AND facility_id IS NULL)"
)


class PrisonerEvent(Base):
    """One step of a prisoner's life in the system: a transfer, lost whereabouts, found again,
    release, death.

    Release and death carry the fund policy chosen with them; when the balance moved to
    the general fund, ``entry_id`` is the (reversible) journal entry that moved it.
    """

    __tablename__ = "prisoner_events"
    __table_args__ = (
        CheckConstraint(one_of("type", EVENT_TYPES), name="type_known"),
        CheckConstraint(
            "fund_policy IS NULL OR " + one_of("fund_policy", FUND_POLICIES), name="policy_known"
        ),
        # a transfer names its facility, a found may, nothing else does
        CheckConstraint(FACILITY_RULE, name="facility_for_transfer"),
        CheckConstraint(
            "(type IN ('released', 'died')) = (fund_policy IS NOT NULL)", name="policy_for_release_or_death"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    prisoner_id: Mapped[int] = mapped_column(ForeignKey("prisoners.id"), index=True)
    type: Mapped[str] = mapped_column(String(20))
    occurred_on: Mapped[date] = mapped_column(Date)
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("facilities.id"), index=True)
    fund_policy: Mapped[str | None] = mapped_column(String(10))
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entries.id"), unique=True)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    prisoner: Mapped[Prisoner] = relationship()
    facility: Mapped[Facility | None] = relationship(lazy="joined")
    entry = relationship("JournalEntry")
    recorded_by = relationship("User", lazy="joined")


class ParcelAssignment(Base):
    """Who sends the prisoner's next parcel (one coordinator at a time)."""

    __tablename__ = "parcel_assignments"

    prisoner_id: Mapped[int] = mapped_column(ForeignKey("prisoners.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user = relationship("User", foreign_keys=[user_id], lazy="joined")


class Donor(Base):
    """Someone who gives.  Anonymous by default; we keep as little as possible.

    ``email`` is kept only when the donor gives it (for receipts), stored encrypted
    (column ``email_encrypted``, see ``ledger/platform/crypto.py``), and purged on request or after
    the retention period without touching the ledger; it never goes into anything hashed
    or exported.  ``public_name`` is what public pages may show, if the donor chose one.
    ``locale`` is the language the donor used when giving: their mails are in it.
    """

    __tablename__ = "donors"
    __table_args__ = (CheckConstraint(one_of("locale", LOCALES), name="locale_known"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_name: Mapped[str | None] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column("email_encrypted", EncryptedText)
    email_added_at: Mapped[datetime | None] = mapped_column(DateTime)
    locale: Mapped[str] = mapped_column(String(5), default=Locale.EN)
    may_name_prisoner: Mapped[bool] = mapped_column(Boolean, default=False)
    stripe_customer_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    purged_at: Mapped[datetime | None] = mapped_column(DateTime)
    # When the donor followed the link in the confirmation mail (docs/mail.md): until then the
    # address gets that one mail and nothing else, and ``may_name_prisoner`` has no effect.
    # Addresses staff record, and those from before confirmations, count as confirmed.
    email_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Every link in a donor's mails carries this number (ledger/funds/donor_links.py);
    # raising it revokes them all ("delete my email", or an admin).
    link_generation: Mapped[int] = mapped_column(Integer, default=0)

    pledges: Mapped[list[Pledge]] = relationship(back_populates="donor")

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None


class Pledge(Base):
    """A promise to give monthly or once, to a prisoner or (prisoner None) the general fund."""

    __tablename__ = "pledges"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint(one_of("frequency", PLEDGE_FREQUENCIES), name="frequency_known"),
        CheckConstraint(one_of("status", PLEDGE_STATUSES), name="status_known"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    donor_id: Mapped[int] = mapped_column(ForeignKey("donors.id"), index=True)
    prisoner_id: Mapped[int | None] = mapped_column(ForeignKey("prisoners.id"), index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(ForeignKey("currencies.code"))
    frequency: Mapped[str] = mapped_column(String(10))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default=PledgeStatus.ACTIVE)
    stripe_subscription_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # How the donor pays: "bank" (transfers with the reference; reminders when late) or "card"
    # (a Stripe subscription, which Stripe collects and retries itself).
    channel: Mapped[str] = mapped_column(String(8), default=PledgeChannel.BANK)

    donor: Mapped[Donor] = relationship(back_populates="pledges", lazy="joined")
    prisoner: Mapped[Prisoner | None] = relationship(lazy="joined")
    instalments: Mapped[list[PledgeInstalment]] = relationship(
        back_populates="pledge", order_by="PledgeInstalment.number"
    )

    @property
    def is_card(self) -> bool:
        return self.channel == PledgeChannel.CARD or self.stripe_subscription_id is not None


class PledgeInstalment(Base):
    """One instalment of a pledge: what falls due on a date.  What has been paid against it
    is not stored but worked out from the pledge's donations (``ledger/funds/schedules.py``),
    so a reversed gift reopens it.  ``waived`` instalments fell due while the pledge was paused."""

    __tablename__ = "pledge_instalments"
    __table_args__ = (
        UniqueConstraint("pledge_id", "number", name="uq_pledge_instalments_pledge_number"),
        CheckConstraint("number > 0", name="number_positive"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pledge_id: Mapped[int] = mapped_column(ForeignKey("pledges.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    waived: Mapped[bool] = mapped_column(Boolean, default=False)
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime)

    pledge: Mapped[Pledge] = relationship(back_populates="instalments")


class PledgeStatusChange(Base):
    """The history of a pledge's status: who or what changed it, when and why."""

    __tablename__ = "pledge_status_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pledge_id: Mapped[int] = mapped_column(ForeignKey("pledges.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    old_status: Mapped[str | None] = mapped_column(String(12))
    new_status: Mapped[str] = mapped_column(String(12))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_by: Mapped[str] = mapped_column(String(20))  # staff, donor, job, stripe, public
    reason: Mapped[str | None] = mapped_column(String(60))

    user = relationship("User")


class BankDetails(Base):
    """Where donors send a bank transfer in a currency, as admins wrote it, in both languages."""

    __tablename__ = "bank_details"

    currency: Mapped[str] = mapped_column(ForeignKey("currencies.code"), primary_key=True)
    details_en: Mapped[str] = mapped_column(Text)
    details_ru: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    def text_for(self, locale: str) -> str:
        if locale == "ru":
            return self.details_ru or self.details_en
        return self.details_en or self.details_ru


class DonorSettings(Base):
    """The admins' rules for pledges and donors' emails (one row, created on first save)."""

    __tablename__ = "donor_settings"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint("overdue_days >= 0", name="overdue_days_positive"),
        CheckConstraint("lapse_missed > 0", name="lapse_missed_positive"),
        CheckConstraint("email_retention_days > 0", name="retention_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False, default=1)
    overdue_days: Mapped[int] = mapped_column(Integer, default=10)
    lapse_missed: Mapped[int] = mapped_column(Integer, default=3)
    email_retention_days: Mapped[int] = mapped_column(Integer, default=730)
    digest_sent_on: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class PledgeAttempt(Base):
    """A public pledge made, counted per client to throttle; the client is an HMAC, never an address."""

    __tablename__ = "pledge_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    client_key: Mapped[str] = mapped_column(String(64), index=True)


class Donation(Base):
    """What a donation entry was: who gave (if known), how, and which pledge it fulfils.

    The money itself is in the journal entry; this row links it to donors and
    pledges, which the hash chain must not contain.
    """

    __tablename__ = "donations"
    __table_args__ = (
        CheckConstraint(one_of("method", DONATION_METHODS), name="method_known"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entries.id"), unique=True)
    donor_id: Mapped[int | None] = mapped_column(ForeignKey("donors.id"), index=True)
    pledge_id: Mapped[int | None] = mapped_column(ForeignKey("pledges.id"), index=True)
    prisoner_id: Mapped[int | None] = mapped_column(ForeignKey("prisoners.id"), index=True)
    method: Mapped[str] = mapped_column(String(8))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(ForeignKey("currencies.code"))
    received_on: Mapped[date] = mapped_column(Date, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # The donor link, bound to the entry under the instance's key (ledger/checkpoints/bindings.py): a donor
    # may be forgotten (donor_id NULL), never swapped for another without ``ledger verify``
    # noticing.
    donor_binding: Mapped[str | None] = mapped_column(String(64))

    entry = relationship("JournalEntry")
    donor: Mapped[Donor | None] = relationship(lazy="joined")
    pledge: Mapped[Pledge | None] = relationship()
    prisoner: Mapped[Prisoner | None] = relationship()


class ImportMapping(Base):
    """The columns of one bank account's statements, as last used at an import: the next
    import into that account starts from them (and may change them)."""

    __tablename__ = "import_mappings"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    date_column: Mapped[str] = mapped_column(String(80))
    amount_column: Mapped[str] = mapped_column(String(80))
    reference_column: Mapped[str] = mapped_column(String(80))
    currency_column: Mapped[str | None] = mapped_column(String(80))
    payer_column: Mapped[str | None] = mapped_column(String(80))
    default_currency: Mapped[str | None] = mapped_column(ForeignKey("currencies.code"))
    decimal_comma: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class StatementPreview(Base):
    """An uploaded bank statement while its preview lives (ledger/funds/statement_previews.py).

    Only ciphertext is kept: Fernet under a key derived from the instance's ``IMPORT_KEY`` and
    a random token that only the preview page holds (the table keeps the token's SHA-256), so
    neither the database nor the instance folder alone opens it.  Deleted when the import is
    posted, cancelled, or ``expires_at`` has passed.
    """

    __tablename__ = "statement_previews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    ciphertext: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)
