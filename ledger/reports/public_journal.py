"""The open books: every entry the releases published, as the public may see it.

Spending, moves between funds, currency exchanges, cash movements and their reversals are
listed one by one, with their categories, memos and receipts' SHA-256.  Everything a gift
would show itself in — donations, processing fees, refunds, card-processor entries and
their reversals — is given only as the cells each release published per fund and currency
(``ledger.checkpoints.release``), summed per month.  Nothing names a donor, a payer or a
coordinator; a prisoner who is not public is "a prisoner not named publicly", and that
entry's description and memos are left out.

Accounts are named by plain keys (``ledger.reports.balance_sheet.public_group``); an
entry's amounts are minor units signed from the point of view of the place on its line:
positive is money coming into that fund or account, negative money leaving it (a purchase
is negative on the fund's line and on the bank's).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import groupby

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from ledger.books.accounts import FUND_PREFIX, PRISONER_FUND_PREFIX
from ledger.books.kinds import SPENDING_CATEGORIES
from ledger.books.models import Account, JournalEntry, Posting
from ledger.checkpoints.as_of import AsOf, dated
from ledger.checkpoints.models import PublishedEntry, ReleaseCell
from ledger.funds.models import Prisoner
from ledger.money import minor_text, minor_units
from ledger.reports.balance_sheet import public_group
from ledger.reports.periods import month_columns
from ledger.spending.models import Receipt


@dataclass(frozen=True)
class Place:
    """Where money sits, in public words: a group key, and for a public prisoner's fund
    the prisoner's slug and name."""

    key: str  # bank, cash, card_processor, general_fund, prisoner, hidden_prisoner, conversion, …
    slug: str | None = None
    name: str | None = None

    def json(self) -> dict[str, str | None]:
        body: dict[str, str | None] = {"place": self.key}
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
    counted_on: date | None = None  # the day it counts on in public figures, if not its own


@dataclass(frozen=True)
class DonationMonth:
    """A fund's published gifts in one month and currency: net of card fees, refunds and
    reversals (a fee alone would give its gift away), and how many anonymous gifts."""

    month: date
    place: Place
    currency: str
    received: int
    count: int


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
    """First days of the months that have any public line or cell of gifts, newest first
    (months of the days entries count on: ``PublishedEntry.counted_on``)."""
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
    """The entries published one by one, in the order they count (their day in public
    figures, between ``start`` and ``end``), oldest first."""
    if as_of.empty or as_of.live:
        return
    conditions = [PublishedEntry.role == "line", PublishedEntry.sequence <= as_of.sequence]
    if start is not None:
        conditions.append(PublishedEntry.counted_on >= start)
    if end is not None:
        conditions.append(PublishedEntry.counted_on <= end)
    listed = session.execute(
        select(PublishedEntry.entry_id, PublishedEntry.counted_on)
        .where(*conditions)
        .order_by(PublishedEntry.counted_on, PublishedEntry.entry_id)
    ).all()
    receipts_until = as_of.checkpoint.created_at if as_of.checkpoint is not None else None
    for start_at in range(0, len(listed), batch):
        chunk = listed[start_at : start_at + batch]
        built = dict(_entries(session, [entry_id for entry_id, _day in chunk], receipts_until))
        for entry_id, counted_on in chunk:
            entry = built[entry_id]
            entry.counted_on = counted_on
            yield entry


def release_entries(
    session: Session, entry_ids: list[int], *, receipts_until: datetime | None
) -> Iterator[tuple[int, dict[str, object]]]:
    """The public documents of these entries (a release's lines), in id order."""
    for start_at in range(0, len(entry_ids), 500):
        for entry_id, entry in _entries(session, entry_ids[start_at : start_at + 500], receipts_until):
            yield entry_id, entry_document(entry)


def _amount(minor: int, currency: str) -> dict[str, str]:
    return {"amount": minor_text(minor, minor_units(currency)), "currency": currency}


