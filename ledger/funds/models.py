"""Prisoners, the facilities that hold them, and their funds."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledger.database import Base, one_of, utcnow
from ledger.funds.kinds import (
    DONATION_METHODS,
    PLEDGE_FREQUENCIES,
    PLEDGE_STATUSES,
    PRISONER_STATUSES,
)


class Facility(Base):
    """A detention facility; its limits are checked before a parcel is recorded."""

    __tablename__ = "facilities"
    __table_args__ = (
        CheckConstraint("max_parcel_grams IS NULL OR max_parcel_grams > 0", name="max_grams_positive"),
        CheckConstraint(
            "max_parcels_per_month IS NULL OR max_parcels_per_month > 0", name="max_parcels_positive"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    address: Mapped[str | None] = mapped_column(Text)
    region: Mapped[str | None] = mapped_column(String(120))
    max_parcel_grams: Mapped[int | None] = mapped_column(Integer)
    max_parcels_per_month: Mapped[int | None] = mapped_column(Integer)

    prisoners: Mapped[list[Prisoner]] = relationship(back_populates="facility")


class Prisoner(Base):
    """A person we support.  Hidden prisoners never appear on public pages or JSON."""

    __tablename__ = "prisoners"
    __table_args__ = (
        CheckConstraint(one_of("status", PRISONER_STATUSES), name="status_known"),
        CheckConstraint("monthly_need_minor IS NULL OR monthly_need_minor >= 0", name="need_positive"),
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

    facility: Mapped[Facility | None] = relationship(back_populates="prisoners", lazy="joined")
    fund_account = relationship("Account", back_populates="prisoner", uselist=False)


class Donor(Base):
    """Someone who gives.  Anonymous by default; we keep as little as possible.

    ``email`` is kept only when the donor gives it (for receipts) and can be
    purged without touching the ledger; it never goes into anything hashed or
    exported.  ``public_name`` is what public pages may show, if the donor chose one.
    """

    __tablename__ = "donors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_name: Mapped[str | None] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    stripe_customer_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    purged_at: Mapped[datetime | None] = mapped_column(DateTime)

    pledges: Mapped[list[Pledge]] = relationship(back_populates="donor")


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
    status: Mapped[str] = mapped_column(String(12), default="active")
    stripe_subscription_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    donor: Mapped[Donor] = relationship(back_populates="pledges", lazy="joined")
    prisoner: Mapped[Prisoner | None] = relationship(lazy="joined")


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

    entry = relationship("JournalEntry")
    donor: Mapped[Donor | None] = relationship(lazy="joined")
    pledge: Mapped[Pledge | None] = relationship()
    prisoner: Mapped[Prisoner | None] = relationship()
