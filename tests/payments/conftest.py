"""Stripe tests: the real ``stripe`` library against a local fake of Stripe's API, and
webhook payloads signed with the test secret exactly as Stripe signs them."""

from __future__ import annotations

import json
import time

import pytest

from ledger.books.verify import verify_ledger
from tests.payments.fake_stripe import FakeStripe, signature_header

WEBHOOK_SECRET = "whsec_test_secret"


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


class Webhooks:
    def __init__(self, client) -> None:
        self.client = client

    def deliver(
        self,
        event: dict,
        *,
        timestamp: int | None = None,
        secret: str = WEBHOOK_SECRET,
        header: str | None = None,
    ):
        payload = json.dumps(event)
        if header is None:
            header = signature_header(payload, secret, timestamp=timestamp or int(time.time()))
        return self.client.post(
            "/stripe/webhook",
            data=payload,
            content_type="application/json",
            headers={"Stripe-Signature": header},
        )


@pytest.fixture
def webhooks(client):
    return Webhooks(client)


def assert_ledger_verifies(session) -> None:
    session.commit()
    result = verify_ledger(session)
    assert result.ok, [str(problem) for problem in result.problems]