def entry_document(entry: PublicEntry) -> dict[str, object]:
    """An entry as the open books publish it (JSON lines)."""
    return {
        "type": "entry",
        "date": entry.entry_date.isoformat(),
        "kind": entry.kind,
        "description": entry.description,
        "reverses": {"date": entry.reverses[0].isoformat(), "description": entry.reverses[1]}
        if entry.reverses
        else None,
        "receipts": entry.receipts,
        "postings": [
            {
                **posting.place.json(),
                "money": _amount(posting.amount_minor, posting.currency),
                "category": posting.category,
                "memo": posting.memo,
            }
            for posting in entry.postings
        ],
    }


def _entries(
    session: Session, entry_ids: Sequence[int], receipts_until: datetime | None
) -> Iterator[tuple[int, PublicEntry]]:
    """The public form of a few entries (a batch), in id order."""
    if not entry_ids:
        return
    original = aliased(JournalEntry, name="reversed_entry")
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
        .where(JournalEntry.id.in_(entry_ids))
        .order_by(JournalEntry.id, Posting.line_no)
    )
    statement = select(Receipt.entry_id, Receipt.sha256).where(Receipt.entry_id.in_(entry_ids))
    if receipts_until is not None:
        statement = statement.where(Receipt.uploaded_at <= receipts_until)
    receipts: dict[int, list[str]] = {}
    for entry_id, sha256 in session.execute(statement.order_by(Receipt.entry_id, Receipt.id)):
        receipts.setdefault(entry_id, []).append(sha256)
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
        yield (
            entry_id,
            PublicEntry(
                first[1],
                _kind(first[3], postings, names),
                first[2] if named_publicly else None,
                postings,
                receipts.get(entry_id, []),
                reverses,
            ),
        )


def donation_months(
    session: Session, as_of: AsOf, *, start: date | None = None, end: date | None = None
) -> Iterator[DonationMonth]:
    """The published cells of gifts per month, fund and currency, oldest month first: each
    release's cell counts on one day (``ReleaseCell.counted_on``), net of fees, refunds and
    reversals, with the number of anonymous gifts in it.  Funds not named publicly are
    one place."""
    if as_of.empty or as_of.live:
        return
    year, month = month_columns(ReleaseCell.counted_on)
    conditions = [ReleaseCell.sequence <= as_of.sequence]
    if start is not None:
        conditions.append(ReleaseCell.counted_on >= start)
    if end is not None:
        conditions.append(ReleaseCell.counted_on <= end)
    rows = session.execute(
        select(
            Account.name,
            Prisoner.public,
            Prisoner.slug,
            Prisoner.name,
            year,
            month,
            ReleaseCell.currency,
            func.sum(ReleaseCell.gifts_minor),
            func.sum(ReleaseCell.gift_count),
        )
        .join(Account, Account.id == ReleaseCell.account_id)
        .outerjoin(Prisoner, Prisoner.id == Account.prisoner_id)
        .where(*conditions)
        .group_by(
            Account.name, Prisoner.public, Prisoner.slug, Prisoner.name, year, month, ReleaseCell.currency
        )
        .order_by(year, month)
    )
    order = {"general_fund": 0, "prisoner": 1, "hidden_prisoner": 2}
    for (y, m), group in groupby(rows, key=lambda row: (row[4], row[5])):
        month_day = date(int(y), int(m), 1)
        totals: dict[tuple[Place, str], list[int]] = {}
        for name, public, slug, prisoner_name, _y, _m, currency, amount, count in group:
            sums = totals.setdefault((_place(name, public, slug, prisoner_name), currency), [0, 0])
            sums[0] += int(amount or 0)
            sums[1] += int(count or 0)
        lines = [
            DonationMonth(month_day, place, currency, received, count)
            for (place, currency), (received, count) in totals.items()
            if received or count
        ]
        lines.sort(key=lambda d: (order.get(d.place.key, 3), d.place.name or "", d.currency))
        yield from lines
