"""Public prisoner pages and the home page, over HTTP."""

import re

from ledger.books.models import LedgerHead
from tests.factories import ANONYMOUS_EMAIL, HIDDEN_NAME, PUBLIC_DONOR, PUBLIC_DONOR_EMAIL


def html_of(client, url, status=200, **headers):
    response = client.get(url, headers={"Accept-Language": "en", **headers})
    assert response.status_code == status, url
    return response.get_data(as_text=True)


def test_prisoner_page_shows_profile_address_balances_and_runway(client, books):
    html = html_of(client, "/prisoners/vera")
    assert "Вера Книжкина" in html
    assert "Vera Knizhkina" in html
    assert "Vera is a librarian." in html
    assert "ИК-1, ул. Лесная, 1, Северогорск, 169001" in html
    assert "€286.85" in html
    assert "RUB4,000.00" in html.replace("\xa0", "")
    assert "Covered for 2.8 months" in html
    assert "€100.00" in html


def test_prisoner_page_links_the_donate_button_to_the_donation_form(client, books):
    html = html_of(client, "/prisoners/vera")
    assert 'href="/donate?prisoner=vera"' in html


def test_prisoner_page_draws_the_monthly_chart_as_inline_svg_without_styles_or_scripts(client, books):
    html = html_of(client, "/prisoners/vera")
    assert "<svg" in html
    assert 'class="bar bar-received"' in html
    assert 'class="bar bar-spent"' in html
    assert "style=" not in html
    assert "<style" not in html
    # Scripts only from our own /static (tables.js), never inline (strict CSP).
    assert re.findall(r"<script\b[^>]*>", html) == ['<script src="/static/tables.js" defer>']
    # No CDN, nothing external is loaded (links out, such as letter services', are anchors).
    loaded = re.sub(r'<a [^>]*href="https?://[^"]*"', "<a", html)
    assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", loaded)


def test_prisoner_page_lists_spending_by_category_and_disbursements_with_a_receipt_marker(client, books):
    html = html_of(client, "/prisoners/vera")
    assert "Spending by category" in html
    assert "Food" in html
    assert "Parcels and postage" in html
    assert "Food parcel" in html
    assert "receipt on file" in html
    assert "a" * 64 not in html
    assert "receipt.pdf" not in html
    assert "reversed" in html


def test_prisoner_page_names_public_donors_only_and_never_an_email(client, books):
    html = html_of(client, "/prisoners/vera")
    assert PUBLIC_DONOR in html
    assert "gifts, net of fees" in html  # the published cells, not one gift each
    assert PUBLIC_DONOR_EMAIL not in html
    assert ANONYMOUS_EMAIL not in html
    assert "@" not in html


def test_hidden_and_unknown_prisoners_are_not_found(client, books):
    assert HIDDEN_NAME not in html_of(client, "/prisoners/hidden-one", status=404)
    html_of(client, "/prisoners/nobody", status=404)
    html_of(client, "/prisoners/hidden-one/report", status=404)
    html_of(client, "/prisoners/hidden-one/report.csv", status=404)


def test_prisoner_page_in_russian_formats_money_with_babel(client, books):
    html = html_of(client, "/prisoners/vera", **{"Accept-Language": "ru"})
    assert "286,85\xa0€" in html


def test_home_lists_public_prisoners_by_need_with_totals_and_the_ledger_head(client, session, books):
    html = html_of(client, "/")
    positions = [html.index(f'href="/prisoners/{slug}"') for slug in ("pavel", "vera", "olga")]
    assert positions == sorted(positions)
    assert "hidden-one" not in html
    assert HIDDEN_NAME not in html
    assert "Raised and spent" in html
    assert "€586.85" in html  # 610.00 received, net of a 3.15 card fee and a 20.00 refund
    head = session.get(LedgerHead, 1)  # sealed by the latest checkpoint
    assert head.head_hash in html
    assert f"{head.entry_count} entries sealed by the latest signed checkpoint" in html


def test_home_search_filters_the_list(client, books):
    html = html_of(client, "/?q=Perov")
    assert 'href="/prisoners/pavel"' in html
    assert 'href="/prisoners/vera"' not in html
    assert 'value="Perov"' in html
    html = html_of(client, "/?q=Skryty")
    assert "No prisoner matches your search." in html
    assert "hidden-one" not in html


def test_home_page_without_data_still_renders(client):
    html = html_of(client, "/")
    assert "No prisoners are listed yet." in html


def test_report_page_shows_every_line_for_the_period(client, books):
    html = html_of(client, "/prisoners/vera/report?from=2026-03-01&to=2026-03-31")
    for label in (
        "Opening balance",
        "Received (gross)",
        "Processor fees",
        "Transfers in",
        "Conversions out",
        "Spent: Food",
        "Refunds",
        "Closing balance",
    ):
        assert label in html
    assert "€386.85" in html
    assert "€286.85" in html


def test_report_page_explains_a_bad_date(client, books):
    html = html_of(client, "/prisoners/vera/report?from=2026-13-01", status=400)
    assert "YYYY-MM-DD" in html
    html = html_of(client, "/prisoners/vera/report?from=2026-04-01&to=2026-03-01", status=400)
    assert "before its start" in html


def test_nav_shows_the_books_only_to_readers(client, auth, books):
    assert 'href="/reports/"' not in html_of(client, "/")
    auth.login("auditor")
    assert 'href="/reports/"' in html_of(client, "/")
