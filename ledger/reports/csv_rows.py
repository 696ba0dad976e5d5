"""The rows of the reports' CSV downloads, as lists of plain values, streamed.

Amounts are decimal strings in the currency's own places; dates ISO; times UTC. What is
written in the reader's language (descriptions, section names, yes and no) comes in as a
function from the edge that knows the language, so that the web, the API and the CLI
can share these rows. Headers are the edge's: they are translated words.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from sqlalchemy.orm import Session

from ledger.funds.kinds import GENERAL
from ledger.money import Money
from ledger.reports.balance_sheet import BalanceSheet
from ledger.reports.general_journal import (
    JournalFilter,
    account_ledger_lines,
    iter_filtered_journal,
    utc_text,
    whole_journal_rows,
)
from ledger.reports.periods import Period
from ledger.reports.pledge_fulfilment import PledgeFulfilment
from ledger.reports.receipts_list import receipts_list
from ledger.reports.trial_balance import TrialBalance

Row = list[object]
RECEIPTS_BATCH = 1000  # receipts read per query while streaming


def amount_text(minor: int, currency: str) -> str:
    """An amount in minor units as a decimal string (``1250, "RUB"`` → ``"12.50"``)."""
    return str(Money.from_minor(minor, currency).amount)


def trial_balance_rows(report: TrialBalance) -> Iterator[Row]:
    """Account, type, currency, debits, credits, balance."""
    for line in report.lines:
        yield [
            line.account,
            line.account_type,
            line.currency,
            amount_text(line.debits, line.currency),
            amount_text(line.credits, line.currency),
            amount_text(line.balance, line.currency),
        ]


def balance_sheet_rows(
    sheet: BalanceSheet, section_label: Callable[[str], str], public_label: Callable[[str], str]
) -> Iterator[Row]:
    """Section, account (the public group's words when the sheet is not detailed), currency,
    amount."""
    for line in sheet.lines:
        yield [
            section_label(line.section),
            line.account if sheet.detailed else public_label(line.account),
            line.currency,
            amount_text(line.amount, line.currency),
        ]


def journal_rows(session: Session, filters: JournalFilter) -> Iterator[Row]:
    """Every posting the filter finds: entry, date, description, recorded at, recorded by,
    source, reverses, line, account, currency, amount, category, memo, hash, previous hash,
    signed off by. The whole journal is one streaming pass in flat memory."""
    if filters == JournalFilter():
        yield from whole_journal_rows(session)
        return
    for entry in iter_filtered_journal(session, filters):
        for posting in entry.postings:
            yield [
                entry.id,
                entry.entry_date.isoformat(),
                entry.description,
                utc_text(entry.recorded_at),
                entry.recorded_by or "",
                entry.source_type,
                entry.reverses_id or "",
                posting.line_no,
                posting.account,
                posting.currency,
                amount_text(posting.amount_minor, posting.currency),
                posting.category or "",
                posting.memo or "",
                entry.hash,
                entry.prev_hash,
                entry.approved_by or "",
            ]


def account_ledger_rows(
    session: Session, name: str, *, period: Period, sign: int, describe: Callable[[str | None], str]
) -> Iterator[Row]:
    """Entry, date, description, currency, debit, credit, category, memo, running balance
    (read in the account's ``sign``: +1 for a debit balance, -1 for a credit one)."""
    for line in account_ledger_lines(session, name, period=period):
        yield [
            line.entry_id,
            line.entry_date.isoformat(),
            describe(line.description),
            line.currency,
            amount_text(line.amount_minor, line.currency) if line.amount_minor > 0 else "",
            amount_text(-line.amount_minor, line.currency) if line.amount_minor < 0 else "",
            line.category or "",
            line.memo or "",
            amount_text(line.balance_minor * sign, line.currency),
        ]


def pledge_rows(report: list[PledgeFulfilment], yes_no: Callable[[bool], str]) -> Iterator[Row]:
    """One row per pledge and month: pledge, fund, frequency, status, currency, month,
    expected, received, lapsed."""
    for item in report:
        pledge = item.pledge
        for month in item.months:
            yield [
                pledge.reference,
                pledge.prisoner.slug if pledge.prisoner else GENERAL,
                pledge.frequency,
                item.status,
                pledge.currency,
                month.month.strftime("%Y-%m"),
                amount_text(month.expected, pledge.currency),
                amount_text(month.received, pledge.currency),
                yes_no(item.lapsed),
            ]


def receipt_rows(
    session: Session, *, period: Period, prisoner_slug: str | None, describe: Callable[[str | None], str]
) -> Iterator[Row]:
    """Receipt, entry, date, description, prisoner, category, currency, amount, SHA-256,
    file type, size in bytes, uploaded at; read RECEIPTS_BATCH at a time."""
    page = 1
    while True:
        lines, _total = receipts_list(
            session, period=period, prisoner_slug=prisoner_slug, page=page, per_page=RECEIPTS_BATCH
        )
        for line in lines:
            yield [
                line.id,
                line.entry_id,
                line.entry_date.isoformat(),
                describe(line.description),
                line.prisoner_slug or "",
                line.category or "",
                line.currency or "",
                amount_text(line.amount_minor, line.currency)
                if line.currency and line.amount_minor is not None
                else "",
                line.sha256,
                line.content_type,
                line.size_bytes,
                utc_text(line.uploaded_at),
            ]
        if len(lines) < RECEIPTS_BATCH:
            return
        page += 1
