"""The general journal for auditors: entries filtered by date, account, category or
prisoner, a page at a time, and account ledgers with running balances."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import ScalarSelect, Select, and_, func, select, true, tuple_
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from ledger.access.models import User
from ledger.books.accounts import fund_account_name
from ledger.books.models import Account, JournalEntry, Posting
from ledger.books.streaming import converters
from ledger.money import CURRENCIES, minor_text
from ledger.reports.journal_rows import account_facts, journal_batches
from ledger.reports.periods import Period


@dataclass(frozen=True)
class JournalFilter:
    period: Period = Period()
    account: str | None = None  # an account name, or a prefix ending with ":"
    category: str | None = None
    prisoner_slug: str | None = None

    def posting_conditions(self) -> list[ColumnElement[bool]]:
        """Conditions on ``postings`` alone.  An account is its id, looked up first, so that
        the planner reads that account's postings as one index range in entry order (joined
        by name, PostgreSQL guessed a thousand rows and hashed 225,000 instead, #17)."""
        conditions: list[ColumnElement[bool]] = []
        if self.account:
            if self.account.endswith(":"):
                named = select(Account.id).where(Account.name.startswith(self.account))
                conditions.append(Posting.account_id.in_(named))
            else:
                conditions.append(Posting.account_id == _account_id(self.account))
        if self.category:
            conditions.append(Posting.category == self.category)
        if self.prisoner_slug:
            conditions.append(Posting.account_id == _account_id(fund_account_name(self.prisoner_slug)))
        return conditions


def _account_id(name: str) -> ScalarSelect[int]:
    return select(Account.id).where(Account.name == name).scalar_subquery()


@dataclass(frozen=True)
class JournalPosting:
    line_no: int
    account: str
    currency: str
    amount_minor: int
    category: str | None
    memo: str | None


@dataclass(frozen=True)
class JournalLine:
    id: int
    entry_date: date
    description: str
    recorded_at: datetime
    recorded_by: str | None
    approved_by: str | None  # the second person of a two-person sign-off
    source_type: str
    source_ref: str | None
    reverses_id: int | None
    is_advance: bool
    conversion_rate: str | None
    hash: str
    prev_hash: str
    postings: list[JournalPosting]


def _matching_entry_ids(filters: JournalFilter, *, after: int = 0) -> Select[int]:
    """The ids of the matching entries after ``after``, in chain order, as a statement to page.

    With an account, category or prisoner filter it reads the matching postings first (an
    account's postings in entry order are one index range, migration 0017) instead of testing
    every entry against the list of the account's entries: counting a bank account's 225,000
    entries at a million postings went from 154 to 19 ms (#17)."""
    conditions = filters.posting_conditions()
    dated = filters.period.includes(JournalEntry.entry_date)
    if not conditions:
        return select(JournalEntry.id).where(JournalEntry.id > after, *dated).order_by(JournalEntry.id)
    statement = select(Posting.entry_id).distinct().where(Posting.entry_id > after, *conditions)
    if dated:
        statement = statement.join(JournalEntry, JournalEntry.id == Posting.entry_id).where(*dated)
    return statement.order_by(Posting.entry_id)


def count_entries(session: Session, filters: JournalFilter) -> int:
    matching = _matching_entry_ids(filters).order_by(None).subquery()
    return session.scalar(select(func.count()).select_from(matching)) or 0


