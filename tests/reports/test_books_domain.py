"""Organisation reports at the domain level: account ledgers page by page, cached totals,
the balance sheet identity and pledge lapses."""

from datetime import date

import pytest
from sqlalchemy import select

from ledger.books.models import JournalEntry, LedgerHead
from ledger.reports import overview
from ledger.reports.balance_sheet import balance_sheet
from ledger.reports.general_journal import (
    JournalFilter,
    account_ledger,
    account_ledger_lines,
    count_entries,
    iter_filtered_journal,
    journal_page,
)
from ledger.reports.periods import Period

FUND = "liabilities:funds:prisoner:vera"


def test_account_ledger_pages_carry_the_running_balance_across_pages(session, books):
    whole, total = account_ledger(session, FUND, per_page=500)
    assert total == len(whole) == 12
    paged = []
    for page in range(1, 6):
        lines, _ = account_ledger(session, FUND, page=page, per_page=3)
        paged.extend(lines)
    assert paged == whole
    assert {line.currency: line.balance_minor for line in whole} == {"EUR": -28685, "RUB": -400000}


def test_account_ledger_for_a_period_still_shows_balances_after_each_posting(session, books):
    whole = {(line.entry_id, line.currency): line.balance_minor for line in account_ledger(session, FUND)[0]}
    march, total = account_ledger(session, FUND, period=Period(date(2026, 3, 1), date(2026, 3, 31)))
    assert total == len(march) == 5
    assert all(line.balance_minor == whole[(line.entry_id, line.currency)] for line in march)


@pytest.mark.parametrize(
    "period",
    [
        Period(),
        Period(date(2026, 3, 1), date(2026, 3, 31)),
        Period(end=date(2026, 2, 28)),
        Period(date(2027, 1, 1)),
    ],
    ids=["all time", "March", "to February", "nothing"],
)
@pytest.mark.parametrize("account", [FUND, "assets:bank:eur-main"])
def test_the_download_streams_the_lines_the_pages_show(session, books, period, account):
    """One pass for a download gives the pages' lines, running balances included."""
    pages, total = account_ledger(session, account, period=period, per_page=10_000)
    streamed = list(account_ledger_lines(session, account, period=period, batch=2))
    assert streamed == pages
    assert len(streamed) == total


def test_unknown_account_has_an_empty_ledger(session, books):
    assert account_ledger(session, "assets:nowhere") == ([], 0)
    assert list(account_ledger_lines(session, "assets:nowhere")) == []


def test_filtered_journal_streams_every_match_in_batches(session, books):
    filters = JournalFilter(prisoner_slug="vera")
    ids = [entry.id for entry in iter_filtered_journal(session, filters, batch=3)]
    assert len(ids) == count_entries(session, filters) == 10
    assert ids == sorted(ids)


FILTERS = [
    JournalFilter(),
    JournalFilter(account=FUND),
    JournalFilter(account="assets:"),
    JournalFilter(account="assets:bank:eur-main", period=Period(date(2026, 3, 1), date(2026, 3, 31))),
    JournalFilter(category="parcels"),
    JournalFilter(category="donation", prisoner_slug="vera"),
    JournalFilter(prisoner_slug="vera", period=Period(end=date(2026, 2, 28))),
    JournalFilter(account="assets:nowhere"),
]


def _matches(entry: JournalEntry, filters: JournalFilter) -> bool:
    start, end = filters.period.start, filters.period.end
    if (start and entry.entry_date < start) or (end and entry.entry_date > end):
        return False
    fund = f"liabilities:funds:prisoner:{filters.prisoner_slug}"
    return any(
        (
            not filters.account
            or p.account.name == filters.account
            or (filters.account.endswith(":") and p.account.name.startswith(filters.account))
        )
        and (not filters.category or p.category == filters.category)
        and (not filters.prisoner_slug or p.account.name == fund)
        for p in entry.postings
    )


@pytest.mark.parametrize("filters", FILTERS, ids=repr)
def test_the_filtered_journal_lists_each_matching_entry_once_in_chain_order(session, books, filters):
    """Pages, the download and the count agree with a plain reading of every entry, and an
    entry with two matching postings (a conversion, a fee) is listed once."""
    expected = [
        e.id for e in session.scalars(select(JournalEntry).order_by(JournalEntry.id)) if _matches(e, filters)
    ]
    assert [line.id for line in iter_filtered_journal(session, filters, batch=2)] == expected
    assert count_entries(session, filters) == len(expected)
    paged = [
        line.id for page in range(1, 8) for line in journal_page(session, filters, page=page, per_page=3)
    ]
    assert paged == expected
    assert filters.account == "assets:nowhere" or expected


def test_balance_sheet_identity_holds_for_public_and_detailed_views(session, books):
    for detailed in (True, False):
        sheet = balance_sheet(session, detailed=detailed)
        assert sheet.balanced()
        assert sheet.totals()["EUR"]["assets"] == 49985


def test_home_totals_are_remembered_per_head_and_follow_new_entries(session, books, create_recorded_donation):
    head = session.get(LedgerHead, 1).head_hash
    first = overview.totals_for_head(session, head)
    assert overview.totals_for_head(session, head) is first
    create_recorded_donation(books.vera, "5.00", on=date(2026, 6, 1))
    session.commit()
    new_head = session.get(LedgerHead, 1).head_hash
    totals = {t.currency: t for t in overview.totals_for_head(session, new_head)}
    assert str(totals["EUR"].raised.amount) == "615.00"
