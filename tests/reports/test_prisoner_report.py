"""The per-prisoner report, runway, monthly flows and what public pages may list — domain level."""

from datetime import date
from decimal import Decimal

from ledger.reports.overview import public_prisoners_by_need, totals_raised_and_spent
from ledger.reports.periods import Period
from ledger.reports.prisoner_report import (
    disbursements,
    fund_balances,
    monthly_flows,
    prisoner_report,
    public_donations,
    runway_for,
)
from tests.factories import PUBLIC_DONOR


def lines(report):
    return {line.currency: line for line in report.currencies}


def test_whole_history_report_splits_every_kind_of_movement(session, books):
    report = lines(prisoner_report(session, books.vera))
    eur, rub = report["EUR"], report["RUB"]
    assert (eur.opening, eur.received, eur.fees, eur.transfers_in, eur.transfers_out) == (
        0,
        35000,
        315,
        4000,
        0,
    )
    assert (eur.conversions_in, eur.conversions_out, eur.refunds) == (0, 5000, 2000)
    assert eur.spent == {"parcels": 3000}
    assert eur.closing == 28685
    # the reversed clothing purchase nets to nothing and disappears from the categories
    assert rub.conversions_in == 500000
    assert rub.spent == {"food": 100000}
    assert rub.closing == 400000


def test_closing_balance_equals_the_running_balance(session, books):
    report = lines(prisoner_report(session, books.vera))
    balances = fund_balances(session, books.vera)
    assert {c: line.money(line.closing) for c, line in report.items()} == balances


def test_a_period_report_opens_with_everything_before_it(session, books):
    march = lines(prisoner_report(session, books.vera, Period(date(2026, 3, 1), date(2026, 3, 31))))
    eur = march["EUR"]
    assert eur.opening == 35000 - 315 + 4000
    assert eur.received == 0
    assert eur.conversions_out == 5000
    assert eur.refunds == 2000
    assert eur.closing == 28685
    assert march["RUB"].opening == 0
    assert march["RUB"].closing == 400000


def test_a_period_without_movements_shows_the_balance_carried_forward(session, books):
    later = lines(prisoner_report(session, books.vera, Period(date(2026, 6, 1), date(2026, 6, 30))))
    assert later["EUR"].opening == later["EUR"].closing == 28685


def test_runway_is_balance_over_monthly_need_rounded_down(session, books):
    runway = runway_for(session, books.vera)
    assert runway.months == Decimal("2.8")
    assert str(runway.balance.amount) == "286.85"
    assert runway_for(session, books.olga) is None


def test_public_prisoners_come_shortest_runway_first_without_the_hidden_one(session, books):
    order = [summary.prisoner.slug for summary in public_prisoners_by_need(session)]
    assert order == ["pavel", "vera", "olga"]


def test_search_finds_by_latin_name_region_and_cyrillic(session, books):
    assert [s.prisoner.slug for s in public_prisoners_by_need(session, "knizh")] == ["vera"]
    assert [s.prisoner.slug for s in public_prisoners_by_need(session, "Ясногорский")] == ["pavel"]
    assert [s.prisoner.slug for s in public_prisoners_by_need(session, "вера")] == ["vera"]
    assert public_prisoners_by_need(session, "Skryty") == []
    assert public_prisoners_by_need(session, "%") == []


def test_totals_raised_and_spent_cover_all_funds(session, books):
    totals = {t.currency: t for t in totals_raised_and_spent(session)}
    assert str(totals["EUR"].raised.amount) == "610.00"  # 350 + 80 general + 100 + 10 + 70
    assert str(totals["EUR"].spent.amount) == "37.00"  # parcels 30 + letters 7 (hidden, but only in the sum)
    assert str(totals["RUB"].spent.amount) == "1000.00"
    for line in totals.values():  # the columns of the home page add up to what the funds hold
        assert line.raised - line.fees_and_refunds + line.converted - line.spent == line.held
    from ledger.books.accounts import FUND_PREFIX
    from ledger.books.balances import all_balances

    held = {}
    for account, money in all_balances(session):
        if account.name.startswith(FUND_PREFIX):
            held[money.currency] = held.get(money.currency, 0) - money.minor
    assert {c: line.held.minor for c, line in totals.items()} == {c: v for c, v in held.items() if v}


def test_monthly_flows_put_donations_and_spending_in_their_months(session, books):
    flows = monthly_flows(session, books.vera, months=12, today=date(2026, 4, 30))
    eur = {flow.month: flow for flow in flows["EUR"]}
    assert len(flows["EUR"]) == 12
    assert eur[date(2026, 1, 1)].received == 10000
    assert eur[date(2026, 2, 1)].received == 25000 + 4000
    assert eur[date(2026, 3, 1)].spent == 3000
    rub = {flow.month: flow for flow in flows["RUB"]}
    assert rub[date(2026, 3, 1)].spent == 100000
    assert rub[date(2026, 4, 1)].spent == 0


def test_disbursements_mark_receipts_and_reversals(session, books):
    items = {item.entry_id: item for item in disbursements(session, books.vera)}
    assert items[books.food_entry.id].has_receipt is True
    assert items[books.clothing_entry.id].reversed is True
    assert not any(item.category in ("donation", "fee", "transfer") for item in items.values())


def test_public_donations_name_only_public_donors_and_sum_anonymous_gifts_per_month(session, books):
    donations = public_donations(session, books.vera)
    named = [d for d in donations if d.donor_name]
    assert [(d.donor_name, d.day, str(d.money.amount)) for d in named] == [
        (PUBLIC_DONOR, date(2026, 1, 10), "100.00")
    ]
    anonymous = [d for d in donations if d.donor_name is None]
    assert [(d.month, d.day, d.count, str(d.money.amount)) for d in anonymous] == [
        (date(2026, 2, 1), None, 2, "250.00")
    ]
