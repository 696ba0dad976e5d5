"""The journal as a Beancount file that ``bean-check`` accepts.

Beancount wants capitalised account components (``Liabilities:Funds:Prisoner:Anna-z``);
our names are lower-case, so capitalising each component's first letter maps them one
to one.  Every account is opened on the first entry's date, every entry carries its id
and hash as metadata, postings carry category, prisoner and memo, and the file ends
with a ``balance`` assertion per account and currency on the day after the last entry,
so Beancount recomputes and confirms our balances independently.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.books.models import Account, AccountBalance, JournalEntry
from ledger.money import Money
from ledger.reports.journal_rows import iter_journal, parcel_tags


def beancount_account(name: str) -> str:
    """``assets:bank:eur-main`` → ``Assets:Bank:Eur-main``."""
    return ":".join(part[:1].upper() + part[1:] for part in name.split(":"))


def _string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _amount(minor: int, currency: str) -> str:
    return f"{Money.from_minor(minor, currency).amount} {currency}"


def export_beancount(session: Session) -> Iterator[str]:
    """Yield the journal as Beancount text, line by line (each ends with a newline)."""
    yield ";; Solidarity ledger export. Check with: bean-check FILE\n"
    yield 'option "title" "Solidarity ledger"\n\n'
    first, last = session.execute(
        select(func.min(JournalEntry.entry_date), func.max(JournalEntry.entry_date))
    ).one()
    if first is None:
        return
    currencies = list(
        session.scalars(select(AccountBalance.currency).distinct().order_by(AccountBalance.currency))
    )
    for currency in currencies:
        yield f"{first.isoformat()} commodity {currency}\n"
    yield "\n"
    for name, account_type in session.execute(select(Account.name, Account.type).order_by(Account.name)):
        yield f"{first.isoformat()} open {beancount_account(name)}\n"
        yield f"  type: {_string(account_type)}\n"
    yield "\n"

    parcels = parcel_tags(session)
    for entry in iter_journal(session):
        yield f"{entry.entry_date.isoformat()} * {_string(entry.description)}\n"
        yield f"  entry: {entry.id}\n"
        yield f"  hash: {_string(entry.hash)}\n"
        yield f"  source: {_string(entry.source_type)}\n"
        if entry.reverses_id:
            yield f"  reverses: {entry.reverses_id}\n"
        if entry.is_advance:
            yield "  advance: TRUE\n"
        if entry.conversion_rate:
            yield f"  rate: {_string(entry.conversion_rate)}\n"
        if entry.id in parcels:
            key, value = parcels[entry.id]
            yield f"  {key}: {_string(value)}\n"
        for posting in entry.postings:
            yield f"  {beancount_account(posting.account)}  {_amount(posting.amount_minor, posting.currency)}\n"
            if posting.category:
                yield f"    category: {_string(posting.category)}\n"
            if posting.prisoner_slug:
                yield f"    prisoner: {_string(posting.prisoner_slug)}\n"
            if posting.memo:
                yield f"    memo: {_string(posting.memo)}\n"
        yield "\n"

    head = session.scalar(select(JournalEntry.hash).order_by(JournalEntry.id.desc()).limit(1))
    check_on = (last + timedelta(days=1)).isoformat()
    yield f";; Closing balances after the head entry {head}\n"
    rows = session.execute(
        select(Account.name, AccountBalance.currency, AccountBalance.balance_minor)
        .join(Account, Account.id == AccountBalance.account_id)
        .order_by(Account.name, AccountBalance.currency)
    )
    for name, currency, balance in rows:
        yield f"{check_on} balance {beancount_account(name)}  {_amount(balance, currency)}\n"
