"""For random movements on random days, the per-prisoner report adds up: every period's
closing is the next period's opening, and the last closing is the fund's balance (hypothesis)."""

import itertools
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.books.accounts import fund_account_for, general_fund, get_or_create_account
from ledger.books.errors import InsufficientFunds
from ledger.books.posting import EntryDraft, PostingDraft, post_entry
from ledger.money import Money
from ledger.reports.balance_sheet import balance_sheet
from ledger.reports.periods import Period
from ledger.reports.prisoner_report import fund_balances, prisoner_report
from ledger.reports.trial_balance import trial_balance

_example = itertools.count()
DAY0 = date(2026, 1, 1)
movement = st.tuples(
    st.sampled_from(["donation", "fee", "transfer_in", "transfer_out", "food", "parcels", "refund", "other"]),
    st.sampled_from(["EUR", "RUB"]),
    st.integers(1, 50_000),
    st.integers(0, 120),  # day offset
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(movements=st.lists(movement, min_size=1, max_size=20), split=st.integers(0, 121))
def test_periods_chain_and_the_last_closing_is_the_balance(session, movements, split, create_prisoner):
    session.rollback()  # a failed example must not hide the next one's result
    prisoner = create_prisoner(f"r{next(_example)}")
    fund = fund_account_for(session, prisoner)
    general = general_fund(session)
    banks = {c: get_or_create_account(session, f"assets:bank:{c.lower()}-main") for c in ("EUR", "RUB")}
    session.commit()  # a refused movement rolls back, but never the accounts
    for kind, currency, minor, offset in movements:
        money = Money.from_minor(minor, currency)
        bank = banks[currency]
        inflow = kind in ("donation", "transfer_in")
        category = {"transfer_in": "transfer", "transfer_out": "transfer"}.get(kind, kind)
        other = general if kind.startswith("transfer") else bank
        if kind == "transfer_in":  # the general fund must hold it first
            post_entry(
                session,
                EntryDraft(
                    DAY0, "seed", [PostingDraft(bank, money), PostingDraft(general, -money, "donation")]
                ),
            )
            session.commit()
        postings = (
            [PostingDraft(other, money), PostingDraft(fund, -money, category)]
            if inflow
            else [PostingDraft(fund, money, category), PostingDraft(other, -money)]
        )
        try:
            post_entry(session, EntryDraft(DAY0 + timedelta(days=offset), kind, postings))
            session.commit()
        except InsufficientFunds:
            session.rollback()

    cut = DAY0 + timedelta(days=split)
    before = {
        r.currency: r
        for r in prisoner_report(session, prisoner, Period(None, cut - timedelta(days=1))).currencies
    }
    after = {r.currency: r for r in prisoner_report(session, prisoner, Period(cut, None)).currencies}
    whole = {r.currency: r for r in prisoner_report(session, prisoner).currencies}
    balances = fund_balances(session, prisoner)
    for currency, line in whole.items():
        assert line.closing == (balances[currency].minor if currency in balances else 0)
        closing_before = before[currency].closing if currency in before else 0
        opening_after = after[currency].opening if currency in after else 0
        assert closing_before == opening_after
    assert all(debits == credits for debits, credits in trial_balance(session).totals().values())
    assert balance_sheet(session, detailed=False).balanced()
