"""The spending form proposes what most spending is: in the prisoner's need currency, paid
from an account that holds it, accounts named by their labels, the books' currencies first
and only the common others unless every currency is asked for (a plain link, no script)."""

import re

import pytest

PRISONER = {
    "slug": "oleg-s",
    "name": "Олег С.",
    "name_latin": "Oleg S.",
    "status": "awaiting_trial",
    "need_amount": "12000",
    "need_currency": "RUB",
    "public": "y",
}


@pytest.fixture
def accounts(client, auth):
    auth.login("admin")
    for name, currency, label, label_ru in (
        ("assets:bank:eur-main", "EUR", "Main bank EUR", "Основной счёт EUR"),
        ("assets:cash:office-rub", "RUB", "Office cash", "Касса офиса"),
    ):
        opened = client.post(
            "/admin/accounts", data={"name": name, "currency": currency, "label": label, "label_ru": label_ru}
        )
        assert opened.status_code == 302
    auth.logout()
    auth.login("coordinator")
    assert client.post("/manage/prisoners/new", data=PRISONER).status_code == 302


def _select(page: str, name: str) -> str:
    return re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)


@pytest.mark.parametrize(
    ("language", "cash_label"), [("en", "Office cash (RUB)"), ("ru", "Касса офиса (RUB)")]
)
def test_the_form_proposes_the_needs_currency_and_names_accounts_by_label(
    client, accounts, language, cash_label
):
    page = client.get("/disbursements/new?prisoner=oleg-s", headers={"Accept-Language": language}).text
    currency = _select(page, "currency")
    paid_from = _select(page, "paid_from")
    assert re.search(r'<option[^>]*value="RUB"[^>]*selected|<option selected[^>]*value="RUB"', currency)
    assert re.search(
        r'<option[^>]*value="assets:cash:office-rub"[^>]*selected|<option selected[^>]*value="assets:cash:office-rub"',
        paid_from,
    )
    assert cash_label in paid_from
    assert ">assets:" not in paid_from  # codes are the values, not the words

    # The accounts' currencies first, then the common ones; not every ISO code.
    codes = re.findall(r'value="([A-Z]{3})"', currency)
    assert codes[:2] == ["EUR", "RUB"]
    assert "USD" in codes
    assert "AFN" not in codes
    more = re.search(r'<a class="hint" href="([^"]+)">', page)
    assert more is not None
    assert ("Another currency" if language == "en" else "Другая валюта") in page
    everything = client.get(more.group(1).replace("&amp;", "&"), headers={"Accept-Language": language}).text
    all_codes = re.findall(r'value="([A-Z]{3})"', _select(everything, "currency"))
    assert "AFN" in all_codes
    assert all_codes[:2] == ["EUR", "RUB"]
    # Asked for by the link, the prisoner is still chosen and the currency still proposed.
    assert re.search(
        r'<option[^>]*value="RUB"[^>]*selected|<option selected[^>]*value="RUB"',
        _select(everything, "currency"),
    )


@pytest.mark.parametrize(
    ("language", "refusal"),
    [("en", "Not enough money in Fund of Oleg S."), ("ru", "Не хватает денег (Фонд: Олег С.)")],
)
def test_refusals_and_entries_name_accounts_in_words(client, accounts, language, refusal):
    headers = {"Accept-Language": language}
    spending = {
        "prisoner": "oleg-s",
        "amount": "100",
        "currency": "RUB",
        "category": "food",
        "paid_from": "assets:cash:office-rub",
        "spent_on": "2026-03-02",
    }
    page = client.post("/disbursements/new", data=spending, headers=headers).text
    assert refusal in page
    assert "liabilities:funds" not in page
    # A gift in cash, then the spending: the entry page names the accounts in words.
    gift = {
        "fund": "oleg-s",
        "amount": "500",
        "currency": "RUB",
        "asset": "assets:cash:office-rub",
        "received_on": "2026-03-01",
        "method": "cash",
    }
    assert client.post("/donations/new", data=gift).status_code == 302
    recorded = client.post("/disbursements/new", data=spending, headers=headers)
    assert recorded.status_code == 302
    entry = client.get(recorded.headers["Location"], headers=headers).text
    assert ("Office cash" if language == "en" else "Касса офиса") in entry
    assert ("Fund of Oleg S." if language == "en" else "Олег С.") in entry
