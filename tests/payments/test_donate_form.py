"""The donate form opens a Stripe Checkout Session with ids only, and creates nothing on bad input."""

import pytest

from ledger.funds.models import Donor, Pledge


def _form(**change):
    data = {
        "amount": "25.00",
        "currency": "EUR",
        "prisoner": "general",
        "frequency": "one_off",
        "public_name": "",
        "email": "",
    }
    data.update(change)
    return data


def test_form_lists_public_prisoners_and_preselects_one(client, session, create_prisoner):
    create_prisoner("vera", name="Вера")
    create_prisoner("hidden-one", public=False, name="Скрытый")
    session.commit()
    page = client.get("/donate?prisoner=vera").get_data(as_text=True)
    assert '<option selected value="vera">' in page
    assert "hidden-one" not in page
    assert "Скрытый" not in page
    assert 'value="general"' in page


def test_one_off_gift_redirects_to_checkout_with_ids_only(client, session, fake_stripe, create_prisoner):
    create_prisoner("vera")
    session.commit()
    response = client.post(
        "/donate", data=_form(prisoner="vera", amount="25.5", public_name="Anna K.", email="Anna@Example.org")
    )
    assert response.status_code == 303
    assert response.headers["Location"].startswith("https://checkout.stripe.com/c/pay/cs_test_")
    [sent] = fake_stripe.requests_to("POST", "/v1/checkout/sessions")
    donor = session.query(Donor).one()
    assert donor.public_name == "Anna K."
    assert donor.email == "anna@example.org"
    assert sent["mode"] == "payment"
    assert sent["submit_type"] == "donate"
    assert sent["line_items"] == [
        {
            "price_data": {"currency": "eur", "unit_amount": "2550", "product_data": {"name": "Donation"}},
            "quantity": "1",
        }
    ]
    metadata = {"fund": "vera", "donor": str(donor.id)}
    assert sent["metadata"] == metadata
    assert sent["payment_intent_data"] == {"metadata": metadata}
    assert "anna" not in repr(sent).lower()
    assert "example.org" not in repr(sent)
    assert sent["success_url"].endswith("/donate/thanks")
    assert sent["cancel_url"].endswith("/donate/cancelled")
    assert session.query(Pledge).count() == 0


def test_monthly_gift_creates_a_pledge_and_a_subscription_checkout(client, session, fake_stripe):
    response = client.post("/donate", data=_form(frequency="monthly", amount="10", currency="USD"))
    assert response.status_code == 303
    pledge = session.query(Pledge).one()
    assert pledge.frequency == "monthly"
    assert pledge.prisoner is None
    assert pledge.amount_minor == 1000
    assert pledge.currency == "USD"
    assert pledge.reference.startswith("SL-")
    assert pledge.status == "active"
    [sent] = fake_stripe.requests_to("POST", "/v1/checkout/sessions")
    assert sent["mode"] == "subscription"
    assert "submit_type" not in sent
    assert sent["line_items"][0]["price_data"]["recurring"] == {"interval": "month"}
    metadata = {"fund": "general", "donor": str(pledge.donor_id), "pledge": pledge.reference}
    assert sent["metadata"] == metadata
    assert sent["subscription_data"] == {"metadata": metadata}


@pytest.mark.parametrize(
    ("currency", "amount", "unit_amount"), [("JPY", "500", "500"), ("ISK", "500", "50000")]
)
def test_stripe_amount_follows_stripe_decimals(client, fake_stripe, currency, amount, unit_amount):
    assert client.post("/donate", data=_form(currency=currency, amount=amount)).status_code == 303
    [sent] = fake_stripe.requests_to("POST", "/v1/checkout/sessions")
    assert sent["line_items"][0]["price_data"]["unit_amount"] == unit_amount


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"amount": "12.345"}, "EUR has at most 2 decimal places."),
        ({"amount": "-5"}, "Enter the amount in digits"),
        ({"amount": "1e3"}, "Enter the amount in digits"),
        ({"amount": "0"}, "The amount must be greater than zero."),
        ({"amount": "5.5", "currency": "JPY"}, "JPY has at most 0 decimal places."),
        (
            {"currency": "KWD", "amount": "5"},
            "Not a valid choice",
        ),  # configured, but Stripe can't hold it exactly
        ({"currency": "GBP"}, "Not a valid choice"),
        ({"prisoner": "hidden-one"}, "Not a valid choice"),
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"public_name": "a\u0007b"}, "control characters"),
        ({"frequency": "weekly"}, "Not a valid choice"),
    ],
)
def test_bad_input_is_explained_and_creates_nothing(
    client, session, fake_stripe, change, message, create_prisoner
):
    create_prisoner("hidden-one", public=False)
    session.commit()
    response = client.post("/donate", data=_form(**change))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert session.query(Donor).count() == 0
    assert session.query(Pledge).count() == 0
    assert fake_stripe.requests_to("POST", "/v1/checkout/sessions") == []


def test_stripe_failure_keeps_nothing_and_says_so(client, session, fake_stripe):
    fake_stripe.fail_next = 400  # Stripe refuses (an invalid request is not retried)
    response = client.post("/donate", data=_form(frequency="monthly"))
    assert response.status_code == 502
    assert "could not be opened" in response.get_data(as_text=True)
    assert session.query(Donor).count() == 0
    assert session.query(Pledge).count() == 0


def test_card_gifts_are_off_without_a_stripe_key(client, session, fake_stripe):
    client.application.config["STRIPE_SECRET_KEY"] = None
    response = client.post("/donate", data=_form())
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "could not be opened" not in page
    assert 'href="/pledge' in page
    assert session.query(Donor).count() == 0
    assert fake_stripe.requests == []


def test_return_pages_render(client):
    assert "Thank you" in client.get("/donate/thanks").get_data(as_text=True)
    assert "Nothing was charged" in client.get("/donate/cancelled").get_data(as_text=True)
