"""Parcel limits as a coordinator reads them, in English and Russian: which limit a parcel
meets (the month's weight it would pass, or the month's weight already used up), counts and
grams grouped the reader's way, the facility's own monthly number on the fund page, the law
cited in the reader's language, and items that weigh more than their parcel refused."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ledger.funds.models import Facility, Prisoner

NBSP = "\u00a0"


def _place(session, *, kind: str, regime: str = "none", per_month: int | None = None) -> None:
    facility = Facility(name="СИЗО-1 (fictional)", kind=kind, regime=regime, region="Мордовия")
    facility.max_parcels_per_month = per_month
    session.add(facility)
    session.flush()
    session.scalar(select(Prisoner).where(Prisoner.slug == "ilya")).facility_id = facility.id
    session.commit()


def _parcel(api, on: str, grams: int, language: str = "en", items: list | None = None):
    parcel = {"sent_on": on, "total_grams": grams, "kind": "parcel"}
    if items:
        parcel["items"] = items
    return api.post(
        "/disbursements",
        {
            "prisoner": "ilya",
            "money": {"amount": "100.00", "currency": "RUB"},
            "category": "parcels",
            "paid_from": "assets:bank:rub-main",
            "spent_on": on,
            "parcel": parcel,
        },
        language=language,
    )


def test_the_months_weight_would_be_passed_then_is_used_up(api, ilya, session):
    _place(session, kind="pre_trial")
    assert _parcel(api, "2026-03-02", 5000)[0] == 201

    status, body = _parcel(api, "2026-03-05", 26000)
    assert status == 409
    assert body["error"]["code"] == "parcel_quota"
    message = body["error"]["message"]
    assert "This parcel (26,000 g) would pass the monthly weight limit: 5,000 g of 30,000 g" in message
    assert "used up" not in message
    status, body = _parcel(api, "2026-03-05", 26000, language="ru")
    message = body["error"]["message"]
    assert f"Эта посылка (26{NBSP}000 г) превысит месячный лимит веса" in message
    assert f"5{NBSP}000 г из 30{NBSP}000 г" in message

    assert _parcel(api, "2026-03-06", 25000)[0] == 201
    status, body = _parcel(api, "2026-03-09", 1000)
    assert status == 409
    assert "This month's weight limit is used up: 30,000 g of 30,000 g sent." in body["error"]["message"]
    status, body = _parcel(api, "2026-03-09", 1000, language="ru")
    assert (
        f"Месячный лимит веса исчерпан: отправлено 30{NBSP}000 г из 30{NBSP}000 г."
        in body["error"]["message"]
    )


@pytest.mark.parametrize(
    ("language", "per_month", "no_limit", "law"),
    [
        ("en", "at most 1 a month", "no limit", "Federal Law No. 103-FZ, Art. 25 (30 kg a month)"),
        ("ru", "не больше 1 в месяц", "без ограничения", "Федеральный закон № 103-ФЗ ст. 25 (30 кг в месяц)"),
    ],
)
def test_the_fund_page_shows_the_facilitys_monthly_number_and_the_law_in_words(
    client, auth, api, ilya, session, language, per_month, no_limit, law
):
    _place(session, kind="pre_trial", per_month=1)
    auth.login("coordinator")
    page = client.get("/manage/prisoners/ilya/fund", headers={"Accept-Language": language}).text
    parcels = page.split('id="parcels"')[1].split("</table>")[0]
    assert per_month in parcels
    assert no_limit not in parcels
    assert law in page
    if language == "en":
        assert "Федеральный" not in page


def test_items_heavier_than_their_parcel_are_refused(client, auth, api, ilya, session):
    _place(session, kind="pre_trial")
    books = [{"name": "Книги", "quantity": 2, "grams": 1500, "cost": {"amount": "50.00", "currency": "RUB"}}]
    status, body = _parcel(api, "2026-03-02", 2000, items=books)
    assert status == 422
    assert body["error"]["message"] == (
        "The items weigh 3,000 g, more than the parcel's total weight of 2,000 g. "
        "Check the weights: an item's weight is for one piece."
    )
    status, body = _parcel(api, "2026-03-02", 2000, language="ru", items=books)
    assert f"Вещи весят 3{NBSP}000 г — больше, чем вся посылка ({2}{NBSP}000 г)." in body["error"]["message"]
    # On the page the same refusal, and nothing recorded.
    auth.login("coordinator")
    page = client.post(
        "/disbursements/new",
        data={
            "prisoner": "ilya",
            "amount": "100.00",
            "currency": "RUB",
            "category": "parcels",
            "paid_from": "assets:bank:rub-main",
            "spent_on": "2026-03-02",
            "parcel_sent_on": "2026-03-02",
            "parcel_total_grams": "2000",
            "items-0-name": "Книги",
            "items-0-quantity": "2",
            "items-0-grams": "1500",
        },
    )
    assert page.status_code == 200
    assert "The items weigh 3,000 g, more than the parcel&#39;s total weight of 2,000 g." in page.text
    assert _parcel(api, "2026-03-02", 3000, items=books)[0] == 201
