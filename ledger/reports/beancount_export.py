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
from ledger.books.streaming import converters
from ledger.money import CURRENCIES, Money, minor_text
from ledger.reports.journal_rows import account_facts, journal_batches, parcel_tags


def beancount_account(name: str) -> str:
    """``assets:bank:eur-main`` → ``Assets:Bank:Eur-main``."""
    return ":".join(part[:1].upper() + part[1:] for part in name.split(":"))


def _string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _amount(minor: int, currency: str) -> str:
    return f"{Money.from_minor(minor, currency).amount} {currency}"


def _entries(session: Session) -> Iterator[str]:
    """The entries as Beancount text, a chunk of whole lines per batch; each account's
    name and prisoner metadata are built once, amounts come from integers."""
    to_date, _ = converters(session)
    accounts = {
        account_id: (f"  {beancount_account(name)}  ", f"    prisoner: {_string(slug)}\n" if slug else "")
        for account_id, (name, _type, slug) in account_facts(session).items()
    }
    places = dict(CURRENCIES)
    parcels = parcel_tags(session)
    for batch in journal_batches(
        session,
        "id, entry_date, description, source_type, reverses_id, is_advance, conversion_rate, hash, "
        "recorded_by_id, approved_by_id",
        "entry_id, account_id, currency, amount_minor, category, memo",
    ):
        out: list[str] = []
        for (
            entry_id,
            entry_date,
            description,
            source,
            reverses,
            advance,
            rate,
            digest,
            recorded_by,
            approved_by,
        ), lines in batch:
            out.append(
                f"{to_date(entry_date).isoformat()} * {_string(description)}\n  entry: {entry_id}\n"
                f'  hash: "{digest}"\n  source: {_string(source)}\n'
            )
            if reverses:
                out.append(f"  reverses: {reverses}\n")
            if advance:
                out.append("  advance: TRUE\n")
            if rate:
                out.append(f"  rate: {_string(rate)}\n")
            if entry_id in parcels:
                key, value = parcels[entry_id]
                out.append(f"  {key}: {_string(value)}\n")
            if approved_by:
                # Two-person sign-off: both people, by user id (names never go into exports).
                out.append(f"  recorded_by: {recorded_by}\n  approved_by: {approved_by}\n")
            for _, account_id, currency, amount, category, memo in lines:
                prefix, prisoner = accounts[account_id]
                out.append(f"{prefix}{minor_text(amount, places[currency])} {currency}\n")
                if category:
                    out.append(f'    category: "{category}"\n')
                if prisoner:
                    out.append(prisoner)
                if memo:
                    out.append(f"    memo: {_string(memo)}\n")
            out.append("\n")
        yield "".join(out)


def export_beancount(session: Session) -> Iterator[str]:
    """Yield the journal as Beancount text, whole lines at a time (the entries in chunks of many)."""
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

    yield from _entries(session)

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
