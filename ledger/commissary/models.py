"""Commissary support: transfers to a prisoner's personal account at the facility (лицевой
счёт), the monthly limits of what a prisoner may spend from them, monthly top-ups and the
monthly top-up run.  The money itself is in the journal (see ledger/commissary/transfers.py
and docs/accounts.md); these rows say what each entry was for and where a transfer stands.
"""

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

from ledger.commissary.kinds import (
    CHANNELS,
    LIMIT_CONDITIONS,
    RUN_STATUSES,
    SKIP_REASONS,
    TRANSFER_STATUSES,
    TransferStatus,
)
from ledger.money import Money
from ledger.platform.database import Base, one_of, utcnow


class CommissaryTransfer(Base):
    """Money sent to a prisoner's personal account: in transit, then credited or returned.

    ``sent_entry_id`` moved the money from the asset paid from into
    ``assets:in-transit:commissary-<currency>`` (and the fee out of the fund);
    ``settled_entry_id`` is the credit (commissary spending of the fund) or the return.
    A line of a monthly run carries ``run_month``: one per prisoner and month.
    """

    __tablename__ = "commissary_transfers"
    __table_args__ = (
        CheckConstraint(one_of("channel", CHANNELS), name="channel_known"),
        CheckConstraint(one_of("status", TRANSFER_STATUSES), name="status_known"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("fee_minor >= 0", name="fee_not_negative"),
        CheckConstraint(
            "(status = 'in_transit') = (settled_on IS NULL)",
            name="settled_when_closed",
        ),
        UniqueConstraint("prisoner_id", "run_month", name="uq_commissary_transfers_prisoner_month"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    prisoner_id: Mapped[int] = mapped_column(ForeignKey("prisoners.id"), index=True)
    # The prisoner's fund: while the transfer is in transit, its amount is held back there.
    fund_account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("facilities.id"))
    channel: Mapped[str] = mapped_column(String(20))
    currency: Mapped[str] = mapped_column(ForeignKey("currencies.code"))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    fee_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    paid_from_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    sent_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default=TransferStatus.IN_TRANSIT, index=True)
    sent_entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entries.id"), unique=True)
    settled_entry_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entries.id"), unique=True)
    settled_on: Mapped[date | None] = mapped_column(Date)
    return_reason: Mapped[str | None] = mapped_column(String(500))
    # Why a transfer beyond the month's limit was allowed; shown to auditors.
    over_limit_reason: Mapped[str | None] = mapped_column(String(500))
    memo: Mapped[str | None] = mapped_column(String(500))
    run_month: Mapped[str | None] = mapped_column(String(7))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    prisoner = relationship("Prisoner", lazy="joined")
    facility = relationship("Facility")
    paid_from = relationship("Account", foreign_keys=[paid_from_id], lazy="joined")

    @property
    def money(self) -> Money:
        return Money.from_minor(self.amount_minor, self.currency)

    @property
    def fee(self) -> Money:
        return Money.from_minor(self.fee_minor, self.currency)


class CommissaryLimit(Base):
    """What a prisoner may spend a month from money sent to their personal account, for a
    kind and regime of facility and the conditions of detention (NULL: no limit).

    Seeded by migration 0022 from the Penal Enforcement Code (sources in
    ledger/commissary/limits.py and ``legal_basis``); admins edit them.
    """

    __tablename__ = "commissary_limits"
    __table_args__ = (
        UniqueConstraint(
            "facility_kind", "regime", "conditions", name="uq_commissary_limits_kind_regime_conditions"
        ),
        CheckConstraint(one_of("conditions", LIMIT_CONDITIONS), name="conditions_known"),
        CheckConstraint("amount_minor IS NULL OR amount_minor >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    facility_kind: Mapped[str] = mapped_column(String(20))
    regime: Mapped[str] = mapped_column(String(20))
    conditions: Mapped[str] = mapped_column(String(12))
    currency: Mapped[str] = mapped_column(ForeignKey("currencies.code"))
    amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    legal_basis: Mapped[str | None] = mapped_column(Text)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)

    @property
    def limit(self) -> Money | None:
        return None if self.amount_minor is None else Money.from_minor(self.amount_minor, self.currency)


class CommissaryTopUp(Base):
    """A prisoner's monthly top-up: what the monthly run sends, how, and from which account."""

    __tablename__ = "commissary_topups"
    __table_args__ = (
        CheckConstraint(one_of("channel", CHANNELS), name="channel_known"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("fee_minor >= 0", name="fee_not_negative"),
    )

    prisoner_id: Mapped[int] = mapped_column(ForeignKey("prisoners.id"), primary_key=True)
    currency: Mapped[str] = mapped_column(ForeignKey("currencies.code"))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    fee_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    channel: Mapped[str] = mapped_column(String(20))
    paid_from_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    prisoner = relationship("Prisoner", lazy="joined")
    paid_from = relationship("Account", lazy="joined")

    @property
    def money(self) -> Money:
        return Money.from_minor(self.amount_minor, self.currency)

    @property
    def fee(self) -> Money:
        return Money.from_minor(self.fee_minor, self.currency)


class CommissaryRun(Base):
    """A month's top-up run: prepared by one person, approved as a whole by another."""

    __tablename__ = "commissary_runs"
    __table_args__ = (
        CheckConstraint(one_of("status", RUN_STATUSES), name="status_known"),
        CheckConstraint(
            "(status = 'approved') = (approved_by_id IS NOT NULL AND approved_at IS NOT NULL)",
            name="approved_when_approved",
        ),
        CheckConstraint("approved_by_id IS NULL OR approved_by_id != prepared_by_id", name="second_person"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[str] = mapped_column(String(7), index=True)
    status: Mapped[str] = mapped_column(String(12), default="prepared")
    prepared_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    prepared_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime)

    prepared_by = relationship("User", foreign_keys=[prepared_by_id], lazy="joined")
    approved_by = relationship("User", foreign_keys=[approved_by_id], lazy="joined")
    lines: Mapped[list[CommissaryRunLine]] = relationship(
        back_populates="run", order_by="CommissaryRunLine.id", lazy="selectin"
    )
    log: Mapped[list[CommissaryRunLog]] = relationship(order_by="CommissaryRunLog.id", lazy="selectin")


class CommissaryRunLine(Base):
    """One prisoner in a run: what would be sent, or why not; the transfer once posted."""

    __tablename__ = "commissary_run_lines"
    __table_args__ = (
        CheckConstraint(one_of("channel", CHANNELS), name="channel_known"),
        CheckConstraint(f"skip_reason IS NULL OR {one_of('skip_reason', SKIP_REASONS)}", name="skip_known"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("transfer_id IS NULL OR skip_reason IS NULL", name="posted_only_when_sent"),
        UniqueConstraint("run_id", "prisoner_id", name="uq_commissary_run_lines_run_prisoner"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("commissary_runs.id"), index=True)
    prisoner_id: Mapped[int] = mapped_column(ForeignKey("prisoners.id"))
    currency: Mapped[str] = mapped_column(ForeignKey("currencies.code"))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    fee_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    channel: Mapped[str] = mapped_column(String(20))
    paid_from_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    skip_reason: Mapped[str | None] = mapped_column(String(24))
    transfer_id: Mapped[int | None] = mapped_column(ForeignKey("commissary_transfers.id"), unique=True)

    run: Mapped[CommissaryRun] = relationship(back_populates="lines")
    prisoner = relationship("Prisoner", lazy="joined")
    paid_from = relationship("Account", lazy="joined")
    transfer = relationship("CommissaryTransfer")

    @property
    def money(self) -> Money:
        return Money.from_minor(self.amount_minor, self.currency)

    @property
    def fee(self) -> Money:
        return Money.from_minor(self.fee_minor, self.currency)


class CommissaryRunLog(Base):
    """What happened to a run, in order: prepared, each line posted or skipped, approved."""

    __tablename__ = "commissary_run_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("commissary_runs.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    event: Mapped[str] = mapped_column(String(40))
    prisoner_id: Mapped[int | None] = mapped_column(ForeignKey("prisoners.id"))
    transfer_id: Mapped[int | None] = mapped_column(ForeignKey("commissary_transfers.id"))
    detail: Mapped[str | None] = mapped_column(String(500))