def _lines(session: Session, ids: list[int]) -> list[JournalLine]:
    if not ids:
        return []
    postings: dict[int, list[JournalPosting]] = {entry_id: [] for entry_id in ids}
    for row in session.execute(
        select(
            Posting.entry_id,
            Posting.line_no,
            Account.name,
            Posting.currency,
            Posting.amount_minor,
            Posting.category,
            Posting.memo,
        )
        .join(Account, Account.id == Posting.account_id)
        .where(Posting.entry_id.in_(ids))
        .order_by(Posting.entry_id, Posting.line_no)
    ):
        postings[row.entry_id].append(JournalPosting(*row[1:]))
    approver = aliased(User)
    entries = session.execute(
        select(
            JournalEntry.id,
            JournalEntry.entry_date,
            JournalEntry.description,
            JournalEntry.recorded_at,
            User.email,
            approver.email,
            JournalEntry.source_type,
            JournalEntry.source_ref,
            JournalEntry.reverses_id,
            JournalEntry.is_advance,
            JournalEntry.conversion_rate,
            JournalEntry.hash,
            JournalEntry.prev_hash,
        )
        .outerjoin(User, User.id == JournalEntry.recorded_by_id)
        .outerjoin(approver, approver.id == JournalEntry.approved_by_id)
        .where(JournalEntry.id.in_(ids))
        .order_by(JournalEntry.id)
    )
    return [
        JournalLine(
            id=entry_id,
            entry_date=entry_date,
            description=description,
            recorded_at=recorded_at,
            recorded_by=email,
            approved_by=approver_email,
            source_type=source_type,
            source_ref=source_ref,
            reverses_id=reverses_id,
            is_advance=is_advance,
            conversion_rate=conversion_rate,
            hash=entry_hash,
            prev_hash=prev_hash,
            postings=postings[entry_id],
        )
        for (
            entry_id,
            entry_date,
            description,
            recorded_at,
            email,
            approver_email,
            source_type,
            source_ref,
            reverses_id,
            is_advance,
            conversion_rate,
            entry_hash,
            prev_hash,
        ) in entries
    ]


def journal_page(
    session: Session, filters: JournalFilter, *, page: int = 1, per_page: int = 50
) -> list[JournalLine]:
    """One page of matching entries in chain order."""
    ids = list(session.scalars(_matching_entry_ids(filters).offset((page - 1) * per_page).limit(per_page)))
    return _lines(session, ids)


def iter_filtered_journal(
    session: Session, filters: JournalFilter, batch: int = 500
) -> Iterator[JournalLine]:
    """Every matching entry in chain order, ``batch`` entries at a time (for CSV)."""
    after = 0
    while True:
        ids = list(session.scalars(_matching_entry_ids(filters, after=after).limit(batch)))
        if not ids:
            return
        yield from _lines(session, ids)
        after = ids[-1]


@dataclass(frozen=True)
class LedgerLine:
    entry_id: int
    entry_date: date
    description: str
    currency: str
    amount_minor: int
    category: str | None
    memo: str | None
    balance_minor: int  # running balance of the account in this currency after the posting


def account_names(session: Session) -> list[tuple[str, str]]:
    return list(session.execute(select(Account.name, Account.type).order_by(Account.name)))


