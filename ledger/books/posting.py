"""Posting and reversing entries: the only way anything enters the journal.

Every call is one unit of work on the caller's session: it flushes, and the
caller (request, CLI command, script) commits or rolls back.  If anything is
refused, nothing has been added to the session's pending state that the caller
could commit by mistake: checks run before the first row is added.
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple, Protocol

from sqlalchemy import Date, DateTime, select
from sqlalchemy.orm import Session, make_transient_to_detached

from ledger.books.descriptions import describe
from ledger.books.errors import (
    AccountClosed,
    AlreadyReversed,
    CurrencyMismatch,
    DuplicateEntry,
    InsufficientFunds,
    InvalidEntry,
    NotPermitted,
    OwnApproval,
    UnbalancedEntry,
)
from ledger.books.hashchain import GENESIS_HASH, HASHED_ENTRY_COLUMNS, EntryFacts, PostingFacts, entry_hash
from ledger.books.holds import pending_holds
from ledger.books.kinds import CATEGORIES, SOURCE_TYPES, SourceType
from ledger.books.models import (
    Account,
    JournalEntry,
    LedgerHead,
)
from ledger.money import Money
from ledger.platform.database import utcnow
from ledger.platform.text import TextError, clean_text

# The columns post_entry writes, in EntryFacts order (the hashed facts), then the links.
ENTRY_COLUMNS = (*HASHED_ENTRY_COLUMNS, "prev_hash", "hash")
POSTING_COLUMNS = ("entry_id", "line_no", "account_id", "currency", "amount_minor", "category", "memo")
MIN_DATE = date(2000, 1, 1)
MAX_DATE = date(2100, 12, 31)


# The role that may record a flagged advance: ``ledger.access.roles.Role.ADMIN`` (a StrEnum, so
# equal to this string; tests/test_architecture.py pins that they agree).  The core knows users
# only as a Recorder, by id and role, and imports no other area.
ADVANCE_ROLE = "admin"


class Recorder(Protocol):
    """Who records an entry: a user (``ledger.access``), seen here only by id and role."""

    @property
    def id(self) -> int: ...

    @property
    def role(self) -> str: ...


@dataclass(frozen=True)
class PostingDraft:
    """A line to post: an account (object or name), a signed Money, a category."""

    account: Account | str
    money: Money
    category: str | None = None
    memo: str | None = None


@dataclass
class EntryDraft:
    entry_date: date
    description: str
    postings: Sequence[PostingDraft]
    source_type: str = SourceType.MANUAL
    source_ref: str | None = None
    idempotency_key: str | None = None
    conversion_rate: str | None = None
    is_advance: bool = False
    reverses_id: int | None = field(default=None, repr=False)


def _text(value: object, field_name: str, *, required: bool = False, max_length: int = 500) -> str | None:
    try:
        cleaned = clean_text(value, required=required, max_length=max_length)
    except TextError as error:
        raise InvalidEntry(error.code, field=field_name, reason=error.code, **error.params) from None
    return cleaned or None


@dataclass(frozen=True)
class _AccountRow:
    """The columns of an account that posting needs, read without ORM identity bookkeeping."""

    id: int
    name: str
    type: str
    guarded: bool
    currency: str | None = None
    closed_at: object = None

    @property
    def normal_sign(self) -> int:
        return 1 if self.type in ("asset", "expense") else -1


def _resolve_accounts(
    session: Session, drafts: Sequence[PostingDraft], driver: _Driver
) -> list[Account | _AccountRow]:
    """Accounts of the postings; names are looked up together, in one query."""
    names = {draft.account for draft in drafts if isinstance(draft.account, str)}
    found = driver.accounts(names) if names else {}
    accounts: list[Account | _AccountRow] = []
    for draft in drafts:
        account = draft.account
        if isinstance(account, str):
            if account not in found:
                raise InvalidEntry("unknown account", field="account", account=account)
            accounts.append(found[account])
        elif isinstance(account, Account):
            accounts.append(account)
        else:
            raise InvalidEntry("bad account", field="account")
    return accounts


def _check_accounts(accounts: Sequence[Account | _AccountRow], drafts: Sequence[PostingDraft]) -> None:
    """A closed account takes nothing; a bank or cash account takes its own currency only."""
    for account, draft in zip(accounts, drafts, strict=True):
        if account.closed_at is not None:
            raise AccountClosed("account closed", field="account", account=account.name)
        if account.currency is not None and draft.money.currency != account.currency:
            raise CurrencyMismatch(
                "account holds another currency",
                field="account",
                account=account.name,
                expected=account.currency,
                currency=draft.money.currency,
            )


def _validate(draft: EntryDraft) -> tuple[str, str | None, str | None]:
    if not isinstance(draft.entry_date, date) or not MIN_DATE <= draft.entry_date <= MAX_DATE:
        raise InvalidEntry("date out of range", field="date", reason="date_out_of_range")
    if draft.source_type not in SOURCE_TYPES:
        raise InvalidEntry("unknown source", field="source")
    if len(draft.postings) < 2:
        raise UnbalancedEntry("an entry needs at least two postings")
    totals: dict[str, int] = defaultdict(int)
    for posting in draft.postings:
        if not isinstance(posting.money, Money):
            raise InvalidEntry("amounts must be Money", field="amount")
        if posting.money.is_zero():
            raise InvalidEntry("zero posting", field="amount")
        if posting.category is not None and posting.category not in CATEGORIES:
            raise InvalidEntry("unknown category", field="category", category=posting.category)
        totals[posting.money.currency] += posting.money.minor
    unbalanced = {currency: total for currency, total in totals.items() if total}
    if unbalanced:
        raise UnbalancedEntry("entry does not balance", totals=unbalanced)
    description = _text(draft.description, "description", required=True) or ""
    key = _text(draft.idempotency_key, "idempotency_key", max_length=200)
    source_ref = _text(draft.source_ref, "source_ref", max_length=200)
    return description, key, source_ref


class Head(NamedTuple):
    entry_count: int
    head_hash: str


class _Driver:
    """The session's own DB-API connection, with the statements of ``post_entry`` written
    out in its driver's parameter style.  Going through SQLAlchemy's statement execution cost
    0.1 to 0.3 ms per statement, more than SQLite spends running it (bench/README.md);
    the values are converted with the dialect's bind processors, so the rows are the
    ones SQLAlchemy would have written."""

    _processors: weakref.WeakKeyDictionary[Any, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = (
        weakref.WeakKeyDictionary()
    )

    def __init__(self, session: Session) -> None:
        connection = session.connection()
        self.cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        dialect = connection.dialect
        self.mark = m = "?" if dialect.paramstyle == "qmark" else "%s"
        # Built per writer, not cached: a few microseconds against the entry's milliseconds.
        self.sql = {
            "lock": "UPDATE ledger_head SET entry_count = entry_count WHERE id = 1 "
            "RETURNING entry_count, head_hash",
            "genesis": f"INSERT INTO ledger_head (id, entry_count, head_hash) VALUES (1, 0, {m})",
            "move": f"UPDATE ledger_head SET entry_count = {m}, head_hash = {m} WHERE id = 1",
            "reversed": f"SELECT id FROM journal_entries WHERE reverses_id = {m}",
            "key": f"SELECT id FROM journal_entries WHERE idempotency_key = {m}",
            "entry": f"INSERT INTO journal_entries ({', '.join(ENTRY_COLUMNS)}) "
            f"VALUES ({', '.join([m] * len(ENTRY_COLUMNS))})",
            "posting": f"INSERT INTO postings ({', '.join(POSTING_COLUMNS)}) "
            f"VALUES ({', '.join([m] * len(POSTING_COLUMNS))})",
            # One statement per (account, currency): the first posting creates the row.
            "balance": "INSERT INTO account_balances "
            "(account_id, currency, balance_minor, posting_count, debit_minor, credit_minor) "
            f"VALUES ({m}, {m}, {m}, 1, {m}, {m}) ON CONFLICT (account_id, currency) DO UPDATE SET "
            "balance_minor = account_balances.balance_minor + excluded.balance_minor, "
            "posting_count = account_balances.posting_count + 1, "
            "debit_minor = account_balances.debit_minor + excluded.debit_minor, "
            "credit_minor = account_balances.credit_minor + excluded.credit_minor",
        }
        processors = self._processors.get(dialect)
        if processors is None:
            processors = self._processors[dialect] = (
                Date().dialect_impl(dialect).bind_processor(dialect) or _same,
                DateTime().dialect_impl(dialect).bind_processor(dialect) or _same,
            )
        self.date: Callable[[Any], Any] = processors[0]
        self.datetime: Callable[[Any], Any] = processors[1]

    def one(self, name: str, params: tuple[Any, ...] = ()) -> tuple[Any, ...] | None:
        self.cursor.execute(self.sql[name], params)
        row: tuple[Any, ...] | None = self.cursor.fetchone()
        return row

    def accounts(self, names: set[str]) -> dict[str, _AccountRow]:
        marks = ", ".join([self.mark] * len(names))
        self.cursor.execute(
            f"SELECT id, name, type, guarded, currency, closed_at FROM accounts WHERE name IN ({marks})",
            tuple(names),
        )
        return {
            name: _AccountRow(i, name, kind, bool(guarded), currency, closed_at)
            for i, name, kind, guarded, currency, closed_at in self.cursor
        }

    def balances(self, keys: list[tuple[int, str]]) -> dict[tuple[int, str], int]:
        if not keys:
            return {}
        ids = sorted({account_id for account_id, _ in keys})
        self.cursor.execute(
            "SELECT account_id, currency, balance_minor FROM account_balances "
            f"WHERE account_id IN ({', '.join([self.mark] * len(ids))})",
            tuple(ids),
        )
        return {(a, c): b for a, c, b in self.cursor}


def _same(value: Any) -> Any:
    return value


def _lock_head(session: Session, driver: _Driver | None = None) -> Head:
    """Take the ledger's write lock: every writer updates the head row first.

    On PostgreSQL this is a row lock held until commit; on SQLite the UPDATE
    takes the database's write lock.  Either way, checks made after it see every
    committed entry and no other writer can slip in between check and insert.
    The UPDATE returns the head it locked (one statement).
    """
    driver = driver or _Driver(session)
    row = driver.one("lock")
    if row is None:
        driver.cursor.execute(driver.sql["genesis"], (GENESIS_HASH,))
        return Head(0, GENESIS_HASH)
    return Head(*row)


def lock_ledger(session: Session) -> None:
    """Take the ledger's write lock for a change that must not interleave with posting
    (a pending item's hold, a decision on it): held until the caller commits."""
    session.flush()
    _lock_head(session)


def _move_head(session: Session, entry_count: int, head_hash: str, driver: _Driver | None = None) -> None:
    """Write the new head; a LedgerHead loaded in this session is expired, not left stale."""
    driver = driver or _Driver(session)
    driver.cursor.execute(driver.sql["move"], (entry_count, head_hash))
    loaded = session.identity_map.get(session.identity_key(LedgerHead, 1))
    if loaded is not None:
        session.expire(loaded)


def post_entry(
    session: Session,
    draft: EntryDraft,
    *,
    recorded_by: Recorder | None = None,
    approved_by: Recorder | None = None,
) -> JournalEntry:
    """Validate, check funds, chain and write one entry; return it (flushed).

    Raises UnbalancedEntry, InvalidEntry, InsufficientFunds, DuplicateEntry or
    NotPermitted, and then nothing was written.  ``draft.is_advance`` lets a
    fund go below zero and is accepted only from an admin.  ``approved_by`` is
    the second person who signed the entry off: never its author.  Money held
    back by pending items (``books/holds.py``) is not available to the entry.
    """
    description, key, source_ref = _validate(draft)
    if draft.is_advance and getattr(recorded_by, "role", None) != ADVANCE_ROLE:
        raise NotPermitted("only an admin may record an advance", field="is_advance")
    approved_by_id = getattr(approved_by, "id", None)
    recorded_by_id = getattr(recorded_by, "id", None)
    if approved_by is not None and recorded_by_id is None:
        # Two people or none: a sign-off of an entry nobody is known to have recorded proves nothing.
        raise NotPermitted("a sign-off needs who recorded the entry", field="approved_by")
    if approved_by is not None and (approved_by_id is None or approved_by_id == recorded_by_id):
        raise OwnApproval("a second person signs off", field="approved_by")
    session.flush()  # what the session holds (a new account, a prisoner) is in the database first
    driver = _Driver(session)
    head = _lock_head(session, driver)
    # Read under the lock: an account closed by a concurrent writer is seen closed.
    accounts = _resolve_accounts(session, draft.postings, driver)
    _check_accounts(accounts, draft.postings)
    if draft.reverses_id is not None:
        already = driver.one("reversed", (draft.reverses_id,))
        if already is not None:
            raise AlreadyReversed("entry already reversed", field="entry", reversal_id=already[0])
    if key is not None and driver.one("key", (key,)) is not None:
        existing = session.scalars(select(JournalEntry).where(JournalEntry.idempotency_key == key)).one()
        raise DuplicateEntry(existing)

    deltas: dict[tuple[int, str], int] = defaultdict(int)
    for account, posting in zip(accounts, draft.postings, strict=True):
        deltas[(account.id, posting.money.currency)] += posting.money.minor
    by_id = {account.id: account for account in accounts}
    # Only money leaving a guarded account needs its balance (a gift cannot overdraw).
    drawn = [
        (account_id, currency)
        for (account_id, currency), delta in deltas.items()
        if by_id[account_id].guarded and delta * by_id[account_id].normal_sign < 0
    ]
    balances = driver.balances(drawn) if not draft.is_advance else {}
    # What pending items hold back cannot be spent again (two-person sign-off, books/holds.py).
    held = pending_holds(session, drawn) if drawn and not draft.is_advance else {}
    if not draft.is_advance:
        for (account_id, currency), delta in deltas.items():
            account = by_id[account_id]
            if not account.guarded or delta * account.normal_sign >= 0:
                continue
            hold = held.get((account_id, currency), 0)
            after = balances.get((account_id, currency), 0) + delta
            if after * account.normal_sign - hold < 0:
                available = max(0, balances.get((account_id, currency), 0) * account.normal_sign - hold)
                raise InsufficientFunds(
                    "not enough money",
                    field="amount",
                    account=account.name,
                    currency=currency,
                    available=Money.from_minor(available, currency),
                    needed=Money.from_minor(-delta * account.normal_sign, currency),
                )

    entry_id = head.entry_count + 1
    recorded_at = utcnow()
    rows: list[PostingFacts] = [
        (line_no, account.name, p.money.currency, p.money.minor, p.category, _text(p.memo, "memo"))
        for line_no, (account, p) in enumerate(zip(accounts, draft.postings, strict=True), start=1)
    ]
    facts = EntryFacts(
        id=entry_id,
        entry_date=draft.entry_date,
        description=description,
        recorded_at=recorded_at,
        recorded_by_id=recorded_by_id,
        approved_by_id=approved_by_id,
        source_type=draft.source_type,
        source_ref=source_ref,
        idempotency_key=key,
        reverses_id=draft.reverses_id,
        is_advance=draft.is_advance,
        conversion_rate=draft.conversion_rate,
    )
    digest = entry_hash(head.head_hash, facts, rows)
    entry = JournalEntry(**facts._asdict(), prev_hash=head.head_hash, hash=digest)
    driver.cursor.execute(
        driver.sql["entry"],
        (
            entry_id,
            driver.date(draft.entry_date),
            description,
            driver.datetime(recorded_at),
            *facts[4:],
            head.head_hash,
            digest,
        ),
    )
    driver.cursor.executemany(
        driver.sql["posting"],
        [
            (entry_id, line_no, account.id, currency, amount, category, memo)
            for (line_no, _, currency, amount, category, memo), account in zip(rows, accounts, strict=True)
        ],
    )
    turnover: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    for account, posting in zip(accounts, draft.postings, strict=True):
        sides = turnover[(account.id, posting.money.currency)]
        sides[0 if posting.money.minor > 0 else 1] += abs(posting.money.minor)
    driver.cursor.executemany(
        driver.sql["balance"], [(a, c, d, *turnover[(a, c)]) for (a, c), d in deltas.items()]
    )
    _move_head(session, entry_id, digest, driver)
    # The row is written; the object joins the session as persistent, as if loaded.
    make_transient_to_detached(entry)
    session.add(entry)
    session.expire(entry, ["postings"])
    return entry


def reverse_entry(
    session: Session,
    entry: JournalEntry,
    *,
    reason: str,
    recorded_by: Recorder | None = None,
    entry_date: date | None = None,
    idempotency_key: str | None = None,
) -> JournalEntry:
    """Post the mirror image of ``entry``, linked to it.  The original stays.

    A reversal that would take a fund below zero (the donation was already
    spent) is refused like any other entry.
    """
    reason = _text(reason, "reason", required=True, max_length=300) or ""
    if entry.reverses_id is not None:
        raise InvalidEntry(
            "a reversal cannot be reversed; record a new entry", field="entry", reason="reversal_of_reversal"
        )
    draft = EntryDraft(
        entry_date=entry_date or utcnow().date(),
        description=describe("reversal", entry=entry.id, reason=reason),
        postings=[
            PostingDraft(p.account, -Money.from_minor(p.amount_minor, p.currency), p.category, p.memo)
            for p in entry.postings
        ],
        source_type=SourceType.REVERSAL,
        source_ref=str(entry.id),
        idempotency_key=idempotency_key,
        conversion_rate=entry.conversion_rate,
        is_advance=entry.is_advance and getattr(recorded_by, "role", None) == ADVANCE_ROLE,
        reverses_id=entry.id,
    )
    return post_entry(session, draft, recorded_by=recorded_by)
