from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.money import CURRENCIES, Money, MoneyError, minor_text, minor_units, parse_amount, parse_rate


@pytest.mark.parametrize(
    "text, currency, expected",
    [
        ("12", "EUR", "12.00"),
        ("12.5", "EUR", "12.50"),
        ("0.01", "USD", "0.01"),
        ("1500", "JPY", "1500"),
        ("1.234", "KWD", "1.234"),
        (" 7.00 ", "RUB", "7.00"),
    ],
)
def test_plain_decimal_amounts_are_accepted(text, currency, expected):
    assert parse_amount(text, currency) == Money(Decimal(expected), currency)


@pytest.mark.parametrize(
    "text, code",
    [
        ("snan", "invalid_amount"),
        ("NaN", "invalid_amount"),
        ("Infinity", "invalid_amount"),
        ("1e3", "invalid_amount"),
        ("1E3", "invalid_amount"),
        ("1_000", "invalid_amount"),
        ("١٢٣", "invalid_amount"),
        ("１２", "invalid_amount"),
        ("10.005", "too_many_decimals"),
        ("-5", "invalid_amount"),
        ("+5", "invalid_amount"),
        ("1,50", "invalid_amount"),
        ("1 000", "invalid_amount"),
        ("1.2.3", "invalid_amount"),
        (".5", "invalid_amount"),
        ("5.", "invalid_amount"),
        ("", "missing_amount"),
        ("0", "zero_amount"),
        ("0.00", "zero_amount"),
        ("99999999999999999999", "amount_too_large"),
        ("0x10", "invalid_amount"),
    ],
)
def test_everything_but_plain_decimals_is_refused(text, code):
    with pytest.raises(MoneyError) as error:
        parse_amount(text, "EUR")
    assert error.value.code == code


def test_floats_are_refused_even_when_exact():
    with pytest.raises(MoneyError) as error:
        parse_amount(12.5, "EUR")
    assert error.value.code == "float_amount"


def test_yen_has_no_decimals():
    with pytest.raises(MoneyError) as error:
        parse_amount("10.5", "JPY")
    assert error.value.code == "too_many_decimals"


@pytest.mark.parametrize("code", ["eur", "EURO", "XXX", "", None, "E1R", "€"])
def test_unknown_currencies_are_refused(code):
    with pytest.raises(MoneyError) as error:
        parse_amount("1", code)
    assert error.value.code == "unknown_currency"


def test_money_refuses_floats_and_excess_precision():
    with pytest.raises(MoneyError):
        Money(1.5, "EUR")  # type: ignore[arg-type]
    with pytest.raises(MoneyError):
        Money(Decimal("1.555"), "EUR")
    with pytest.raises(MoneyError):
        Money(Decimal("NaN"), "EUR")


def test_rates_are_strict_decimals():
    assert parse_rate("95.5") == Decimal("95.5")
    for bad in ("0", "1e2", "-1", 95.5, "abc", "1.12345678901"):
        with pytest.raises(MoneyError):
            parse_rate(bad)


@given(
    currency=st.sampled_from(sorted(CURRENCIES)),
    minor=st.integers(min_value=1, max_value=10**15),
)
def test_minor_units_round_trip_through_text(currency, minor):
    money = Money.from_minor(minor, currency)
    assert money.minor == minor
    assert parse_amount(str(money.amount), currency) == money
    assert minor_units(currency) == -money.amount.as_tuple().exponent or minor_units(currency) == 0


def test_absurdly_long_amounts_are_too_large_not_a_crash():
    for text in ("9" * 40, "9" * 30 + ".99", "1" + "0" * 100):
        with pytest.raises(MoneyError) as caught:
            parse_amount(text, "RUB")
        assert caught.value.code == "amount_too_large"


@settings(max_examples=500)
@given(minor=st.integers(-(10**15), 10**15), currency=st.sampled_from(["RUB", "JPY", "KWD", "CLF", "EUR"]))
def test_minor_text_is_the_decimal_amount_as_text(minor, currency):
    assert minor_text(minor, CURRENCIES[currency]) == str(Money.from_minor(minor, currency).amount)
