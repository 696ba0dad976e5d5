"""The prisoner page's chart shows conversions on both sides (out of EUR, into RUB), says
its figures in a table, and has a year-by-year view."""

import re
from datetime import date

from ledger.books.accounts import fund_account_for, get_or_create_account
from ledger.books.posting import PostingDraft
from ledger.reports.prisoner_report import MonthFlow
from ledger.web.charts import month_chart
from tests.factories import money, post
from tests.helpers import seal


def _figures(html: str, currency: str) -> str:
    start = html.index(f"The figures, {currency}")
    return html[start : html.index("</table>", start)]


def test_a_month_with_eur_in_and_rub_spent_shows_the_exchange_linking_them(client, books):
    html = client.get("/prisoners/vera", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'class="bar bar-converted_out"' in html
    assert 'class="bar bar-converted_in"' in html
    assert "Converted in" in html
    assert "Converted out" in html
    eur, rub = _figures(html, "EUR"), _figures(html, "RUB")
    march_eur = re.search(r"<tr><td>March 2026</td>(.*?)</tr>", eur).group(1)
    march_rub = re.search(r"<tr><td>March 2026</td>(.*?)</tr>", rub).group(1)
    assert re.findall(r'class="num">([^<]*)<', march_eur)[-1] == "€50.00"  # converted out of EUR
    assert "RUB\xa05,000.00" in re.findall(r'class="num">([^<]*)<', march_rub)[1]  # converted into RUB


def test_the_year_by_year_view_goes_back_to_the_funds_first_year(app, client, session, books, auth):
    fund = fund_account_for(session, books.vera)
    bank = get_or_create_account(session, "assets:bank:eur-main")
    post(
        session,
        date(2024, 5, 2),
        "Bank transfer",
        [PostingDraft(bank, money("70.00"), "donation"), PostingDraft(fund, -money("70.00"), "donation")],
    )
    session.commit()
    seal(session)
    # A gift recorded late never changes a published year: the public sees it in the open one.
    public = app.test_client().get("/prisoners/vera?chart=years").get_data(as_text=True)
    assert "<tr><td>2024</td>" not in _figures(public, "EUR")
    auth.login("auditor")  # staff see the live books, the gift on its own day
    html = client.get("/prisoners/vera?chart=years", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Money in and out, year by year" in html
    assert "Money in and out per year, EUR" in html
    eur = _figures(html, "EUR")
    assert "<tr><td>2024</td>" in eur
    assert "<tr><td>2026</td>" in eur
    assert "<tr><td>2025</td>" not in eur  # a year without money in or out has no row (its bars are empty)
    russian = client.get("/prisoners/vera?chart=years", headers={"Accept-Language": "ru"}).get_data(
        as_text=True
    )
    assert "по годам" in russian


def test_conversions_stack_on_their_side_and_the_scale_counts_them():
    flows = [MonthFlow(date(2026, 3, 1), received=100, spent=40, converted_in=50, converted_out=110)]
    chart = month_chart("EUR", flows)
    assert chart.largest == 150
    bars = {bar.kind: bar for bar in chart.slots[0].bars}
    assert bars["received"].y == round(bars["converted_in"].y + bars["converted_in"].height, 1)
    assert bars["received"].x == bars["converted_in"].x != bars["spent"].x == bars["converted_out"].x
    assert round(bars["received"].height + bars["converted_in"].height) == chart.baseline - chart.top
    quiet = month_chart("EUR", [MonthFlow(date(2026, 4, 1), received=10)])
    assert [bar.kind for bar in quiet.slots[0].bars] == ["received", "spent"]
    assert not quiet.has_conversions
