"""Russian as a native speaker writes it: a prisoner whose gender isn't recorded is described
in neutral words (never the masculine), a sentence that ends with a date has one full stop,
and amounts are typed and explained with a decimal comma."""

from __future__ import annotations

import re

RU = {"Accept-Language": "ru"}


def test_an_unknown_gender_reads_neutral_not_masculine(client, auth, api, ilya):
    status, body = api.patch("/prisoners/ilya", {"status": "sentenced"})
    assert status == 200, body
    public = client.get("/prisoners/ilya", headers=RU).text
    assert "Приговор вынесен" in public
    assert "Осуждён" not in public
    assert "Осуждена" not in public
    assert "Sentenced" in client.get("/prisoners/ilya").text

    status, body = api.post(
        "/prisoners/ilya/events", {"type": "released", "on": "2026-04-01", "fund_policy": "keep"}
    )
    assert status == 201, body
    public = client.get("/prisoners/ilya", headers=RU).text
    assert "Дата освобождения: 1 апр. 2026. Фонд сохранён" in public
    assert "Освобождён" not in public
    auth.login("coordinator")
    listing = client.get("/manage/prisoners", headers=RU).text
    assert "На свободе" in listing
    assert "Освобождён" not in listing
    fund = client.get("/manage/prisoners/ilya/fund", headers=RU).text
    assert "Освобождение" in fund or "На свободе" in fund
    assert "Освобождён" not in fund


def test_a_sentence_ending_with_a_date_has_one_full_stop(client, auth, api, ilya):
    status, body = api.post(
        "/prisoners/ilya/events", {"type": "died", "on": "2026-12-07", "fund_policy": "keep"}
    )
    assert status == 201, body
    auth.login("coordinator")
    fund = client.get("/manage/prisoners/ilya/fund", headers=RU).text
    assert "Дата смерти: 7 дек. 2026." in fund
    assert ".." not in re.sub(r"<[^>]+>", "", fund).replace("...", "")
    assert "г.." not in client.get("/prisoners/ilya", headers=RU).text


def test_russian_amounts_take_a_comma_and_are_explained_with_one(client, auth, api, ilya):
    auth.login("coordinator")
    spending = {
        "prisoner": "ilya",
        "amount": "12.3.4",
        "currency": "RUB",
        "category": "food",
        "paid_from": "assets:bank:rub-main",
        "spent_on": "2026-03-02",
    }
    page = client.post("/disbursements/new", data=spending, headers=RU)
    assert page.status_code == 200
    assert "Введите сумму цифрами, например, 1250,50." in page.text
    english = client.post("/disbursements/new", data=spending)
    assert "Enter the amount in digits, like 1250.50." in english.text
    recorded = client.post("/disbursements/new", data={**spending, "amount": "1250,50"}, headers=RU)
    assert recorded.status_code == 302
