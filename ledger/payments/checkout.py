"""Starting a card gift: a donor (and a pledge for monthly gifts) and a Stripe Checkout
Session that takes the donor to Stripe's payment page.

Stripe learns the amount and ids (fund slug, pledge reference, donor id) — never the
donor's name or email, which stay with us (and the email only if given).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import stripe
from sqlalchemy.orm import Session

from ledger.access.audit import record_audit
from ledger.books.errors import LedgerError
from ledger.funds.kinds import PledgeStatus
from ledger.funds.models import Donor, Pledge, Prisoner
from ledger.funds.pledges import new_reference
from ledger.money import Money
from ledger.payments.card_entries import checkout_metadata
from ledger.payments.stripe_api import (
    StripeCurrencyError,
    StripeGateway,
    StripeJson,
    stripe_decimals,
    to_stripe_amount,
)
from ledger.platform.database import utcnow


class CheckoutFailed(LedgerError):
    """Stripe refused or could not be reached; nothing was kept."""

    code = "checkout_failed"


@dataclass(frozen=True)
class GiftRequest:
    """What the donor asked for on the donate form, already validated."""

    money: Money
    prisoner: Prisoner | None
    monthly: bool
    public_name: str | None = None
    email: str | None = None
    locale: str = "en"
    may_name_prisoner: bool = False


@dataclass(frozen=True)
class CheckoutStarted:
    url: str
    session_id: str
    donor: Donor
    pledge: Pledge | None


def checkout_params(
    gift: GiftRequest,
    *,
    metadata: dict[str, str],
    product_name: str,
    success_url: str,
    cancel_url: str,
    locale: str | None = None,
) -> StripeJson:
    """The Checkout Session request: price inline, our ids in metadata on the session and on
    the payment intent or subscription (so refunds and invoices can find the fund)."""
    price_data: StripeJson = {
        "currency": gift.money.currency.lower(),
        "unit_amount": to_stripe_amount(gift.money),
        "product_data": {"name": product_name},
    }
    params: StripeJson = {
        "mode": "subscription" if gift.monthly else "payment",
        "line_items": [{"price_data": price_data, "quantity": 1}],
        "success_url": success_url,
        "cancel_url": cancel_url,
        "metadata": metadata,
        "client_reference_id": metadata["donor"],
    }
    if gift.monthly:
        price_data["recurring"] = {"interval": "month"}
        params["subscription_data"] = {"metadata": metadata}
    else:
        params["payment_intent_data"] = {"metadata": metadata}
        params["submit_type"] = "donate"
    if locale:
        params["locale"] = locale
    return params


def start_checkout(
    session: Session,
    gateway: StripeGateway,
    gift: GiftRequest,
    *,
    product_name: str,
    success_url: str,
    cancel_url: str,
    locale: str | None = None,
) -> CheckoutStarted:
    """Add the donor (and the monthly pledge), flushed, and open a Checkout Session.

    Raises StripeCurrencyError for currencies we don't take by card and CheckoutFailed
    when Stripe refuses; the caller rolls back then, so nothing is kept.
    """
    stripe_decimals(gift.money.currency)
    if gift.money.minor <= 0:
        raise StripeCurrencyError("zero_amount")
    donor = Donor(
        public_name=gift.public_name or None,
        email=gift.email or None,
        email_added_at=utcnow() if gift.email else None,
        # Nothing is mailed before Stripe reports a payment, so a card gift's address counts
        # as confirmed (a public pledge's does not: ledger/funds/public_pledges.py).
        email_confirmed_at=utcnow() if gift.email else None,
        locale=gift.locale if gift.locale in ("en", "ru") else "en",
        may_name_prisoner=gift.may_name_prisoner,
    )
    session.add(donor)
    pledge = None
    if gift.monthly:
        pledge = Pledge(
            reference=new_reference(session),
            donor=donor,
            prisoner=gift.prisoner,
            amount_minor=gift.money.minor,
            currency=gift.money.currency,
            frequency="monthly",
            starts_on=utcnow().date(),
            status=PledgeStatus.ACTIVE,
            channel="card",
        )
        session.add(pledge)
    session.flush()
    params = checkout_params(
        gift,
        metadata=checkout_metadata(prisoner=gift.prisoner, pledge=pledge, donor=donor),
        product_name=product_name,
        success_url=success_url,
        cancel_url=cancel_url,
        locale=locale,
    )
    try:
        created = gateway.create_checkout_session(params, idempotency_key=f"checkout-{uuid.uuid4()}")
    except stripe.StripeError as error:
        raise CheckoutFailed("stripe refused the checkout", reason=type(error).__name__) from None
    url = created.get("url")
    if not isinstance(url, str) or not url.startswith("https://"):
        raise CheckoutFailed("stripe returned no checkout url")
    record_audit(
        session,
        "checkout.started",
        target=f"donor:{donor.id}",
        mode=params["mode"],
        fund=params["metadata"]["fund"],
        pledge=pledge.reference if pledge else None,
    )
    return CheckoutStarted(url=url, session_id=str(created.get("id")), donor=donor, pledge=pledge)