def account_ledger(
    session: Session, account_name: str, *, period: Period | None = None, page: int = 1, per_page: int = 100
) -> tuple[list[LedgerLine], int]:
    """One page of an account's postings in chain order, each with the account's running
    balance in its currency after it, and how many postings the period holds.

    The balance before the page is one SQL sum; only the page (and postings between its
    first and last line that fall outside the period) are read into Python.
    """
    period = period or Period()
    account_id = session.scalar(select(Account.id).where(Account.name == account_name))
    if account_id is None:
        return [], 0
    dated = period.includes(JournalEntry.entry_date)
    in_period = [Posting.account_id == account_id, *dated]
    counted = select(func.count()).select_from(Posting)
    if dated:  # without a period the count is read from the account's index alone
        counted = counted.join(JournalEntry, JournalEntry.id == Posting.entry_id)
    total = session.scalar(counted.where(*in_period)) or 0
    rows = session.execute(
        select(
            Posting.entry_id,
            Posting.line_no,
            JournalEntry.entry_date,
            JournalEntry.description,
            Posting.currency,
            Posting.amount_minor,
            Posting.category,
            Posting.memo,
        )
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .where(*in_period)
        .order_by(Posting.entry_id, Posting.line_no)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    if not rows:
        return [], total
    first, last = rows[0], rows[-1]
    # Row values, so the database reads a range of the account's index (entry, line).
    position = tuple_(Posting.entry_id, Posting.line_no)
    before_first = position < tuple_(first.entry_id, first.line_no)
    running: dict[str, int] = {
        currency: int(amount)
        for currency, amount in session.execute(
            select(Posting.currency, func.sum(Posting.amount_minor))
            .where(Posting.account_id == account_id, before_first)
            .group_by(Posting.currency)
        )
    }
    up_to_last = position <= tuple_(last.entry_id, last.line_no)
    balance_after: dict[tuple[int, int], int] = {}
    for entry_id, line_no, currency, amount in session.execute(
        select(Posting.entry_id, Posting.line_no, Posting.currency, Posting.amount_minor)
        .where(
            Posting.account_id == account_id, position >= tuple_(first.entry_id, first.line_no), up_to_last
        )
        .order_by(Posting.entry_id, Posting.line_no)
    ):
        running[currency] = running.get(currency, 0) + amount
        balance_after[(entry_id, line_no)] = running[currency]
    return [
        LedgerLine(
            row.entry_id,
            row.entry_date,
            row.description,
            row.currency,
            row.amount_minor,
            row.category,
            row.memo,
            balance_after[(row.entry_id, row.line_no)],
        )
        for row in rows
    ], total


def account_ledger_lines(
    session: Session, account_name: str, *, period: Period | None = None, batch: int = 2000
) -> Iterator[LedgerLine]:
    """Every posting of the account in the period, in chain order, with the running
    balance after it: what ``account_ledger()`` gives page by page, in one pass over the
    account's postings (for downloads; paging by offset would read the account again for
    each page)."""
    period = period or Period()
    account_id = session.scalar(select(Account.id).where(Account.name == account_name))
    if account_id is None:
        return
    conditions = period.includes(JournalEntry.entry_date)
    rows = session.execute(
        select(
            Posting.entry_id,
            JournalEntry.entry_date,
            JournalEntry.description,
            Posting.currency,
            Posting.amount_minor,
            Posting.category,
            Posting.memo,
            and_(*conditions) if conditions else true(),
        )
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .where(Posting.account_id == account_id)
        .order_by(Posting.entry_id, Posting.line_no)
        .execution_options(yield_per=batch)
    )
    running: dict[str, int] = {}
    try:
        for entry_id, entry_date, description, currency, amount, category, memo, shown in rows:
            running[currency] = running.get(currency, 0) + amount
            if shown:
                yield LedgerLine(
                    entry_id, entry_date, description, currency, amount, category, memo, running[currency]
                )
    finally:
        rows.close()


def utc_text(moment: datetime) -> str:
    """A stored (naive UTC) time as ISO 8601 with its offset, so a spreadsheet or script
    reading a download knows the zone: ``2026-12-01T13:05:00+00:00``."""
    return moment.replace(tzinfo=UTC).isoformat()


def whole_journal_rows(session: Session) -> Iterator[list[object]]:
    """Every posting of the journal as a row of the journal CSV, in chain order, streamed in
    flat memory (``journal_batches``): entry, date, description, recorded at, recorded by,
    source, reverses, line, account, currency, amount, category, memo, hash, previous hash,
    signed off by."""
    to_date, to_datetime = converters(session)
    names = {account_id: name for account_id, (name, _type, _slug) in account_facts(session).items()}
    emails = dict(session.execute(select(User.id, User.email)).all())
    places = dict(CURRENCIES)
    for batch in journal_batches(
        session,
        "id, entry_date, description, recorded_at, recorded_by_id, source_type, reverses_id, hash, prev_hash, "
        "approved_by_id",
        "entry_id, line_no, account_id, currency, amount_minor, category, memo",
    ):
        for (
            entry_id,
            day,
            description,
            recorded_at,
            by,
            source,
            reverses,
            digest,
            prev,
            approver,
        ), lines in batch:
            day_text = to_date(day).isoformat()
            recorded = utc_text(to_datetime(recorded_at))
            who = emails.get(by, "") if by is not None else ""
            second = emails.get(approver, "") if approver is not None else ""
            for _, line_no, account_id, currency, amount, category, memo in lines:
                yield [
                    entry_id,
                    day_text,
                    description,
                    recorded,
                    who,
                    source,
                    reverses or "",
                    line_no,
                    names[account_id],
                    currency,
                    minor_text(amount, places[currency]),
                    category or "",
                    memo or "",
                    digest,
                    prev,
                    second,
                ]
