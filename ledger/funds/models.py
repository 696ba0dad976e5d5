"""Prisoners, the facilities that hold them, and their funds."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledger.database import Base, utcnow

PRISONER_STATUSES = ("awaiting_trial", "sentenced", "released")


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
        CheckConstraint(
            "status IN ('awaiting_trial', 'sentenced', 'released')", name="status_known"
        ),
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
