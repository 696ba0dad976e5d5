"""Tables of the double-entry journal.

Amounts are integers of the currency's minor units.  Entries and postings are
append-only: the migrations install triggers that refuse UPDATE and DELETE on
both SQLite and PostgreSQL.  Their closed vocabularies (categories, sources) are
reference tables with a row per StrEnum member, so a new member is an INSERT in a
migration, never a rebuild of the journal (migration 0025_vocabularies).
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
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledger.books.kinds import ACCOUNT_TYPES, ASSET_KINDS
from ledger.platform.database import Base, one_of, utcnow


class Currency(Base):
    """ISO 4217 currencies the ledger may use, with their minor units."""

    __tablename__ = "currencies"
    __table_args__ = (
        CheckConstraint("minor_units BETWEEN 0 AND 4", name="minor_units_range"),
        CheckConstraint("code GLOB '[A-Z][A-Z][A-Z]'", name="code_shape").ddl_if(dialect="sqlite"),
        CheckConstraint("code ~ '^[A-Z]{3}$'", name="code_shape").ddl_if(dialect="postgresql"),
    )

    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    minor_units: Mapped[int] = mapped_column(Integer)


class PostingCategory(Base):
    """A posting category (``ledger.books.kinds.Category``): one row per member, each added by
    a migration; ``postings.category`` refers to it."""

    __tablename__ = "categories"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)


class EntrySource(Base):
    """Where an entry came from (``ledger.books.kinds.SourceType``), as ``PostingCategory``."""

    __tablename__ = "source_types"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)


class Account(Base):
    """A ledger account, named hledger-style (``liabilities:funds:prisoner:slug``)."""

    __tablename__ = "accounts"
    __table_args__ = (
        CheckConstraint(one_of("type", ACCOUNT_TYPES), name="type_known"),
        CheckConstraint("length(name) BETWEEN 3 AND 200", name="name_length"),
        CheckConstraint("kind IS NULL OR " + one_of("kind", ASSET_KINDS), name="kind_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    type: Mapped[str] = mapped_column(String(16))
    # Guarded accounts may never cross to the wrong side: a fund below zero, a
    # coordinator spending cash they do not hold.  Only a flagged advance may.
    guarded: Mapped[bool] = mapped_column(Boolean, default=False)
    prisoner_id: Mapped[int | None] = mapped_column(ForeignKey("prisoners.id"), index=True)
    label: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Asset accounts only (migration 0008_accounts): the kind; the one currency a bank or cash
    # account holds (None: any, for Stripe and intermediaries); the Russian label; the
    # coordinator whose cash it is; when it was closed (at zero, never reopened).
    kind: Mapped[str | None] = mapped_column(String(16))
    currency: Mapped[str | None] = mapped_column(ForeignKey("currencies.code"))
    label_ru: Mapped[str | None] = mapped_column(String(200))
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)

    prisoner = relationship("Prisoner", back_populates="fund_account")
    holder = relationship("User")

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def label_for(self, locale: str | None) -> str | None:
        """The label in ``locale`` (ru or en), falling back to the other one."""
        if locale and locale.startswith("ru"):
            return self.label_ru or self.label
        return self.label or self.label_ru

    @property
    def normal_sign(self) -> int:
        """+1 where a positive (debit) balance is normal, -1 for credit accounts."""
        return 1 if self.type in ("asset", "expense") else -1

    def __repr__(self) -> str:
        return f"<Account {self.name}>"


class JournalEntry(Base):
    """One balanced, hash-chained transaction.  ``id`` is its place in the chain."""

    __tablename__ = "journal_entries"
    __table_args__ = (
        CheckConstraint("id > 0", name="id_positive"),
        CheckConstraint("length(hash) = 64", name="hash_length"),
        CheckConstraint("length(prev_hash) = 64", name="prev_hash_length"),
        CheckConstraint("reverses_id IS NULL OR reverses_id < id", name="reverses_earlier"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    entry_date: Mapped[date] = mapped_column(Date, index=True)
    description: Mapped[str] = mapped_column(String(500))
    recorded_at: Mapped[datetime] = mapped_column(DateTime)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The second person who signed the entry off (two-person sign-off, migration 0011);
    # hashed only when present, so entries recorded before it keep their hashes.
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    source_type: Mapped[str] = mapped_column(ForeignKey("source_types.code"))
    source_ref: Mapped[str | None] = mapped_column(String(200), index=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entries.id"), unique=True)
    is_advance: Mapped[bool] = mapped_column(Boolean, default=False)
    # An exchange rate as a decimal string: SQLite would store a Numeric as a float.
    conversion_rate: Mapped[str | None] = mapped_column(String(40))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    postings: Mapped[list[Posting]] = relationship(
        back_populates="entry", order_by="Posting.line_no", lazy="selectin"
    )
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])
    approved_by = relationship("User", foreign_keys=[approved_by_id])
    reverses: Mapped[JournalEntry | None] = relationship(
        remote_side=[id], foreign_keys=[reverses_id], back_populates="reversed_by"
    )
    reversed_by: Mapped[JournalEntry | None] = relationship(
        back_populates="reverses", foreign_keys=[reverses_id], uselist=False
    )


class Posting(Base):
    """One signed line of an entry: debit positive, credit negative."""

    __tablename__ = "postings"
    __table_args__ = (
        CheckConstraint("amount_minor <> 0", name="amount_nonzero"),
        UniqueConstraint("entry_id", "line_no", name="uq_postings_entry_line"),
        Index("ix_postings_account_currency_entry", "account_id", "currency", "entry_id"),
        # The general journal filters by category (reports; migration 0005_reports).
        Index("ix_postings_category_entry", "category", "entry_id"),
        # Sums per account and currency from the index alone (trial balance; 0013_perf).
        Index("ix_postings_account_currency_amount", "account_id", "currency", "amount_minor"),
        # An account's ledger in chain order (migration 0017).
        Index("ix_postings_account_entry_line", "account_id", "entry_id", "line_no"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entries.id"))
    line_no: Mapped[int] = mapped_column(Integer)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    currency: Mapped[str] = mapped_column(ForeignKey("currencies.code"))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    category: Mapped[str | None] = mapped_column(ForeignKey("categories.code"))
    memo: Mapped[str | None] = mapped_column(String(500))

    entry: Mapped[JournalEntry] = relationship(back_populates="postings")
    account: Mapped[Account] = relationship(lazy="joined")


class AccountBalance(Base):
    """Running balance and turnover per (account, currency), updated with every posting.

    ``debit_minor`` and ``credit_minor`` are the sums of the positive and (made positive)
    negative postings, so the trial balance reads the whole journal's debits and credits
    without summing every posting.  Derived data: ``ledger verify`` recomputes it all
    from the postings.
    """

    __tablename__ = "account_balances"
    __table_args__ = (
        CheckConstraint("debit_minor >= 0", name="debit_not_negative"),
        CheckConstraint("credit_minor >= 0", name="credit_not_negative"),
    )

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    currency: Mapped[str] = mapped_column(ForeignKey("currencies.code"), primary_key=True)
    balance_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    posting_count: Mapped[int] = mapped_column(Integer, default=0)
    debit_minor: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    credit_minor: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")

    account: Mapped[Account] = relationship(lazy="joined")


class LedgerHead(Base):
    """The single row holding the chain's head, the audit log's head and the latest
    checkpoint's.  Writers lock it to serialise posting (and recording audit events)."""

    __tablename__ = "ledger_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    entry_count: Mapped[int] = mapped_column(Integer, default=0)
    head_hash: Mapped[str] = mapped_column(String(64))
    # The audit log's chain (ledger/access/audit.py): how many events, the last one's hash.
    audit_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    audit_hash: Mapped[str] = mapped_column(String(64), default="0" * 64, server_default="0" * 64)
    # The latest signed checkpoint (ledger/checkpoints/seal.py): its sequence and the SHA-256
    # of its signed document, so that deleting it is noticed (0: none yet).
    checkpoint_sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    checkpoint_digest: Mapped[str | None] = mapped_column(String(64))
