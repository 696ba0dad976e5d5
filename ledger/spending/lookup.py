"""Finding what a request names: prisoners by slug, funds, accounts, an entry's attachments."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.books.accounts import find_account, fund_account_for, general_fund
from ledger.books.models import Account, JournalEntry
from ledger.funds.models import Prisoner
from ledger.spending.models import Parcel, Receipt


def prisoner_by_slug(session: Session, slug: object) -> Prisoner | None:
    if not isinstance(slug, str) or len(slug) > 80:
        return None
    return session.scalar(select(Prisoner).where(Prisoner.slug == slug))


def fund_by_name(session: Session, name: object) -> Account | None:
    """``"general"`` or a prisoner's slug."""
    if name == "general":
        return general_fund(session)
    prisoner = prisoner_by_slug(session, name)
    return fund_account_for(session, prisoner) if prisoner is not None else None


def account_by_name(session: Session, name: object) -> Account | None:
    if not isinstance(name, str) or len(name) > 200:
        return None
    return find_account(session, name)


def entry_attachments(session: Session, entry: JournalEntry) -> tuple[list[Receipt], Parcel | None]:
    receipts = list(session.scalars(select(Receipt).where(Receipt.entry_id == entry.id).order_by(Receipt.id)))
    parcel = session.scalar(select(Parcel).where(Parcel.entry_id == entry.id))
    return receipts, parcel
