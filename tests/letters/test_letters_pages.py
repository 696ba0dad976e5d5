"""The letters pages as coordinators, admins and auditors use them (issue 29)."""

from __future__ import annotations

import html

from sqlalchemy import func, select

from ledger.books.models import JournalEntry
from ledger.funds.models import Facility, Prisoner
from ledger.letters.models import Letter, LetterService
from tests.letters.conftest import SIZO


def _count(session, model) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def _form(**overrides):
    data = {
        "prisoner": "ilya",
        "service": "fsin_pismo",
        "sent_on": "2026-04-02",
        "pages": "2",
        "images": "2",
        "reply_form": "y",
        "cost": "",
        "currency": "RUB",
        "paid_from": "assets:bank:rub-main",
    }
    data.update(overrides)
    return data


def test_a_coordinator_records_letters_and_a_reply_on_the_page(client, auth, api, ilya_in_sizo, session):
    auth.login("coordinator")
    page = client.get("/manage/letters?month=2026-04")
    assert page.status_code == 200
    assert "Record a letter" in page.text
    entries = _count(session, JournalEntry)
    response = client.post("/manage/letters", data=_form())
    assert response.status_code == 302
    assert _count(session, JournalEntry) == entries + 1
    response = client.post("/manage/letters", data=_form(service="rosuznik", images="0", reply_form=""))
    assert response.status_code == 302
    assert _count(session, JournalEntry) == entries + 1
    assert _count(session, Letter) == 2
    page = client.get("/manage/letters?month=2026-04")
    assert "RUB 180.00" in page.text.replace("\xa0", " ")
    # Two sent, none answered: both unanswered in the month's row.
    assert "<strong>2</strong>" in page.text

    letter = session.scalar(select(Letter).where(Letter.images == 2))
    response = client.post(f"/manage/letters/{letter.id}/reply", data={"on": "2026-04-20"})
    assert response.status_code == 302
    session.expire_all()
    assert str(session.get(Letter, letter.id).replied_on) == "2026-04-20"


def test_a_refused_letter_is_shown_on_the_form_in_russian_and_nothing_is_written(
    client, auth, api, ilya_in_sizo, session
):
    auth.login("coordinator")
    client.get("/language/ru")
    response = client.post("/manage/letters", data=_form(service="zonatelecom"))
    assert response.status_code == 400
    assert "Для сервиса «Zonatelecom» у нас не указана цена" in response.text
    response = client.post("/manage/letters", data=_form(cost="99999,00"))
    assert response.status_code == 400
    assert "Не хватает денег" in response.text
    assert _count(session, Letter) == 0


def test_auditors_read_but_do_not_record(client, auth, api, ilya_in_sizo, session):
    auth.login("auditor")
    assert client.get("/manage/letters").status_code == 200
    assert client.post("/manage/letters", data=_form()).status_code == 403
    assert _count(session, Letter) == 0
    assert client.get("/manage/letter-services").status_code == 200
    assert client.get("/manage/letter-services/fsin_pismo/edit").status_code == 403


def test_an_admin_edits_a_service_and_the_public_page_follows(client, auth, api, ilya_in_sizo, session):
    auth.login("admin")
    page = client.get("/manage/letter-services/zonatelecom/edit")
    assert page.status_code == 200
    response = client.post(
        "/manage/letter-services/zonatelecom/edit",
        data={
            "name": "Zonatelecom",
            "name_ru": "Зонателеком",
            "url": "https://zonatelecom.ru/",
            "letter_price": "40.00",
            "reply_form_price": "",
            "image_price": "",
            "serves_all": "y",
            "regions": "",
            "note": "",
            "active": "y",
        },
    )
    assert response.status_code == 302
    service = session.scalar(select(LetterService).where(LetterService.key == "zonatelecom"))
    session.refresh(service)
    assert service.letter_price_minor == 4000
    auth.logout()
    assert "RUB\xa040.00 a letter" in client.get("/prisoners/ilya").text


def test_facility_and_profile_forms_carry_the_letter_fields(client, auth, api, ilya_in_sizo, session):
    auth.login("coordinator")
    facility = session.scalar(select(Facility).where(Facility.name == SIZO["name"]))
    page = client.get(f"/manage/facilities/{facility.id}/edit")
    assert SIZO["postal_address_latin"] in page.text
    response = client.post(
        f"/manage/facilities/{facility.id}/edit",
        data={
            "name": facility.name,
            "kind": "pre_trial",
            "regime": "none",
            "postal_address_ru": "000000, г. Новый, ФКУ СИЗО-1 ФСИН России",
            "postal_address_latin": "",
        },
    )
    assert response.status_code == 302
    page = client.get("/manage/prisoners/ilya/edit")
    assert 'name="letter_birth_date_consent"' in page.text
    assert 'value="1990-02-01"' in page.text
    response = client.post(
        "/manage/prisoners/ilya/edit",
        data={
            "name": "Фиктивный Илья Петрович",
            "name_latin": "Fiktivny Ilya Petrovich",
            "status": "awaiting_trial",
            "facility": str(facility.id),
            "birth_date": "1990-02-01",
            "letter_birth_date_consent": "y",
            "channel_url": "https://t.me/fictional_support",
            "public": "y",
            "need_currency": "RUB",
            "gender": "",
            "conditions": "",
            "lifecycle_public": "status",
        },
    )
    assert response.status_code == 302, response.text
    prisoner = session.scalar(select(Prisoner).where(Prisoner.slug == "ilya"))
    session.refresh(prisoner)
    assert prisoner.letter_birth_date_consent is True
    auth.logout()
    page = client.get("/prisoners/ilya").text
    assert "000000, г. Новый, ФКУ СИЗО-1 ФСИН России, Фиктивный Илья Петрович, 01.02.1990 г. р." in page
    assert "born on" not in page  # no Latin postal address any more: no Latin form


def test_above_the_threshold_the_page_says_the_letter_waits_for_sign_off(
    client, auth, api, ilya_in_sizo, session
):
    status, body = api.as_("admin").put("/settings/approval-thresholds", {"thresholds": {"RUB": "100.00"}})
    assert status == 200, body
    auth.login("coordinator")
    entries = _count(session, JournalEntry)
    response = client.post("/manage/letters", data=_form(), follow_redirects=True)
    assert response.status_code == 200
    assert "needs a second person's sign-off" in html.unescape(response.text)
    assert _count(session, JournalEntry) == entries
    assert _count(session, Letter) == 1
    page = client.get("/manage/letters?month=2026-04")
    assert "waiting for sign-off" in page.text
