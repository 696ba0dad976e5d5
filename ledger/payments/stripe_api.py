"""The one place that talks to Stripe's API and knows Stripe's amount conventions.

Everything returned is a plain ``dict`` (Stripe's JSON), so the rest of the code
never depends on the library's object types.  Amounts cross this boundary only
through ``to_stripe_amount`` and ``from_stripe_amount``: Stripe's idea of a
currency's decimals differs from ISO 4217 for a few currencies.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import stripe

from ledger.money import CURRENCIES, Money, MoneyError, minor_units

# Where Stripe's API decimals differ from ISO 4217 (see Stripe's "zero-decimal currencies"):
# ISK and UGX are zero-decimal in ISO but take two-decimal amounts (ending in 00) at Stripe;
# MGA has two ISO decimals but is zero-decimal at Stripe.
_STRIPE_DECIMALS_OVERRIDES = {"ISK": 2, "UGX": 2, "MGA": 0}
# Refused outright: Stripe wants the last digit of three-decimal amounts to be 0, and has
# no four-decimal currencies; HUF and TWD payouts must be whole units.  We accept no
# card gifts in these rather than round anything.
UNSUPPORTED_CURRENCIES = frozenset(
    {code for code, places in CURRENCIES.items() if places >= 3} | {"HUF", "TWD"}
)


# An object of Stripe's JSON, as the library's ``to_dict()`` gives it (or a request we send):
# its values are whatever Stripe sent, so each one is checked where it is read.
StripeJson = dict[str, Any]


class StripeCurrencyError(MoneyError):
    """A currency we do not take through Stripe, or an amount that does not fit it."""


def stripe_decimals(currency: str) -> int:
    if currency in UNSUPPORTED_CURRENCIES:
        raise StripeCurrencyError("stripe_currency_unsupported", currency=currency)
    return _STRIPE_DECIMALS_OVERRIDES.get(currency, minor_units(currency))


def to_stripe_amount(money: Money) -> int:
    """Integer ``amount`` for Stripe's API."""
    shift = stripe_decimals(money.currency) - minor_units(money.currency)
    return money.minor * 10**shift if shift >= 0 else _exact_divide(money.minor, -shift, money.currency)


def from_stripe_amount(amount: object, currency: object) -> Money:
    """``Money`` for an integer amount (signed) and currency code as Stripe sends them."""
    code = currency.upper() if isinstance(currency, str) else ""
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise StripeCurrencyError("not_decimal")
    shift = minor_units(code) - stripe_decimals(code)
    minor = amount * 10**shift if shift >= 0 else _exact_divide(amount, -shift, code)
    return Money.from_minor(minor, code)


def _exact_divide(amount: int, places: int, currency: str) -> int:
    divisor: int = 10**places
    quotient, remainder = divmod(amount, divisor)
    if remainder:
        raise StripeCurrencyError("stripe_amount_not_whole", currency=currency)
    return quotient


def _plain(value: stripe.StripeObject) -> StripeJson:
    return value.to_dict()


class StripeGateway:
    """Calls to Stripe's API that the ledger needs, through the real library.

    ``api_base`` points it elsewhere (tests run it against a local fake); the
    library is never configured globally, so two apps in one process don't mix.
    """

    def __init__(self, api_key: str, *, api_base: str | None = None) -> None:
        if not api_key:
            raise RuntimeError("STRIPE_SECRET_KEY is not set")
        options: dict[str, Any] = {"max_network_retries": 2}
        if api_base:
            options["base_addresses"] = {"api": api_base}
        self.client = stripe.StripeClient(api_key, **options)

    def create_checkout_session(self, params: Mapping[str, Any], *, idempotency_key: str) -> StripeJson:
        request: Any = dict(params)  # built and checked by ledger.payments.checkout
        return _plain(
            self.client.v1.checkout.sessions.create(
                params=request, options={"idempotency_key": idempotency_key}
            )
        )

    def checkout_session(self, session_id: str) -> StripeJson:
        return _plain(self.client.v1.checkout.sessions.retrieve(session_id))

    def payment_intent(self, intent_id: str) -> StripeJson:
        return _plain(
            self.client.v1.payment_intents.retrieve(
                intent_id, params={"expand": ["latest_charge.balance_transaction"]}
            )
        )

    def charge(self, charge_id: str) -> StripeJson:
        """The charge with its balance transaction expanded."""
        return _plain(self.client.v1.charges.retrieve(charge_id, params={"expand": ["balance_transaction"]}))

    def balance_transaction(self, transaction_id: str) -> StripeJson:
        return _plain(self.client.v1.balance_transactions.retrieve(transaction_id))

    def refunds_of(self, charge_id: str) -> list[StripeJson]:
        listing = _plain(
            self.client.v1.refunds.list(
                params={"charge": charge_id, "limit": 100, "expand": ["data.balance_transaction"]}
            )
        )
        return list(listing.get("data") or [])

    def dispute(self, dispute_id: str) -> StripeJson:
        return _plain(self.client.v1.disputes.retrieve(dispute_id))

    def invoice(self, invoice_id: str) -> StripeJson:
        return _plain(self.client.v1.invoices.retrieve(invoice_id))

    def invoice_payments(self, invoice_id: str) -> list[StripeJson]:
        listing = _plain(self.client.v1.invoice_payments.list(params={"invoice": invoice_id, "limit": 100}))
        return list(listing.get("data") or [])

    def invoice_payments_for_intent(self, intent_id: str) -> list[StripeJson]:
        listing = _plain(
            self.client.v1.invoice_payments.list(
                params={"payment": {"type": "payment_intent", "payment_intent": intent_id}, "limit": 10}
            )
        )
        return list(listing.get("data") or [])

    def subscription(self, subscription_id: str) -> StripeJson:
        return _plain(self.client.v1.subscriptions.retrieve(subscription_id))

    def pause_subscription(self, subscription_id: str) -> StripeJson:
        """Stop collecting (invoices are voided) until resumed: the donor's pause."""
        return _plain(
            self.client.v1.subscriptions.update(
                subscription_id, params={"pause_collection": {"behavior": "void"}}
            )
        )

    def resume_subscription(self, subscription_id: str) -> StripeJson:
        request: Any = {"pause_collection": ""}  # an empty value unsets the pause
        return _plain(self.client.v1.subscriptions.update(subscription_id, params=request))

    def cancel_subscription(self, subscription_id: str) -> StripeJson:
        return _plain(self.client.v1.subscriptions.cancel(subscription_id))

    def event(self, event_id: str) -> StripeJson:
        return _plain(self.client.v1.events.retrieve(event_id))
