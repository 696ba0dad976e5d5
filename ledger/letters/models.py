"""Letter services (admin-managed, seeded by migration 0023) and the letters sent."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledger.platform.database import Base, utcnow

# Which facilities a service says it reaches, besides whole regions (only when not serves_all).
letter_service_facilities = Table(
    "letter_service_facilities",
    Base.metadata,
    Column("service_id", ForeignKey("letter_services.id", ondelete="CASCADE"), primary_key=True),
    Column("facility_id", ForeignKey("facilities.id", ondelete="CASCADE"), primary_key=True),
)


class LetterService(Base):
    """A way to get a letter to a prisoner: a website that prints and delivers it, or the post.

    Prices are in roubles, in kopecks (integer minor units); ``None`` means the price is not
    known here, so a letter through the service needs its cost given.  A service reaches every
    facility (``serves_all``) or those of ``regions`` (separated by commas) and ``facilities``.
    """

    __tablename__ = "letter_services"
    __table_args__ = (
        CheckConstraint(
            "letter_price_minor IS NULL OR letter_price_minor >= 0", name="letter_price_not_negative"
        ),
        CheckConstraint(
            "reply_form_price_minor IS NULL OR reply_form_price_minor >= 0", name="reply_price_not_negative"
        ),
        CheckConstraint(
            "image_price_minor IS NULL OR image_price_minor >= 0", name="image_price_not_negative"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    name_ru: Mapped[str] = mapped_column(String(120))
    url: Mapped[str | None] = mapped_column(String(300))
    letter_price_minor: Mapped[int | None] = mapped_column(BigInteger)
    reply_form_price_minor: Mapped[int | None] = mapped_column(BigInteger)
    image_price_minor: Mapped[int | None] = mapped_column(BigInteger)
    serves_all: Mapped[bool] = mapped_column(Boolean, default=True)
    regions: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    facilities = relationship("Facility", secondary=letter_service_facilities, order_by="Facility.name")

    @property
    def region_list(self) -> list[str]:
        return [part.strip() for part in (self.regions or "").split(",") if part.strip()]

    def label(self, locale: str) -> str:
        return self.name_ru if locale == "ru" and self.name_ru else self.name


class Letter(Base):
    """A letter sent to (or paid for) a prisoner.  A paid one points at its spending entry, or
    at the sign-off item (``approval_id``) that posts it once approved; a free one at neither."""

    __tablename__ = "letters"
    __table_args__ = (
        CheckConstraint("pages > 0", name="pages_positive"),
        CheckConstraint("images >= 0", name="images_not_negative"),
        CheckConstraint("cost_minor >= 0", name="cost_not_negative"),
        CheckConstraint("replied_on IS NULL OR replied_on >= sent_on", name="reply_after_sending"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    prisoner_id: Mapped[int] = mapped_column(ForeignKey("prisoners.id"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("letter_services.id"), index=True)
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("facilities.id"))
    sent_on: Mapped[date] = mapped_column(Date, index=True)
    pages: Mapped[int] = mapped_column(Integer, default=1)
    images: Mapped[int] = mapped_column(Integer, default=0)
    reply_form: Mapped[bool] = mapped_column(Boolean, default=False)
    cost_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    currency: Mapped[str] = mapped_column(ForeignKey("currencies.code"))
    paid_from_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entries.id"), unique=True)
    approval_id: Mapped[int | None] = mapped_column(ForeignKey("approvals.id"), unique=True)
    replied_on: Mapped[date | None] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)

    prisoner = relationship("Prisoner", lazy="joined")
    service: Mapped[LetterService] = relationship(lazy="joined")
    facility = relationship("Facility")
    paid_from = relationship("Account")
    entry = relationship("JournalEntry")
    approval = relationship("Approval")
    recorded_by = relationship("User")

    @property
    def paid(self) -> bool:
        return self.cost_minor > 0
