"""Stripe's amounts in ledger money: ISO 4217 minor units except where Stripe differs."""

import pytest

from ledger.money import Money, parse_amount
from ledger.payments.checkout import GiftRequest, start_checkout
from ledger.payments.stripe_api import (
    StripeCurrencyError,
    StripeGateway,
    from_stripe_amount,
    to_stripe_amount,
)


@pytest.mark.parametrize(
    ("amount", "currency", "stripe_amount"),
    [
        ("12.50", "EUR", 1250),
        ("500", "JPY", 500),
        ("500", "ISK", 50000),
        ("1000", "UGX", 100000),
        ("1500.00", "MGA", 1500),
        ("99.99", "RUB", 9999),
    ],
)
def test_amounts_round_trip_through_stripe_units(amount, currency, stripe_amount):
    money = parse_amount(amount, currency)
    assert to_stripe_amount(money) == stripe_amount
    assert from_stripe_amount(stripe_amount, currency.lower()) == money
    assert from_stripe_amount(-stripe_amount, currency) == -money


@pytest.mark.parametrize("currency", ["KWD", "BHD", "CLF", "HUF", "TWD"])
def test_currencies_stripe_cannot_hold_exactly_are_refused(currency):
    with pytest.raises(StripeCurrencyError) as refused:
        to_stripe_amount(Money.from_minor(1000, currency))
    assert refused.value.code == "stripe_currency_unsupported"


def test_stripe_amount_that_is_not_whole_in_the_ledger_is_refused():
    with pytest.raises(StripeCurrencyError):
        from_stripe_amount(50050, "isk")
    with pytest.raises(StripeCurrencyError):
        from_stripe_amount(12.5, "eur")


def test_start_checkout_refuses_unsupported_currency_before_writing(session, fake_stripe):
    gateway = StripeGateway("sk_test_fake", api_base=fake_stripe.url)
    gift = GiftRequest(money=Money.from_minor(5000, "KWD"), prisoner=None, monthly=False)
    with pytest.raises(StripeCurrencyError):
        start_checkout(
            session,
            gateway,
            gift,
            product_name="Donation",
            success_url="https://x/t",
            cancel_url="https://x/c",
        )
    assert not session.new
    assert fake_stripe.requests == []
