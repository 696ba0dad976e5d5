"""Receipts for auditors: each file with the entry it documents and the fund it was spent from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.books.accounts import FUND_PREFIX
from ledger.books.models import Account, JournalEntry, Posting
from ledger.funds.models import Prisoner
from ledger.reports.periods import Period
from ledger.spending.models import Receipt


@dataclass(frozen=True)
class ReceiptLine:
    id: int
    entry_id: int
    entry_date: date
    description: str
    prisoner_slug: str | None
    category: str | None
    currency: str | None
    amount_minor: int | None
    sha256: str
    content_type: str
    size_bytes: int
    uploaded_at: datetime
    prisoner_name: str | None = None
    prisoner_name_latin: str | None = None


def receipts_list(
    session: Session,
    *,
    period: Period | None = None,
    prisoner_slug: str | None = None,
    page: int = 1,
    per_page: int = 100,
) -> tuple[list[ReceiptLine], int]:
    """A page of receipts, newest entry first, and how many there are in the period (and,
    with ``prisoner_slug``, spent from that prisoner's fund)."""
    period = period or Period()
    # The entry's first posting on a fund says whose money it was.
    fund_posting = (
        select(Posting.entry_id, func.min(Posting.id).label("posting_id"))
        .join(Account, Account.id == Posting.account_id)
        .where(Account.name.startswith(FUND_PREFIX), Posting.entry_id.in_(select(Receipt.entry_id)))
        .group_by(Posting.entry_id)
        .subquery()
    )
    base = (
        select(
            Receipt.id,
            Receipt.entry_id,
            JournalEntry.entry_date,
            JournalEntry.description,
            Prisoner.slug,
            Posting.category,
            Posting.currency,
            Posting.amount_minor,
            Receipt.sha256,
            Receipt.content_type,
            Receipt.size_bytes,
            Receipt.uploaded_at,
            Prisoner.name,
            Prisoner.name_latin,
        )
        .join(JournalEntry, JournalEntry.id == Receipt.entry_id)
        .outerjoin(fund_posting, fund_posting.c.entry_id == Receipt.entry_id)
        .outerjoin(Posting, Posting.id == fund_posting.c.posting_id)
        .outerjoin(Account, Account.id == Posting.account_id)
        .outerjoin(Prisoner, Prisoner.id == Account.prisoner_id)
        .where(*period.includes(JournalEntry.entry_date))
    )
    if prisoner_slug:
        base = base.where(Prisoner.slug == prisoner_slug)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = session.execute(
        base.order_by(JournalEntry.entry_date.desc(), Receipt.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return [ReceiptLine(*tuple(row)) for row in rows], total
