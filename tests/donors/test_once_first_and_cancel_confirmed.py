"""A donor's defaults and second thoughts: the bank-transfer pledge page proposes a one-off
gift first, as the card form does, and cancelling a gift from the signed link asks once more
(a page, no script) before anything changes, in English and Russian."""

import re

import pytest
from sqlalchemy import select

from ledger.funds.donor_links import donor_token
from ledger.funds.models import Pledge


def _radios(page: str) -> list[tuple[str, bool]]:
    tags = re.findall(r'<input[^>]*name="frequency"[^>]*>', page)
    return [(re.search(r'value="([^"]+)"', tag).group(1), "checked" in tag) for tag in tags]


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_pledge_page_proposes_once_first_like_the_card_form(client, eur_details, language):
    headers = {"Accept-Language": language}
    pledge_page = client.get("/pledge", headers=headers).get_data(as_text=True)
    donate_page = client.get("/donate", headers=headers).get_data(as_text=True)
    assert _radios(pledge_page) == [("one_off", True), ("monthly", False)]
    assert [value for value, _ in _radios(donate_page)] == ["one_off", "monthly"]
    once = "Once" if language == "en" else "Один раз"
    assert pledge_page.index(once) < pledge_page.index("Every month" if language == "en" else "Каждый месяц")


@pytest.mark.parametrize(
    ("language", "question", "button", "done"),
    [
        ("en", "Cancel this gift?", "Yes, cancel the gift", "Your gift is cancelled."),
        ("ru", "Отменить это пожертвование?", "Да, отменить пожертвование", "Пожертвование отменено."),
    ],
)
def test_cancelling_a_gift_asks_once_more(
    app, client, session, eur_details, language, question, button, done
):
    headers = {"Accept-Language": language}
    created = client.post(
        "/api/v1/public-pledges",
        json={"money": {"amount": "30", "currency": "EUR"}, "frequency": "monthly", "email": "d@example.net"},
    )
    assert created.status_code == 201
    reference = created.get_json()["pledge"]["reference"]
    pledge = session.scalar(select(Pledge).where(Pledge.reference == reference))
    link = "/my-gift/" + donor_token(app.config["SECRET_KEY"], pledge.donor_id)

    gifts = client.get(link, headers=headers).get_data(as_text=True)
    cancel_link = f"{link}/{reference}/cancel"
    assert f'href="{cancel_link}"' in gifts
    asked = client.get(cancel_link, headers=headers)
    assert asked.status_code == 200
    text = asked.get_data(as_text=True)
    assert question in text
    assert button in text
    assert reference in text
    assert "30" in text
    assert (
        f'href="{link}">{"No, keep it" if language == "en" else "Нет, оставить"}</a>' in text
    )  # the way back
    # Asking changes nothing, nor does a POST that skipped the question.
    client.post(cancel_link, headers=headers)
    session.expire_all()
    assert session.get(Pledge, pledge.id).status == "active"

    answered = client.post(cancel_link, data={"confirm": "yes"}, headers=headers, follow_redirects=True)
    assert done in answered.get_data(as_text=True)
    session.expire_all()
    assert session.get(Pledge, pledge.id).status == "cancelled"


def test_a_russian_donor_writes_the_amount_with_a_comma(client, session, eur_details):
    data = {"amount": "1250,50", "currency": "EUR", "prisoner": "general", "frequency": "one_off"}
    page = client.post("/pledge", data=data, headers={"Accept-Language": "ru"})
    assert page.status_code == 200, page.get_data(as_text=True)
    assert session.scalar(select(Pledge.amount_minor)) == 125050
    refused = client.post("/pledge", data={**data, "amount": "12,3,4"}, headers={"Accept-Language": "ru"})
    assert refused.status_code == 400
    assert "например, 1250,50" in refused.get_data(as_text=True)
