"""Currency lists start with the currencies the books use (their own group), then the rest;
a form's currency starts as the one its account holds — from an empty database, on the pages."""

import re

from sqlalchemy import func, select

from ledger.books.models import JournalEntry
from ledger.money import CURRENCIES


def _groups(page: str, name: str) -> dict[str, list[str]]:
    select_html = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    groups = {}
    for label, body in re.findall(r'<optgroup label="([^"]*)">(.*?)</optgroup>', select_html, re.S):
        groups[label] = re.findall(r'value="([^"]*)"', body)
    return groups


def _selected(page: str, name: str) -> str | None:
    select_html = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    match = re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', select_html)
    return next(filter(None, match.groups())) if match else None


def test_currencies_in_use_come_first_and_forms_start_in_their_accounts_currency(client, auth, session):
    auth.login("admin")
    empty = client.get("/admin/accounts").text
    assert _groups(empty, "currency") == {}  # nothing in use yet: one plain list
    for name, currency in (("assets:bank:eur-main", "EUR"), ("assets:bank:rub-main", "RUB")):
        client.post("/admin/accounts", data={"name": name, "currency": currency, "label": currency})
    auth.logout()
    auth.login("coordinator")
    client.post(
        "/manage/prisoners/new",
        data={"slug": "oleg-s", "name": "Олег С.", "status": "sentenced", "need_currency": "RUB"},
    )

    page = client.get("/disbursements/new").text
    groups = _groups(page, "currency")
    assert list(groups) == ["In use", "Other currencies"]
    assert groups["In use"] == ["EUR", "RUB"]
    # Then only the common ones; every ISO code when the page is asked for all (a plain link).
    assert groups["Other currencies"][:3] == ["USD", "GBP", "CHF"]
    assert "AFN" not in groups["Other currencies"]
    everything = _groups(client.get("/disbursements/new?currencies=all").text, "currency")
    assert len(everything["In use"]) + len(everything["Other currencies"]) == len(CURRENCIES)
    # The first account money is paid from holds EUR: the currency starts as EUR, not RUB.
    assert _selected(page, "paid_from") == "assets:bank:eur-main"
    assert _selected(page, "currency") == "EUR"
    rub = client.get("/disbursements/new?paid_from=assets:bank:rub-main").text
    assert _selected(rub, "currency") == "RUB"

    gift = client.get("/donations/new").text
    assert _selected(gift, "asset") == "assets:bank:eur-main"
    assert _selected(gift, "currency") == "EUR"
    assert _groups(gift, "currency")["In use"] == ["EUR", "RUB"]
    russian = client.get("/disbursements/new", headers={"Accept-Language": "ru"}).text
    assert list(_groups(russian, "currency")) == ["Используются", "Другие валюты"]

    refused = client.post(
        "/donations/new",
        data={
            "fund": "oleg-s",
            "amount": "10",
            "currency": "XYZ",
            "method": "bank",
            "asset": "assets:bank:eur-main",
            "received_on": "2026-02-03",
        },
    )
    assert refused.status_code in (200, 400)
    assert "Not a valid choice" in refused.text
    assert session.scalar(select(func.count()).select_from(JournalEntry)) == 0
