"""The journal as an hledger journal that ``hledger check -s`` accepts.

Declares every commodity and account (with its type), tags postings with the
prisoner and category, and ends with a balance assertion for every account and
currency, so hledger recomputes and confirms our balances independently.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.books.models import Account, AccountBalance, Currency, JournalEntry
from ledger.money import Money
from ledger.reports.journal_rows import iter_journal, parcel_tags

_HLEDGER_TYPE = {"asset": "A", "liability": "L", "equity": "E", "income": "R", "expense": "X"}


def _amount(minor: int, currency: str) -> str:
    return f"{Money.from_minor(minor, currency).amount} {currency}"


def _comment_value(text: str) -> str:
    """Tag values end at a comma in hledger; keep the text but not the separator."""
    return text.replace(",", ";")


def export_hledger(session: Session) -> Iterator[str]:
    """Yield the journal as hledger text, line by line (each ends with a newline)."""
    yield "; Solidarity ledger export. Check with: hledger -f FILE check -s\n"
    yield "decimal-mark .\n\n"
    used = session.scalars(
        select(Currency)
        .where(Currency.code.in_(select(AccountBalance.currency).distinct()))
        .order_by(Currency.code)
    )
    for currency in used:
        sample = Money.from_minor(100000 * 10**currency.minor_units, currency.code)
        yield f"commodity {sample.amount} {currency.code}\n"
    yield "\n"
    for account in session.scalars(select(Account).order_by(Account.name)):
        yield f"account {account.name}  ; type:{_HLEDGER_TYPE[account.type]}\n"
    yield "\n"

    last_date = None
    parcels = parcel_tags(session)
    for entry in iter_journal(session):
        last_date = entry.entry_date if last_date is None else max(last_date, entry.entry_date)
        tags = [f"entry:{entry.id}", f"hash:{entry.hash}", f"source:{entry.source_type}"]
        if entry.reverses_id:
            tags.append(f"reverses:{entry.reverses_id}")
        if entry.is_advance:
            tags.append("advance:yes")
        if entry.conversion_rate:
            tags.append(f"rate:{entry.conversion_rate}")
        if entry.id in parcels:
            tags.append("{}:{}".format(*parcels[entry.id]))
        yield f"{entry.entry_date.isoformat()} * {entry.description}  ; {', '.join(tags)}\n"
        for posting in entry.postings:
            line = f"    {posting.account}  {_amount(posting.amount_minor, posting.currency)}"
            posting_tags = []
            if posting.prisoner_slug:
                posting_tags.append(f"prisoner:{posting.prisoner_slug}")
            if posting.category:
                posting_tags.append(f"category:{posting.category}")
            if posting.memo:
                posting_tags.append(f"memo:{_comment_value(posting.memo)}")
            if posting_tags:
                line += "  ; " + ", ".join(posting_tags)
            yield line + "\n"
        yield "\n"

    if last_date is None:
        return
    head = session.scalar(select(JournalEntry.hash).order_by(JournalEntry.id.desc()).limit(1))
    yield f"{last_date.isoformat()} * Closing balance assertions  ; head:{head}\n"
    rows = session.execute(
        select(Account.name, AccountBalance.currency, AccountBalance.balance_minor)
        .join(Account, Account.id == AccountBalance.account_id)
        .order_by(Account.name, AccountBalance.currency)
    )
    for name, currency, balance in rows:
        yield f"    {name}  0 {currency} = {_amount(balance, currency)}\n"
