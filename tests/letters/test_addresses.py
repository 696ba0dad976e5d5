"""Where to write, always current: the address follows the lifecycle timeline, both forms,
the birth date only with consent, none while the whereabouts are unknown (issue 29)."""

from __future__ import annotations

import html
import re

from tests.letters.conftest import COLONY, SIZO


def _page(client, language: str = "en") -> str:
    response = client.get("/prisoners/ilya", headers={"Accept-Language": language})
    assert response.status_code == 200
    text = re.sub(r"<[^>]+>", "", response.get_data(as_text=True))
    return html.unescape(text).replace("\xa0", " ")


def test_the_address_is_the_current_facility_s_in_both_forms(api, ilya_in_sizo, client):
    status, body = api.get("/prisoners/ilya/letter-address")
    assert status == 200, body
    address = body["address"]
    assert address["state"] == "ok"
    assert address["facility"] == SIZO["name"]
    assert address["since"] == "2026-03-01"
    assert address["russian"] == f"{SIZO['postal_address_ru']}, Фиктивный Илья Петрович"
    assert address["latin"] == f"{SIZO['postal_address_latin']}, Fiktivny Ilya Petrovich"
    # The birth date is known but the switch is off: it appears nowhere.
    page = _page(client)
    assert address["russian"] in page
    assert address["latin"] in page
    assert "01.02.1990" not in page
    assert "1990-02-01" not in client.get("/api/v1/prisoners/ilya").get_data(as_text=True)


def test_the_birth_date_appears_only_with_consent(api, ilya_in_sizo, client):
    status, body = api.patch("/prisoners/ilya", {"letter_birth_date_consent": True})
    assert status == 200, body
    _status, body = api.get("/prisoners/ilya/letter-address")
    assert body["address"]["russian"].endswith("Фиктивный Илья Петрович, 01.02.1990 г. р.")
    assert body["address"]["latin"].endswith("Fiktivny Ilya Petrovich, born on 01.02.1990")
    assert "01.02.1990 г. р." in _page(client, "ru")
    api.patch("/prisoners/ilya", {"letter_birth_date_consent": False})
    _status, body = api.get("/prisoners/ilya/letter-address")
    assert "01.02.1990" not in body["address"]["russian"]
    assert "01.02.1990" not in _page(client)


def test_a_transfer_moves_the_address_and_unknown_whereabouts_hide_it(api, ilya_in_sizo, client):
    status, body = api.post(
        "/prisoners/ilya/events", {"type": "transferred", "on": "2026-05-10", "facility": COLONY["name"]}
    )
    assert status == 201, body
    _status, body = api.get("/prisoners/ilya/letter-address")
    assert body["address"]["facility"] == COLONY["name"]
    assert body["address"]["since"] == "2026-05-10"
    assert body["address"]["russian"].startswith(COLONY["postal_address_ru"])
    page = _page(client)
    assert COLONY["postal_address_ru"] in page
    assert SIZO["postal_address_ru"] not in page

    status, body = api.post("/prisoners/ilya/events", {"type": "whereabouts_unknown", "on": "2026-06-01"})
    assert status == 201, body
    _status, body = api.get("/prisoners/ilya/letter-address")
    assert body["address"] == {
        "state": "unknown",
        "facility": COLONY["name"],
        "since": "2026-06-01",
        "russian": None,
        "latin": None,
    }
    assert body["services"] == []
    page = _page(client)
    assert COLONY["postal_address_ru"] not in page
    assert "no address is shown until we know where the prisoner is" in page
    assert "адрес не показываем, пока не станет известно, где находится человек" in _page(client, "ru")


def test_the_typed_address_is_a_fallback_only_before_any_transfer(api, ilya, facilities, client):
    api.patch("/prisoners/ilya", {"address": "Старый адрес, набранный вручную"})
    _status, body = api.get("/prisoners/ilya/letter-address")
    assert body["address"]["state"] == "fallback"
    assert "Старый адрес, набранный вручную" in _page(client)
    status, body = api.post("/facilities", {"name": "ИК-9 (без адреса)", "kind": "colony"})
    assert status == 201, body
    api.post(
        "/prisoners/ilya/events", {"type": "transferred", "on": "2026-04-01", "facility": "ИК-9 (без адреса)"}
    )
    _status, body = api.get("/prisoners/ilya/letter-address")
    assert body["address"]["state"] == "no_address"
    page = _page(client)
    assert "Старый адрес, набранный вручную" not in page
    assert "The postal address of ИК-9 (без адреса) is not recorded yet." in page


def test_facilities_keep_their_postal_addresses_through_a_patch(api, facilities):
    _status, body = api.get("/facilities")
    sizo = next(f for f in body["facilities"] if f["name"] == SIZO["name"])
    assert sizo["postal_address_latin"] == SIZO["postal_address_latin"]
    status, body = api.patch(f"/facilities/{sizo['id']}", {"region": "Новая область"})
    assert status == 200, body
    assert body["facility"]["postal_address_ru"] == SIZO["postal_address_ru"]
    status, body = api.patch(f"/facilities/{sizo['id']}", {"postal_address_latin": None})
    assert body["facility"]["postal_address_latin"] is None


def test_services_and_the_channel_link_on_the_page(api, ilya_in_sizo, client):
    status, body = api.patch("/prisoners/ilya", {"channel_url": "https://t.me/fictional_support"})
    assert status == 200, body
    _status, body = api.get("/prisoners/ilya/letter-address")
    assert [s["key"] for s in body["services"]] == ["rosuznik", "fsin_pismo", "zonatelecom"]
    # An admin narrows Zonatelecom to one region: not Ilya's.
    status, body = api.as_("admin").patch(
        "/letter-services/zonatelecom", {"serves_all": False, "regions": "Другая область"}
    )
    assert status == 200, body
    _status, body = api.get("/prisoners/ilya/letter-address")
    assert "zonatelecom" not in [s["key"] for s in body["services"]]
    raw = client.get("/prisoners/ilya").get_data(as_text=True)
    assert '<a href="https://t.me/fictional_support" rel="nofollow noopener">' in raw
    assert '<a href="https://fsin-pismo.ru/" rel="nofollow noopener">FSIN-pismo</a>' in raw
    assert "Zonatelecom" not in raw
    page = _page(client)
    assert "FSIN-pismo — RUB 55.00 a letter, RUB 55.00 a reply form, RUB 35.00 an image" in page
    assert "RosUznik — free" in page
    assert "ФСИН-письмо — 55,00 ₽ за письмо, 55,00 ₽ за бланк ответа, 35,00 ₽ за изображение" in _page(
        client, "ru"
    )
    # After the transfer to the other region, Zonatelecom reaches him again.
    api.post(
        "/prisoners/ilya/events", {"type": "transferred", "on": "2026-05-10", "facility": COLONY["name"]}
    )
    _status, body = api.get("/prisoners/ilya/letter-address")
    assert "zonatelecom" in [s["key"] for s in body["services"]]


def test_a_channel_link_must_be_a_web_address(api, ilya):
    status, body = api.patch("/prisoners/ilya", {"channel_url": "javascript:alert(1)"})
    assert status == 422
    assert body["error"]["code"] == "bad_link"
    assert body["error"]["field"] == "channel_url"
    status, body = api.post("/prisoners", {"slug": "x", "name": "X", "channel_url": "ftp://x"}, language="ru")
    assert status == 422
    assert "https://" in body["error"]["message"]
    assert "Укажите" in body["error"]["message"]
    status, body = api.get("/prisoners/x")
    assert status == 404
