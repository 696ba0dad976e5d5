"""Debits and credits kept per account and currency, by one-at-a-time and bulk posting alike,
are the postings' sums; the whole journal's trial balance is read from them and agrees with
the summing one."""

from datetime import date

import pytest
from flask_migrate import downgrade, upgrade
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import case, func, select

from ledger.books.accounts import get_or_create_account
from ledger.books.bulk import post_entries
from ledger.books.models import AccountBalance, Posting
from ledger.books.posting import EntryDraft, PostingDraft, post_entry, reverse_entry
from ledger.books.verify import verify_ledger
from ledger.extensions import db
from ledger.money import Money
from ledger.reports.trial_balance import trial_balance
from tests.factories import bank_donation, new_prisoner
from tests.helpers import POSTGRES_URL

_amounts = st.lists(st.integers(1, 10**7), min_size=1, max_size=6)


def _kept(session):
    return {
        (a, c): (d, k)
        for a, c, d, k in session.execute(
            select(
                AccountBalance.account_id,
                AccountBalance.currency,
                AccountBalance.debit_minor,
                AccountBalance.credit_minor,
            )
        )
    }


def _summed(session):
    debit = case((Posting.amount_minor > 0, Posting.amount_minor), else_=0)
    credit = case((Posting.amount_minor < 0, -Posting.amount_minor), else_=0)
    return {
        (a, c): (int(d), int(k))
        for a, c, d, k in session.execute(
            select(Posting.account_id, Posting.currency, func.sum(debit), func.sum(credit)).group_by(
                Posting.account_id, Posting.currency
            )
        )
    }


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(single=_amounts, bulk=_amounts, reverse_first=st.booleans())
def test_turnover_is_the_postings_sums_and_the_trial_balance_reads_it(session, single, bulk, reverse_first):
    try:
        bank = get_or_create_account(session, "assets:bank:eur-main")
        other = get_or_create_account(session, "equity:opening")
        entries = [
            post_entry(
                session,
                EntryDraft(
                    date(2026, 1, 1),
                    "Opening",
                    [
                        PostingDraft(bank, Money.from_minor(n, "EUR")),
                        PostingDraft(other, Money.from_minor(-n, "EUR")),
                    ],
                ),
            )
            for n in single
        ]
        post_entries(
            session,
            [
                EntryDraft(
                    date(2026, 1, 2),
                    "Bulk",
                    [
                        PostingDraft(other, Money.from_minor(n, "EUR")),
                        PostingDraft(bank, Money.from_minor(-n, "EUR")),
                    ],
                )
                for n in bulk
            ],
        )
        if reverse_first:
            reverse_entry(session, entries[0], reason="test")
        session.flush()
        assert _kept(session) == _summed(session)
        whole = trial_balance(session)
        assert whole.lines == trial_balance(session, as_of=date(2100, 12, 31)).lines
        assert verify_ledger(session).ok
    finally:
        session.rollback()


@pytest.mark.skipif(bool(POSTGRES_URL), reason="down and up on SQLite, where each test has its own file")
def test_the_migration_fills_the_turnover_of_an_existing_ledger(app, session):
    prisoner = new_prisoner(session)
    entry = bank_donation(session, prisoner, "10.00", "EUR")
    bank_donation(session, prisoner, "2.50", "EUR")
    reverse_entry(session, entry, reason="bounced")
    session.commit()
    expected, fund_name = _summed(session), prisoner.fund_account.name
    session.remove()

    downgrade(revision="0012_lifecycle")
    upgrade(revision="heads")

    assert _kept(db.session) == expected
    assert verify_ledger(db.session).ok
    fund = {line.account: line for line in trial_balance(db.session).lines}[fund_name]
    assert (fund.debits, fund.credits) == (1000, 1250)


@pytest.mark.parametrize("path", ["post_entry", "post_entries"])
def test_two_postings_on_one_side_of_one_account_both_count(session, path):
    """A gift split over two lines into one fund: its credits are both lines together."""
    prisoner = new_prisoner(session)
    bank = get_or_create_account(session, "assets:bank:eur-main")
    fund = get_or_create_account(session, f"liabilities:funds:prisoner:{prisoner.slug}")
    draft = EntryDraft(
        date(2026, 1, 5),
        "Two gifts on one transfer",
        [
            PostingDraft(bank, Money.from_minor(3000, "EUR")),
            PostingDraft(fund, Money.from_minor(-1000, "EUR"), "donation"),
            PostingDraft(fund, Money.from_minor(-2000, "EUR"), "donation"),
        ],
    )
    if path == "post_entry":
        post_entry(session, draft)
    else:
        post_entries(session, [draft])
    session.commit()
    assert _kept(session)[(fund.id, "EUR")] == (0, 3000)
    assert _kept(session) == _summed(session)
