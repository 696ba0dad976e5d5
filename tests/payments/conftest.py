"""Stripe tests: the real ``stripe`` library against a local fake of Stripe's API, and
webhook payloads signed with the test secret exactly as Stripe signs them."""

from __future__ import annotations

import pytest

from tests.payments.fake_stripe import FakeStripe
from tests.payments.helpers import WEBHOOK_SECRET, Webhooks


@pytest.fixture
def fake_stripe():
    fake = FakeStripe().start()
    yield fake
    fake.stop()


@pytest.fixture(autouse=True)
def stripe_points_at_fake(app, fake_stripe):
    """The app talks to the fake, never to the internet."""
    app.config.update(
        STRIPE_API_BASE=fake_stripe.url,
        STRIPE_SECRET_KEY="sk_test_fake",
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        DONATION_CURRENCIES=("EUR", "USD", "RUB", "JPY", "ISK", "KWD"),
    )
    return fake_stripe


@pytest.fixture
def webhooks(client):
    return Webhooks(client)
