"""Donor and mail tests: a real SMTP server (aiosmtpd) on a local port, the fake Stripe, and
bank details as an admin keeps them."""

from __future__ import annotations

import socket
import time
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from ledger.funds.bank_details import save_bank_details
from tests.payments.fake_stripe import FakeStripe
from tests.payments.helpers import WEBHOOK_SECRET, Webhooks  # noqa: F401

EUR_DETAILS_EN = "Beneficiary: Solidarity Fund e.V.\nIBAN: DE00 0000 0000 0000 0000 00\nBIC: TESTDEFFXXX"
EUR_DETAILS_RU = "Получатель: Solidarity Fund e.V.\nIBAN: DE00 0000 0000 0000 0000 00\nBIC: TESTDEFFXXX"


class Inbox:
    """What the SMTP server received: (envelope sender, recipients, parsed message)."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], object]] = []
        self.raw: list[bytes] = []  # the bytes as they came over the wire, in order

    async def handle_DATA(self, server, session, envelope):
        data = envelope.original_content or envelope.content
        parsed = message_from_bytes(data, policy=policy.default)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), parsed))
        self.raw.append(bytes(data))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        return [message for _sender, rcpt, message in self.received if address in rcpt]

    def bodies(self) -> list[str]:
        return [message.get_body(("plain",)).get_content() for _s, _r, message in self.received]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    def __init__(self) -> None:
        self.inbox = Inbox()
        self.port = free_port()
        self.controller: Controller | None = None

    def start(self) -> SmtpServer:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
            time.sleep(0.05)


@pytest.fixture
def smtp(app):
    server = SmtpServer().start()
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=server.port,
        MAIL_DEFAULT_SENDER="Solidarity ledger <ledger@example.org>",
        MAIL_USE_TLS=False,
        MAIL_TIMEOUT=5,
        PUBLIC_BASE_URL="https://ledger.example.org",
    )
    yield server
    server.stop()


@pytest.fixture
def fake_stripe(app):
    fake = FakeStripe().start()
    app.config.update(
        STRIPE_API_BASE=fake.url,
        STRIPE_SECRET_KEY="sk_test_fake",
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
    )
    yield fake
    fake.stop()


@pytest.fixture
def webhooks(client):
    return Webhooks(client)


@pytest.fixture
def eur_details(session):
    """EUR bank details, saved as an admin saves them (page, API or CLI)."""
    save_bank_details(session, "EUR", details_en=EUR_DETAILS_EN, details_ru=EUR_DETAILS_RU, actor=None)
    session.commit()
