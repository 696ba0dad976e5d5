"""Tables of the signed checkpoints: the checkpoint itself, the balances it fixes, and the
admins' schedule.  Checkpoints and their balances are append-only (database triggers)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ledger.platform.database import Base, utcnow

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


class Release(Base):
    """What one checkpoint published (docs/privacy.md, "Releases"): the disclosure rules it
    applied and the digest of its public content, which the checkpoint signs."""

    __tablename__ = "releases"
    __table_args__ = (
        CheckConstraint("min_gifts > 0", name="min_gifts_positive"),
        CheckConstraint("dominance_percent > 0 AND dominance_percent <= 100", name="dominance_range"),
        CheckConstraint("length(digest) = 64", name="digest_length"),
    )

    sequence: Mapped[int] = mapped_column(ForeignKey("checkpoints.sequence"), primary_key=True)
    released_on: Mapped[date] = mapped_column(Date)
    min_gifts: Mapped[int] = mapped_column(Integer)
    dominance_percent: Mapped[int] = mapped_column(Integer)
    # Every entry below this id was published by this release or an earlier one.
    held_from: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))


class PublishedEntry(Base):
    """The release that first published an entry, the day its amounts count on in public
    figures, and how it is shown: ``gift`` (only inside a cell of enough gifts), ``line``
    (listed one by one) or ``unlisted`` (card-processor payouts: counted, never listed)."""

    __tablename__ = "published_entries"
    __table_args__ = (CheckConstraint("role IN ('gift', 'line', 'unlisted')", name="role_known"),)

    entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entries.id"), primary_key=True)
    sequence: Mapped[int] = mapped_column(ForeignKey("releases.sequence"), index=True)
    counted_on: Mapped[date] = mapped_column(Date)
    role: Mapped[str] = mapped_column(String(10))


class PublishedBalance(Base):
    """Every account's non-zero balance over the entries published up to a release: the
    public balances (never a live balance, which would hold unpublished gifts)."""

    __tablename__ = "published_balances"
    __table_args__ = (CheckConstraint("balance_minor <> 0", name="balance_nonzero"),)

    sequence: Mapped[int] = mapped_column(ForeignKey("releases.sequence"), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    currency: Mapped[str] = mapped_column(ForeignKey("currencies.code"), primary_key=True)
    balance_minor: Mapped[int] = mapped_column(BigInteger)


class ReleaseFund(Base):
    """One fund and currency in one release: what it published (a cell of gifts and the
    closing balance) or why it waits (``waiting``: too_few, dominant or linked)."""

    __tablename__ = "release_funds"
    __table_args__ = (
        CheckConstraint("gift_count >= 0 AND waiting_gifts >= 0", name="counts_positive"),
        CheckConstraint(
            "waiting IS NULL OR waiting IN ('too_few', 'dominant', 'linked')", name="waiting_known"
        ),
    )

    sequence: Mapped[int] = mapped_column(ForeignKey("releases.sequence"), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    currency: Mapped[str] = mapped_column(ForeignKey("currencies.code"), primary_key=True)
    gifts_minor: Mapped[int] = mapped_column(BigInteger)
    gift_count: Mapped[int] = mapped_column(Integer)
    closing_minor: Mapped[int] = mapped_column(BigInteger)
    waiting: Mapped[str | None] = mapped_column(String(10))
    waiting_gifts: Mapped[int] = mapped_column(Integer)
    # The release whose gifts the closing balance includes (this one unless it waits).
    gifts_as_of: Mapped[int] = mapped_column(Integer)


class ReleaseCell(Base):
    """A cell of gifts a release published for one fund and currency: their sum (net of
    fees, refunds and reversals), how many anonymous gifts, and the day it counts on."""

    __tablename__ = "release_cells"
    __table_args__ = (CheckConstraint("gift_count >= 0", name="count_positive"),)

    sequence: Mapped[int] = mapped_column(ForeignKey("releases.sequence"), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    currency: Mapped[str] = mapped_column(ForeignKey("currencies.code"), primary_key=True)
    counted_on: Mapped[date] = mapped_column(Date, primary_key=True)
    gifts_minor: Mapped[int] = mapped_column(BigInteger)
    gift_count: Mapped[int] = mapped_column(Integer)


class ReleaseLine(Base):
    """The public content of a release exactly as it was signed: one canonical JSON line
    each (an entry listed one by one, or a fund's published figures)."""

    __tablename__ = "release_lines"

    sequence: Mapped[int] = mapped_column(ForeignKey("releases.sequence"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    body: Mapped[str] = mapped_column(Text)
