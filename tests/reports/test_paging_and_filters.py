"""One page-and-filter parser (ledger/reports/filters.py) for the web pages and the API: the
same limits and codes; the API answers 422, a page redirects to an address that is valid."""

from datetime import date

import pytest

from ledger.reports.csv_rows import journal_rows, trial_balance_rows
from ledger.reports.filters import (
    DEFAULT_PER_PAGE,
    LAST_PAGE,
    MAX_PER_PAGE,
    FilterError,
    Page,
    last_page,
    parse_account,
    parse_category,
    parse_page,
    read_journal_filter,
)
from ledger.reports.general_journal import JournalFilter, whole_journal_rows
from ledger.reports.trial_balance import trial_balance
from tests.helpers import bearer

BAD_PAGES = [
    ("page", "0"),
    ("page", "-1"),
    ("page", "abc"),
    ("page", ""),
    ("page", "1.5"),
    ("page", str(LAST_PAGE + 1)),
    ("per_page", "0"),
    ("per_page", str(MAX_PER_PAGE + 1)),
    ("per_page", "ten"),
]


def test_absent_page_parameters_are_the_first_page_of_the_default_size():
    assert parse_page({}) == Page(1, DEFAULT_PER_PAGE)
    assert parse_page({}, 100) == Page(1, 100)
    assert parse_page({"page": "3", "per_page": "20"}) == Page(3, 20)
    assert Page(3, 20).offset == 40
    assert parse_page({"page": str(LAST_PAGE), "per_page": str(MAX_PER_PAGE)}) == Page(
        LAST_PAGE, MAX_PER_PAGE
    )


@pytest.mark.parametrize(("name", "value"), BAD_PAGES)
def test_a_page_outside_the_limits_is_refused_naming_its_parameter(name, value):
    with pytest.raises(FilterError) as raised:
        parse_page({name: value})
    assert (raised.value.code, raised.value.field) == ("invalid_page", name)


def test_the_last_page_of_a_list():
    assert last_page(0, 50) == 1
    assert last_page(50, 50) == 1
    assert last_page(51, 50) == 2


def test_account_and_category_filters():
    assert parse_account({"account": "  assets: "}) == "assets:"
    assert parse_account({"account": ""}) is None
    assert parse_account({"account": "x" * 300}) == "x" * 200
    assert parse_category({"category": "food"}) == "food"
    with pytest.raises(FilterError) as raised:
        parse_category({"category": "weapons"})
    assert (raised.value.code, raised.value.field) == ("unknown_category", "category")


def test_journal_filter_lists_every_problem_in_order_and_keeps_an_unknown_prisoner(session, books):
    args = {"category": "weapons", "from": "2026-13-01", "prisoner": "nobody", "account": "assets:"}
    filters, errors = read_journal_filter(session, args)
    assert [(e.code, e.field) for e in errors] == [
        ("unknown_category", "category"),
        ("invalid_date", "from"),
        ("unknown_prisoner_filter", "prisoner"),
    ]
    assert errors[2].params == {"value": "nobody"}
    assert filters == JournalFilter(account="assets:", prisoner_slug="nobody")
    good, none = read_journal_filter(session, {"prisoner": "vera", "from": "2026-01-01"})
    assert none == []
    assert (good.prisoner_slug, good.period.start) == ("vera", date(2026, 1, 1))


@pytest.mark.parametrize(("name", "value"), BAD_PAGES)
def test_api_and_page_refuse_the_same_pages(client, auth, tokens, books, name, value):
    answer = client.get(f"/api/v1/journal?{name}={value}", headers=bearer(tokens["auditor"]))
    assert answer.status_code == 422
    assert (answer.get_json()["error"]["code"], answer.get_json()["error"]["field"]) == ("invalid_page", name)
    auth.login("auditor")
    page = client.get(f"/reports/journal?category=food&{name}={value}", headers={"Accept-Language": "en"})
    assert page.status_code == 302
    assert page.headers["Location"] == "/reports/journal?category=food"
    shown = client.get(page.headers["Location"], headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Pages are numbered from 1" in shown


def test_a_page_drops_every_bad_page_parameter_in_one_redirect(client, auth, books):
    auth.login("auditor")
    page = client.get("/reports/receipts?page=x&per_page=0&prisoner=vera")
    assert page.status_code == 302
    assert page.headers["Location"] == "/reports/receipts?prisoner=vera"


def test_a_page_past_the_end_redirects_to_the_last_page(client, auth, tokens, books):
    auth.login("auditor")
    page = client.get("/reports/journal?prisoner=vera&per_page=3&page=99")
    assert page.status_code == 302
    assert page.headers["Location"] == "/reports/journal?prisoner=vera&per_page=3&page=4"  # 10 entries
    assert client.get(page.headers["Location"]).status_code == 200
    assert client.get("/reports/journal?prisoner=vera&per_page=3&page=4").status_code == 200
    nothing = client.get("/reports/receipts?prisoner=olga&page=2")
    assert nothing.headers["Location"] == "/reports/receipts?prisoner=olga&page=1"
    # The API answers what was asked: an empty page past the end, with the total.
    body = client.get(
        "/api/v1/journal?prisoner=vera&per_page=3&page=99", headers=bearer(tokens["auditor"])
    ).get_json()
    assert (body["entries"], body["total"]) == ([], 10)


def test_csv_rows_are_built_without_flask(session, books):
    whole = list(journal_rows(session, JournalFilter()))
    assert whole == list(whole_journal_rows(session))
    food = list(journal_rows(session, JournalFilter(category="food")))
    assert {row[0] for row in food} == {books.food_entry.id}
    assert {row[10] for row in food} == {"1000.00", "-1000.00"}
    vera_eur = [
        row
        for row in trial_balance_rows(trial_balance(session))
        if row[0] == "liabilities:funds:prisoner:vera" and row[2] == "EUR"
    ]
    assert len(vera_eur) == 1
    assert all(isinstance(cell, str) for cell in vera_eur[0])


@pytest.mark.parametrize("path", ["/manage/prisoners", "/manage/funds", "/checkpoints"])
def test_other_lists_share_the_rule(client, auth, books, path):
    auth.login("coordinator")
    past = client.get(f"{path}?per_page=2&page=50")
    assert past.status_code == 302
    assert past.headers["Location"].startswith(f"{path}?per_page=2&page=")
    assert client.get(past.headers["Location"]).status_code == 200
    bad = client.get(f"{path}?per_page=9999")
    assert (bad.status_code, bad.headers["Location"]) == (302, path)
