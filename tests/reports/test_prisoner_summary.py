from datetime import date

from ledger.books.accounts import fund_account_for, get_or_create_account
from ledger.books.posting import EntryDraft, PostingDraft, post_entry
from ledger.money import Money
from ledger.reports.prisoner_summary import prisoner_period_summary
from tests.conftest import donate, make_prisoner


def _rub(minor: int) -> Money:
    return Money.from_minor(minor, "RUB")


def test_opening_categories_and_closing_per_currency(session):
    prisoner = make_prisoner(session)
    fund = fund_account_for(session, prisoner)
    bank = get_or_create_account(session, "assets:bank:rub-main")
    donate(session, prisoner, "1000.00", "RUB", on=date(2025, 12, 20))
    donate(session, prisoner, "500.00", "RUB", on=date(2026, 1, 3))
    donate(session, prisoner, "30.00", "EUR", on=date(2026, 1, 4))
    post_entry(session, EntryDraft(date(2026, 1, 10), "Food parcel", [
        PostingDraft(fund, _rub(20000), "food"), PostingDraft(bank, _rub(-20000))]))
    donate(session, prisoner, "99.00", "RUB", on=date(2026, 2, 1))  # after the period
    session.commit()

    summary = prisoner_period_summary(session, fund, date(2026, 1, 1), date(2026, 1, 31))

    assert set(summary) == {"EUR", "RUB"}
    rub = summary["RUB"]
    assert rub.opening == _rub(100000)
    assert rub.by_category == {"donation": _rub(50000), "food": _rub(-20000)}
    assert rub.closing == _rub(130000)
    eur = summary["EUR"]
    assert eur.opening == Money.from_minor(0, "EUR") and eur.closing == Money.from_minor(3000, "EUR")


def test_a_fund_without_postings_has_an_empty_summary(session):
    prisoner = make_prisoner(session)
    session.commit()
    assert prisoner_period_summary(session, fund_account_for(session, prisoner), date(2026, 1, 1),
                                   date(2026, 12, 31)) == {}
