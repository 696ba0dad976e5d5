"""The open books: every entry up to the latest checkpoint, as the public may see it.

Spending, moves between funds, currency exchanges, cash movements and their reversals are
listed one by one, with their categories, memos and receipts' SHA-256.  Everything a gift
would show itself in — donations, processing fees, refunds, card-processor entries and
their reversals — is given only as monthly totals per fund and currency, with reversals
counted in the month of the gift they cancel (a reversed gift vanishes).  Nothing names a
donor, a payer or a coordinator; a prisoner who is not public is "a prisoner not named
publicly", and that entry's description and memos are left out.

Accounts are named by plain keys (``ledger.reports.balance_sheet.public_group``); an
entry's amounts are minor units signed from the point of view of the place on its line:
positive is money coming into that fund or account, negative money leaving it (a purchase
is negative on the fund's line and on the bank's).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, aliased

from ledger.books.accounts import FUND_PREFIX, PRISONER_FUND_PREFIX
from ledger.books.kinds import SourceType
from ledger.books.models import Account, JournalEntry, Posting
from ledger.checkpoints.as_of import AsOf, dated
from ledger.funds.models import Prisoner
from ledger.reports.balance_sheet import public_group
from ledger.reports.periods import month_columns
from ledger.reports.prisoner_report import SPENDING_CATEGORIES
from ledger.spending.models import Receipt

# Categories that give a gift away: never listed one by one.
DONOR_SIDE = ("donation", "fee", "refund")


@dataclass(frozen=True)
class Place:
    """Where money sits, in public words: a group key, and for a public prisoner's fund
    the prisoner's slug and name."""

    key: str  # bank, cash, card_processor, general_fund, prisoner, hidden_prisoner, conversion, …
    slug: str | None = None
    name: str | None = None

    def json(self) -> dict:
        body: dict = {"place": self.key}
        if self.slug is not None:
            body.update(prisoner=self.slug, prisoner_name=self.name)
        return body


@dataclass(frozen=True)
class PublicPosting:
    place: Place
    currency: str
    amount_minor: int
    category: str | None
    memo: str | None


@dataclass
class PublicEntry:
    entry_date: date
    kind: str  # spending, transfer, conversion, cash, reversal, other
    description: str | None
    postings: list[PublicPosting]
    receipts: list[str] = field(default_factory=list)
    reverses: tuple[date, str | None] | None = None


@dataclass(frozen=True)
class DonationMonth:
    """A fund's gifts in one month and currency: received (reversals netted), fees, refunds."""

    month: date
    place: Place
    currency: str
    received: int
    fees: int
    refunds: int


def _hidden(entry_id, source_type):
    """SQL: the entry (its id and source columns) is listed only as monthly totals.  A
    correlated EXISTS, one index lookup per row: ``NOT IN`` a list of every gift's entry ran
    as a subplan per row on PostgreSQL at a million postings."""
    donor_side = aliased(Posting)
    gift = exists().where(donor_side.entry_id == entry_id, donor_side.category.in_(DONOR_SIDE))
    return gift | (source_type == SourceType.STRIPE)


def _place(name: str, public: bool | None, slug: str | None, prisoner_name: str | None) -> Place:
    if name.startswith(PRISONER_FUND_PREFIX):
        if public:
            return Place("prisoner", slug, prisoner_name)
        return Place("hidden_prisoner")
    return Place(public_group(name))


def _kind(reverses: int | None, postings: list[PublicPosting], names: list[str]) -> str:
    categories = {p.category for p in postings}
    if reverses is not None:
        return "reversal"
    if categories & set(SPENDING_CATEGORIES):
        return "spending"
    if "conversion" in categories:
        return "conversion"
    if "transfer" in categories:
        return "transfer" if all(n.startswith(FUND_PREFIX) for n in names) else "cash"
    return "other"


def months_with_activity(session: Session, as_of: AsOf) -> list[date]:
    """First days of the months that have any public line, newest first."""
    if as_of.empty:
        return []
    statement, day = dated(select(JournalEntry.id), as_of)
    year, month = month_columns(day)
    rows = session.execute(
        statement.with_only_columns(year, month).where(*as_of.covers(JournalEntry.id)).group_by(year, month)
    )
    return sorted((date(int(y), int(m), 1) for y, m in rows), reverse=True)


