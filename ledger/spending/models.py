"""What spending entries carry besides money: parcel details and receipt files."""

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

from ledger.platform.database import Base, utcnow
from ledger.spending.kinds import PARCEL_KINDS, PARCEL_OUTCOMES, RULE_CONDITIONS


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


class Parcel(Base):
    """Details of a parcel sent to a prisoner, attached to the disbursement that paid for it."""

    __tablename__ = "parcels"
    __table_args__ = (
        CheckConstraint("total_grams > 0", name="total_grams_positive"),
        # Added by migration 0012: a CHECK on PostgreSQL, a trigger on SQLite.
        CheckConstraint(_in("kind", PARCEL_KINDS), name="kind_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entries.id"), unique=True)
    prisoner_id: Mapped[int] = mapped_column(ForeignKey("prisoners.id"), index=True)
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("facilities.id"), index=True)
    sent_on: Mapped[date] = mapped_column(Date, index=True)
    tracking_number: Mapped[str | None] = mapped_column(String(64))
    total_grams: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(12), default="parcel", server_default="parcel")
    # Medicines sent on a medical conclusion do not count (УИК ст. 90 ч. 3).
    medical: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # Why a parcel beyond the quota or the weight limit was allowed, as the coordinator said.
    override_reason: Mapped[str | None] = mapped_column(Text)

    outcome: Mapped[ParcelOutcome | None] = relationship(
        back_populates="parcel", uselist=False, lazy="joined"
    )
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
    # The receipt's entry and file bound under the instance's key (ledger/checkpoints/bindings.py): a
    # receipt moved to another entry fails ``ledger verify``.
    binding: Mapped[str | None] = mapped_column(String(64))

    entry = relationship("JournalEntry")
    uploaded_by = relationship("User")

    @property
    def storage_name(self) -> str:
        extension = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "application/pdf": "pdf"}
        return f"{self.sha256[:2]}/{self.sha256}.{extension[self.content_type]}"


class ParcelOutcome(Base):
    """What became of a parcel: delivered, returned or confiscated, with its proof.

    The inventory form's scan (опись вложения) is a receipt of the parcel's entry; a
    returned parcel's money, once the post office refunds it, is ``refund_entry_id``.
    """

    __tablename__ = "parcel_outcomes"
    __table_args__ = (CheckConstraint(_in("outcome", PARCEL_OUTCOMES), name="outcome_known"),)

    parcel_id: Mapped[int] = mapped_column(ForeignKey("parcels.id"), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(12))
    occurred_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    inventory_receipt_id: Mapped[int | None] = mapped_column(ForeignKey("receipts.id"))
    refund_entry_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entries.id"), unique=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    parcel: Mapped[Parcel] = relationship(back_populates="outcome")
    inventory_receipt = relationship("Receipt")
    refund_entry = relationship("JournalEntry")


class ParcelRule(Base):
    """How many parcels and small parcels a year, and how heavy, for a kind and regime of
    facility and the prisoner's conditions of detention.  NULL means no limit.

    Seeded by migration 0012 with the Penal Enforcement Code's numbers (the sources are in
    ledger/spending/parcel_law.py and in ``legal_basis``); admins edit them.
    """

    __tablename__ = "parcel_rules"
    __table_args__ = (
        UniqueConstraint(
            "facility_kind", "regime", "conditions", name="uq_parcel_rules_kind_regime_conditions"
        ),
        CheckConstraint(_in("conditions", RULE_CONDITIONS), name="conditions_known"),
        CheckConstraint("parcels_per_year IS NULL OR parcels_per_year >= 0", name="parcels_not_negative"),
        CheckConstraint(
            "small_parcels_per_year IS NULL OR small_parcels_per_year >= 0", name="small_parcels_not_negative"
        ),
        CheckConstraint("max_parcel_grams IS NULL OR max_parcel_grams > 0", name="parcel_grams_positive"),
        CheckConstraint(
            "max_small_parcel_grams IS NULL OR max_small_parcel_grams > 0", name="small_parcel_grams_positive"
        ),
        CheckConstraint(
            "max_grams_per_month IS NULL OR max_grams_per_month > 0", name="grams_per_month_positive"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    facility_kind: Mapped[str] = mapped_column(String(20))
    regime: Mapped[str] = mapped_column(String(20))
    conditions: Mapped[str] = mapped_column(String(12))
    parcels_per_year: Mapped[int | None] = mapped_column(Integer)
    small_parcels_per_year: Mapped[int | None] = mapped_column(Integer)
    max_parcel_grams: Mapped[int | None] = mapped_column(Integer)
    max_small_parcel_grams: Mapped[int | None] = mapped_column(Integer)
    max_grams_per_month: Mapped[int | None] = mapped_column(Integer)
    exemptions: Mapped[str] = mapped_column(String(100), default="", server_default="")
    legal_basis: Mapped[str | None] = mapped_column(Text)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)

    @property
    def exempt(self) -> set[str]:
        return {name for name in (self.exemptions or "").split(",") if name}


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
