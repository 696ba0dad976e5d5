"""Tables of the signed checkpoints: the checkpoint itself, the balances it fixes, and the
admins' schedule.  Checkpoints and their balances are append-only (database triggers)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ledger.database import Base, utcnow

SCHEDULES = ("daily", "weekly", "monthly")
DEFAULT_SCHEDULE = "daily"


class Checkpoint(Base):
    """One signed statement of the chain: ``entry_count`` entries ending in ``head_hash``.

    ``document`` is the exact JSON that was signed (the checkpoint without its signature,
    keys sorted, no whitespace); the other columns repeat its fields for queries.
    """

    __tablename__ = "checkpoints"
    __table_args__ = (
        CheckConstraint("sequence > 0", name="sequence_positive"),
        CheckConstraint("entry_count >= 0", name="entry_count_positive"),
        CheckConstraint("length(head_hash) = 64", name="head_hash_length"),
    )

    sequence: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    entry_count: Mapped[int] = mapped_column(Integer, index=True)
    head_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    public_key: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(String(16))
    balances_digest: Mapped[str] = mapped_column(String(64))
    document: Mapped[str] = mapped_column(Text)
    signature: Mapped[str] = mapped_column(String(100))


class CheckpointBalance(Base):
    """Every account's non-zero balance per currency at a checkpoint (the public figures)."""

    __tablename__ = "checkpoint_balances"
    __table_args__ = (CheckConstraint("balance_minor <> 0", name="balance_nonzero"),)

    sequence: Mapped[int] = mapped_column(ForeignKey("checkpoints.sequence"), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    currency: Mapped[str] = mapped_column(ForeignKey("currencies.code"), primary_key=True)
    balance_minor: Mapped[int] = mapped_column(BigInteger)


class CheckpointSchedule(Base):
    """How often checkpoints are made (the admins' choice); no row means daily."""

    __tablename__ = "checkpoint_schedule"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint("every IN ('daily', 'weekly', 'monthly')", name="every_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    every: Mapped[str] = mapped_column(String(10), default=DEFAULT_SCHEDULE)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
