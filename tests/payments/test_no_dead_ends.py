"""No dead ends (issue #30): without Stripe keys no card form is offered; /donate explains and
leads to the bank-transfer pledge, and /pledge leads to the card form when cards work."""

from __future__ import annotations

import pytest

from tests.donors.conftest import eur_details  # noqa: F401


@pytest.fixture
def no_cards(app):
    app.config.update(STRIPE_SECRET_KEY=None, STRIPE_WEBHOOK_SECRET=None)


@pytest.mark.usefixtures("no_cards", "eur_details")
def test_without_stripe_keys_donate_leads_to_the_bank_pledge_in_both_languages(
    client, session, create_prisoner
):
    create_prisoner("vera", name="Вера")
    session.commit()
    page = client.get("/donate?prisoner=vera").get_data(as_text=True)
    assert "<form" not in page.split("<main", 1)[-1]  # no card form to fill in and fail
    assert 'href="/pledge?prisoner=vera"' in page
    assert "We do not take card payments" in page
    ru = client.get("/donate", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "Мы сейчас не принимаем оплату картой" in ru
    pledge = client.get("/pledge?prisoner=vera").get_data(as_text=True)
    assert 'href="/donate' not in pledge  # neither in the menu nor under the form
    prisoner_page = client.get("/prisoners/vera").get_data(as_text=True)
    assert 'href="/pledge?prisoner=vera"' in prisoner_page
    assert 'href="/donate' not in prisoner_page


@pytest.mark.usefixtures("no_cards")
def test_with_neither_cards_nor_bank_details_the_pages_say_so_and_loop_nowhere(client):
    donate = client.get("/donate").get_data(as_text=True)
    assert "Gifts are not open yet" in donate
    assert 'href="/pledge' not in donate.split("<main", 1)[-1]
    pledge = client.get("/pledge").get_data(as_text=True)
    assert "Gifts are not open yet" in pledge
    assert 'href="/donate' not in pledge


@pytest.mark.usefixtures("eur_details")
def test_with_stripe_keys_pledge_links_to_the_card_form_and_donate_shows_it(client, session, create_prisoner):
    create_prisoner("vera")
    session.commit()
    pledge = client.get("/pledge?prisoner=vera").get_data(as_text=True)
    assert 'href="/donate?prisoner=vera"' in pledge
    donate = client.get("/donate?prisoner=vera").get_data(as_text=True)
    assert "Continue to payment" in donate
    assert 'href="/donate?prisoner=vera"' in client.get("/prisoners/vera").get_data(as_text=True)


def test_the_staff_menu_offers_the_card_form_only_when_cards_work(app, client, auth):
    auth.login("coordinator")
    assert 'href="/donate"' in client.get("/manage/prisoners").get_data(as_text=True)
    app.config.update(STRIPE_SECRET_KEY=None, STRIPE_WEBHOOK_SECRET=None)
    page = client.get("/manage/prisoners").get_data(as_text=True)
    assert 'href="/donate"' not in page
    assert 'href="/pledge"' in page