def public_entries(
    session: Session, as_of: AsOf, *, start: date | None = None, end: date | None = None, batch: int = 1000
) -> Iterator[PublicEntry]:
    """The entries listed one by one, oldest first (between ``start`` and ``end``)."""
    if as_of.empty:
        return
    original = aliased(JournalEntry, name="reversed_entry")
    conditions = [
        *as_of.covers(JournalEntry.id),
        ~_hidden(JournalEntry.id, JournalEntry.source_type),
        JournalEntry.reverses_id.is_(None) | ~_hidden(JournalEntry.reverses_id, original.source_type),
    ]
    if start is not None:
        conditions.append(JournalEntry.entry_date >= start)
    if end is not None:
        conditions.append(JournalEntry.entry_date <= end)
    rows = session.execute(
        select(
            JournalEntry.id,
            JournalEntry.entry_date,
            JournalEntry.description,
            JournalEntry.reverses_id,
            original.entry_date,
            original.description,
            Account.name,
            Prisoner.public,
            Prisoner.slug,
            Prisoner.name,
            Posting.currency,
            Posting.amount_minor,
            Posting.category,
            Posting.memo,
        )
        .join(Posting, Posting.entry_id == JournalEntry.id)
        .join(Account, Account.id == Posting.account_id)
        .outerjoin(Prisoner, Prisoner.id == Account.prisoner_id)
        .outerjoin(original, original.id == JournalEntry.reverses_id)
        .where(*conditions)
        .order_by(JournalEntry.entry_date, JournalEntry.id, Posting.line_no)
        .execution_options(yield_per=batch)
    )
    receipts_until = as_of.checkpoint.created_at if as_of.checkpoint is not None else None
    pending: list[PublicEntry] = []
    ids: list[int] = []

    def flush() -> Iterator[PublicEntry]:
        if not pending:
            return
        statement = select(Receipt.entry_id, Receipt.sha256).where(Receipt.entry_id.in_(ids))
        if receipts_until is not None:
            statement = statement.where(Receipt.uploaded_at <= receipts_until)
        by_entry: dict[int, list[str]] = {}
        for entry_id, sha256 in session.execute(statement.order_by(Receipt.entry_id, Receipt.id)):
            by_entry.setdefault(entry_id, []).append(sha256)
        for entry_id, entry in zip(ids, pending, strict=True):
            entry.receipts = by_entry.get(entry_id, [])
            yield entry
        pending.clear()
        ids.clear()

    for entry_id, group in groupby(rows, key=lambda row: row[0]):
        lines = list(group)
        first = lines[0]
        postings = []
        names = []
        named_publicly = True
        for row in lines:
            place = _place(row[6], row[7], row[8], row[9])
            named_publicly &= place.key != "hidden_prisoner"
            names.append(row[6])
            # Natural sign: assets hold money as debits, funds and equity as credits.
            sign = 1 if row[6].startswith("assets:") else -1
            postings.append(PublicPosting(place, row[10], sign * int(row[11]), row[12], row[13]))
        if not named_publicly:  # a description or memo could name the prisoner
            postings = [
                PublicPosting(p.place, p.currency, p.amount_minor, p.category, None) for p in postings
            ]
        reverses = None
        if first[3] is not None:
            reverses = (first[4], first[5] if named_publicly else None)
        pending.append(
            PublicEntry(
                first[1],
                _kind(first[3], postings, names),
                first[2] if named_publicly else None,
                postings,
                [],
                reverses,
            )
        )
        ids.append(entry_id)
        if len(pending) >= batch:
            yield from flush()
    yield from flush()


def donation_months(
    session: Session, as_of: AsOf, *, start: date | None = None, end: date | None = None
) -> Iterator[DonationMonth]:
    """Gifts per month, fund and currency, oldest month first; a reversal counts in the
    month of the entry it reverses, so a reversed gift is netted out of its own month.

    Read a month at a time: the whole journal has a line per month, fund and currency
    (110,000 at a million postings), and holding them all grew a download by 146 MB."""
    if as_of.empty:
        return
    statement, day = dated(
        select(Account.name).select_from(Posting).join(JournalEntry, JournalEntry.id == Posting.entry_id),
        as_of,
    )
    year, month = month_columns(day)
    category = Posting.category
    conditions = [
        *as_of.covers(Posting.entry_id),
        category.in_(DONOR_SIDE),
        Account.name.startswith(FUND_PREFIX),
    ]
    if start is not None:
        conditions.append(day >= start)
    if end is not None:
        conditions.append(day <= end)
    rows = session.execute(
        statement.join(Account, Account.id == Posting.account_id)
        .outerjoin(Prisoner, Prisoner.id == Account.prisoner_id)
        .add_columns(Prisoner.public, Prisoner.slug, Prisoner.name, year, month, Posting.currency, category)
        .add_columns(func.sum(Posting.amount_minor))
        .where(*conditions)
        .group_by(
            Account.name,
            Prisoner.public,
            Prisoner.slug,
            Prisoner.name,
            year,
            month,
            Posting.currency,
            category,
        )
        .order_by(year, month)
        .execution_options(yield_per=1000)
    )
    order = {"general_fund": 0, "prisoner": 1, "hidden_prisoner": 2}
    for (y, m), group in groupby(rows, key=lambda row: (row[4], row[5])):
        month_day = date(int(y), int(m), 1)
        totals: dict[tuple[Place, str], dict[str, int]] = {}
        for name, public, slug, prisoner_name, _y, _m, currency, kind, amount in group:
            key = (_place(name, public, slug, prisoner_name), currency)
            sums = totals.setdefault(key, {"donation": 0, "fee": 0, "refund": 0})
            sums[kind] += int(amount or 0)
        lines = [
            DonationMonth(month_day, place, currency, -sums["donation"], sums["fee"], sums["refund"])
            for (place, currency), sums in totals.items()
            if any(sums.values())
        ]
        lines.sort(key=lambda d: (order.get(d.place.key, 3), d.place.name or "", d.currency))
        yield from lines
