"""The journal as an hledger journal that ``hledger check -s`` accepts.

Declares every commodity and account (with its type), tags postings with the
prisoner and category, and ends with a balance assertion for every account and
currency, so hledger recomputes and confirms our balances independently.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.books.models import Account, AccountBalance, Currency, JournalEntry
from ledger.books.streaming import converters
from ledger.money import CURRENCIES, Money, minor_text
from ledger.reports.journal_rows import account_facts, journal_batches, parcel_tags

_HLEDGER_TYPE = {"asset": "A", "liability": "L", "equity": "E", "income": "R", "expense": "X"}


def _amount(minor: int, currency: str) -> str:
    return f"{Money.from_minor(minor, currency).amount} {currency}"


def _comment_value(text: str) -> str:
    """Tag values end at a comma in hledger; keep the text but not the separator."""
    return text.replace(",", ";")


def _entries(session: Session) -> Iterator[tuple[str, date]]:
    """The entries as hledger text, a chunk of whole lines per batch, with the batch's
    latest date.  Each account's line prefix and tags are built once, amounts come from
    integers (``minor_text``): per posting, only the amount and the memo vary."""
    to_date, _ = converters(session)
    prefixes = {}
    for account_id, (name, _type, slug) in account_facts(session).items():
        prefixes[account_id] = (f"    {name}  ", f"prisoner:{slug}" if slug else None)
    places = dict(CURRENCIES)
    parcels = parcel_tags(session)
    for batch in journal_batches(
        session,
        "id, entry_date, description, source_type, reverses_id, is_advance, conversion_rate, hash, "
        "recorded_by_id, approved_by_id",
        "entry_id, account_id, currency, amount_minor, category, memo",
    ):
        out: list[str] = []
        latest = None
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
            day = to_date(entry_date)
            if latest is None or day > latest:
                latest = day
            tags = f"entry:{entry_id}, hash:{digest}, source:{source}"
            if reverses:
                tags += f", reverses:{reverses}"
            if advance:
                tags += ", advance:yes"
            if rate:
                tags += f", rate:{rate}"
            if entry_id in parcels:
                tags += ", {}:{}".format(*parcels[entry_id])
            if approved_by:
                # Two-person sign-off: both people, by user id (names never go into exports).
                tags += f", recorded_by:{recorded_by}, approved_by:{approved_by}"
            out.append(f"{day.isoformat()} * {description}  ; {tags}\n")
            for _, account_id, currency, amount, category, memo in lines:
                prefix, prisoner = prefixes[account_id]
                line = f"{prefix}{minor_text(amount, places[currency])} {currency}"
                posting_tags = []
                if prisoner:
                    posting_tags.append(prisoner)
                if category:
                    posting_tags.append(f"category:{category}")
                if memo:
                    posting_tags.append(f"memo:{_comment_value(memo)}")
                if posting_tags:
                    line += "  ; " + ", ".join(posting_tags)
                out.append(line + "\n")
            out.append("\n")
        if latest is not None:
            yield "".join(out), latest


def export_hledger(session: Session) -> Iterator[str]:
    """Yield the journal as hledger text, whole lines at a time (each chunk ends with a
    newline; the entries come in chunks of many)."""
    yield "; Solidarity ledger export. Check with: hledger -f FILE check -s\n"
    yield "decimal-mark .\n\n"
    used = session.scalars(
        select(Currency)
        .where(Currency.code.in_(select(AccountBalance.currency).distinct()))
        .order_by(Currency.code)
    )
    for commodity in used:
        sample = Money.from_minor(100000 * 10**commodity.minor_units, commodity.code)
        yield f"commodity {sample.amount} {commodity.code}\n"
    yield "\n"
    for account in session.scalars(select(Account).order_by(Account.name)):
        yield f"account {account.name}  ; type:{_HLEDGER_TYPE[account.type]}\n"
    yield "\n"

    last_date = None
    for text, batch_last in _entries(session):
        yield text
        last_date = batch_last if last_date is None else max(last_date, batch_last)

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
