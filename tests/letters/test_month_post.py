"""The month's report to share, its PNG and the Atom feed of releases: the published figures
only, the same as the public report API gives for that month (issue 29)."""

from __future__ import annotations

import html
import io
import re
from decimal import Decimal

import feedparser
from flask_babel import force_locale
from PIL import Image

from ledger.money import Money
from ledger.web.formatting import money
from tests.helpers import seal

RUB_BANK = "assets:bank:rub-main"


def _spend(api, category: str, amount: str, on: str = "2026-04-10"):
    status, body = api.post(
        "/disbursements",
        {
            "prisoner": "ilya",
            "money": {"amount": amount, "currency": "RUB"},
            "category": category,
            "paid_from": RUB_BANK,
            "spent_on": on,
        },
    )
    assert status == 201, body


def _april(api, session):
    """April 2026: food, commissary and a 180 ₽ FSIN-pismo letter, a free one; then a checkpoint."""
    _spend(api, "food", "1200.00")
    _spend(api, "commissary", "3000.00")
    for service, extra in (
        ("fsin_pismo", {"images": 2, "reply_form": True, "paid_from": RUB_BANK}),
        ("rosuznik", {}),
    ):
        status, body = api.post(
            "/letters", {"prisoner": "ilya", "service": service, "sent_on": "2026-04-12", **extra}
        )
        assert status == 201, body
    seal(session)


def _text(response) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", response.get_data(as_text=True))).replace("\xa0", " ")


def _public_report(client) -> dict:
    response = client.get("/api/v1/prisoners/ilya/report?from=2026-04-01&to=2026-04-30")
    assert response.status_code == 200
    body = response.get_json()
    assert body["as_of"]["live"] is False
    return body["currencies"]["RUB"]


def _formatted(value: dict, language: str) -> str:
    with force_locale(language):
        return money(Money(Decimal(value["amount"]), value["currency"])).replace("\xa0", " ")


def test_the_month_text_has_the_public_report_s_figures_in_both_languages(api, ilya_in_sizo, client, session):
    _april(api, session)
    # Spent after the checkpoint: not published yet, so in neither the report nor the post.
    _spend(api, "food", "777.00", on="2026-04-20")
    public = _public_report(client)
    assert public["spent"]["letters"]["amount"] == "180.00"
    response = client.get("/prisoners/ilya/month/2026-04")
    assert response.status_code == 200
    assert "<script" not in response.get_data(as_text=True)
    page = _text(response)
    for language, lines in (
        (
            "en",
            (
                "Came in: {received}",
                "Spent on food: {food}",
                "On the commissary: {commissary}",
                "On letters: {letters}",
            ),
        ),
        (
            "ru",
            (
                "Поступило: {received}",
                "Потрачено на еду: {food}",
                "На ларёк: {commissary}",
                "На письма: {letters}",
            ),
        ),
    ):
        with client.application.test_request_context():
            figures = {
                "food": _formatted(public["spent"]["food"], language),
                "commissary": _formatted(public["spent"]["commissary"], language),
                "letters": _formatted(public["spent"]["letters"], language),
                "received": _formatted(public["received"], language),
                "closing": _formatted(public["closing"], language),
            }
        for line in lines:
            assert line.format(**figures) in page, (language, line.format(**figures))
    assert "777" not in page
    # Nothing went on parcels in April: the post does not list them.
    assert "On parcels" not in page
    assert "На посылки" not in page
    with client.application.test_request_context():
        closing = _formatted(public["closing"], "en")
    # The checkpoint was made after April ended: the balance is the month's closing one.
    assert f"Balance at the end of the month: {closing}" in page
    assert "2 letters in April 2026" in page
    assert "2 письма в апреле 2026 г." in page
    assert "Фиктивный Илья Петрович — апрель 2026" in page
    assert "Fiktivny Ilya Petrovich — April 2026" in page


def test_the_png_is_readable_and_changes_only_with_a_release(api, ilya_in_sizo, client, session):
    _april(api, session)
    first = client.get("/prisoners/ilya/month/2026-04.png?lang=ru")
    assert first.status_code == 200
    assert first.mimetype == "image/png"
    image = Image.open(io.BytesIO(first.data))
    assert image.width == 1080
    assert image.height > 400
    english = client.get("/prisoners/ilya/month/2026-04.png?lang=en")
    assert english.status_code == 200
    assert english.data != first.data
    _spend(api, "food", "777.00", on="2026-04-20")
    assert client.get("/prisoners/ilya/month/2026-04.png?lang=ru").data == first.data
    seal(session)
    assert client.get("/prisoners/ilya/month/2026-04.png?lang=ru").data != first.data
    assert client.get("/prisoners/ilya/month/2026-04.png?lang=de").status_code == 404


def test_a_missing_font_fails_clearly(api, ilya_in_sizo, make_app, tmp_path, session):
    _april(api, session)
    app = make_app(MONTH_REPORT_FONT_DIR=str(tmp_path))
    response = app.test_client().get("/prisoners/ilya/month/2026-04.png")
    assert response.status_code == 503
    assert "fonts-dejavu-core" in response.get_data(as_text=True)


def test_before_any_release_the_post_says_so(api, ilya_in_sizo, client):
    page = _text(client.get("/prisoners/ilya/month/2026-04"))
    assert "No figures are published yet" in page
    assert "Цифры ещё не опубликованы" in page
    assert "Spent on food" not in page


def test_hidden_prisoners_and_bad_months_are_not_found(api, ilya_in_sizo, client, session):
    assert client.get("/prisoners/ilya/month/2026-13").status_code == 404
    assert client.get("/prisoners/nobody/month/2026-04").status_code == 404
    api.patch("/prisoners/ilya", {"public": False})
    assert client.get("/prisoners/ilya/month/2026-04").status_code == 404
    assert client.get("/prisoners/ilya/month/2026-04.png").status_code == 404


def test_the_organisation_s_month_sums_the_public_funds(api, ilya_in_sizo, client, session):
    _april(api, session)
    public = _public_report(client)
    page = _text(client.get("/month/2026-04"))
    with client.application.test_request_context():
        letters = _formatted(public["spent"]["letters"], "en")
    assert f"On letters: {letters}" in page
    assert "Across the funds of 1 prisoner." in page
    assert "Our month: April 2026" in page
    assert "Наш месяц: апрель 2026" in page
    assert client.get("/month/2026-04.png").status_code == 200


def test_the_atom_feed_lists_the_releases(api, ilya_in_sizo, client, session):
    empty = feedparser.parse(client.get("/releases.atom").data)
    assert not empty.bozo
    assert empty.entries == []
    _april(api, session)
    _spend(api, "food", "10.00")
    seal(session)
    response = client.get("/releases.atom")
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert [entry.title.split(":")[0] for entry in feed.entries] == ["Checkpoint no. 2", "Checkpoint no. 1"]
    assert len({entry.id for entry in feed.entries}) == 2
    assert all(entry.updated_parsed for entry in feed.entries)
    ru = feedparser.parse(client.get("/releases.atom", headers={"Accept-Language": "ru"}).data)
    assert ru.feed.title == "Выпуски публичных цифр"
