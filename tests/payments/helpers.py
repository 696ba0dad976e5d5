"""Delivering signed webhooks to the app, and the check that the books still verify."""

from __future__ import annotations

import json
import time

from ledger.books.verify import verify_ledger
from tests.payments.fake_stripe import signature_header

WEBHOOK_SECRET = "whsec_test_secret"


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


def assert_ledger_verifies(session) -> None:
    session.commit()
    result = verify_ledger(session)
    assert result.ok, [str(problem) for problem in result.problems]
