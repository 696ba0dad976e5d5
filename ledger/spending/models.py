"""What spending entries carry besides money: parcel details and receipt files."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledger.database import Base, utcnow


class Parcel(Base):
    """Details of a parcel sent to a prisoner, attached to the disbursement that paid for it."""

    __tablename__ = "parcels"
    __table_args__ = (CheckConstraint("total_grams > 0", name="total_grams_positive"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entries.id"), unique=True)
    prisoner_id: Mapped[int] = mapped_column(ForeignKey("prisoners.id"), index=True)
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("facilities.id"), index=True)
    sent_on: Mapped[date] = mapped_column(Date, index=True)
    tracking_number: Mapped[str | None] = mapped_column(String(64))
    total_grams: Mapped[int] = mapped_column(Integer)

    items: Mapped[list[ParcelItem]] = relationship(back_populates="parcel", order_by="ParcelItem.id")
    facility = relationship("Facility")
    entry = relationship("JournalEntry")


class ParcelItem(Base):
    __tablename__ = "parcel_items"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("grams >= 0", name="grams_not_negative"),
        CheckConstraint("cost_minor >= 0", name="cost_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    parcel_id: Mapped[int] = mapped_column(ForeignKey("parcels.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(Integer)
    grams: Mapped[int] = mapped_column(Integer)
    cost_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(ForeignKey("currencies.code"))

    parcel: Mapped[Parcel] = relationship(back_populates="items")


class Receipt(Base):
    """A receipt file (sanitised image or PDF) for an entry, known by its SHA-256."""

    __tablename__ = "receipts"
    __table_args__ = (
        UniqueConstraint("entry_id", "sha256", name="uq_receipts_entry_sha256"),
        CheckConstraint("length(sha256) = 64", name="sha256_length"),
        CheckConstraint("size_bytes > 0", name="size_positive"),
        CheckConstraint(
            "content_type IN ('image/jpeg', 'image/png', 'image/webp', 'application/pdf')",
            name="content_type_known",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entries.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int] = mapped_column(Integer)
    original_name: Mapped[str | None] = mapped_column(String(200))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    entry = relationship("JournalEntry")
    uploaded_by = relationship("User")

    @property
    def storage_name(self) -> str:
        extension = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "application/pdf": "pdf"}
        return f"{self.sha256[:2]}/{self.sha256}.{extension[self.content_type]}"


class ApprovalReceipt(Base):
    """A receipt attached while an item waits for sign-off; copied to the entry when it is posted."""

    __tablename__ = "approval_receipts"
    __table_args__ = (
        UniqueConstraint("approval_id", "sha256", name="uq_approval_receipts_approval_sha256"),
        CheckConstraint("length(sha256) = 64", name="sha256_length"),
        CheckConstraint("size_bytes > 0", name="size_positive"),
        CheckConstraint(
            "content_type IN ('image/jpeg', 'image/png', 'image/webp', 'application/pdf')",
            name="content_type_known",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    approval_id: Mapped[int] = mapped_column(ForeignKey("approvals.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int] = mapped_column(Integer)
    original_name: Mapped[str | None] = mapped_column(String(200))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    uploaded_by = relationship("User")

    @property
    def storage_name(self) -> str:
        extension = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "application/pdf": "pdf"}
        return f"{self.sha256[:2]}/{self.sha256}.{extension[self.content_type]}"
