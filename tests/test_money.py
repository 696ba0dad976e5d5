from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.money import (
    CURRENCIES,
    MAX_MINOR_UNITS,
    Money,
    MoneyError,
    minor_text,
    minor_units,
    parse_amount,
    parse_currency,
    parse_rate,
    parse_written_amount,
)


@pytest.mark.parametrize(
    ("text", "currency", "expected"),
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
    ("text", "code"),
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


@pytest.mark.parametrize(
    ("make", "code", "params"),
    [
        (lambda: parse_amount("10.005", "EUR"), "too_many_decimals", {"places": 2, "currency": "EUR"}),
        (lambda: parse_amount("10.5", "JPY"), "too_many_decimals", {"places": 0, "currency": "JPY"}),
        (lambda: parse_amount("1.2345", "KWD"), "too_many_decimals", {"places": 3, "currency": "KWD"}),
        (lambda: Money(Decimal("1.555"), "EUR"), "too_many_decimals", {"places": 2, "currency": "EUR"}),
        (lambda: Money(Decimal("0.5"), "JPY"), "too_many_decimals", {"places": 0, "currency": "JPY"}),
        (lambda: Money(1.5, "EUR"), "not_decimal", {}),
        (lambda: Money(True, "EUR"), "not_decimal", {}),
        (lambda: Money(Decimal("NaN"), "EUR"), "invalid_amount", {}),
        (lambda: Money(Decimal("Infinity"), "EUR"), "invalid_amount", {}),
        (lambda: Money(Decimal(1), "XXX"), "unknown_currency", {"currency": "XXX"}),
        (lambda: Money.from_minor(True, "EUR"), "not_decimal", {}),
        (lambda: Money.from_minor(1.0, "EUR"), "not_decimal", {}),
        (lambda: Money.from_minor(100, "EURO"), "unknown_currency", {"currency": "EURO"}),
        (lambda: minor_units(None), "unknown_currency", {"currency": None}),
        (lambda: minor_units("XXX"), "unknown_currency", {"currency": "XXX"}),
        (lambda: parse_currency("eur"), "unknown_currency", {"currency": "eur"}),
        (lambda: parse_currency(978), "unknown_currency", {"currency": 978}),
        (lambda: parse_currency("XXX"), "unknown_currency", {"currency": "XXX"}),
        (lambda: parse_amount("1", "XXX"), "unknown_currency", {"currency": "XXX"}),
        (lambda: parse_amount(12.5, "EUR"), "float_amount", {}),
        (lambda: parse_amount(True, "EUR"), "invalid_amount", {}),
        (lambda: parse_amount(None, "EUR"), "invalid_amount", {}),
        (lambda: parse_amount(b"12", "EUR"), "invalid_amount", {}),
        # Amounts come as text: a Decimal (what a JSON parser may make of a number) is refused too.
        (lambda: parse_amount(Decimal("12.50"), "EUR"), "invalid_amount", {}),
        (lambda: parse_amount("   ", "EUR"), "missing_amount", {}),
        (lambda: parse_amount("abc", "EUR"), "invalid_amount", {}),
        (lambda: parse_amount("0", "EUR"), "zero_amount", {}),
        (lambda: parse_amount("1" + "0" * 20, "EUR"), "amount_too_large", {}),
        (lambda: parse_amount("10000000000000.01", "EUR"), "amount_too_large", {}),
        (lambda: parse_rate(95.5), "float_amount", {}),
        (lambda: parse_rate(95), "invalid_rate", {}),
        (lambda: parse_rate(None), "invalid_rate", {}),
        (lambda: parse_rate("abc"), "invalid_rate", {}),
        (lambda: parse_rate("0"), "invalid_rate", {}),
        (lambda: parse_rate("0.0000000000"), "invalid_rate", {}),
        (lambda: parse_rate("1.12345678901"), "invalid_rate", {}),
        (lambda: Money(Decimal(1), "EUR") + Money(Decimal(1), "USD"), "currency_mismatch", {}),
        (lambda: Money(Decimal(1), "EUR") - Money(Decimal(1), "USD"), "currency_mismatch", {}),
    ],
)
def test_each_refusal_has_its_code_and_params(make, code, params):
    with pytest.raises(MoneyError) as error:
        make()
    assert error.value.code == code
    assert error.value.params == params
    assert str(error.value) == code


def test_integers_are_typed_amounts_too():
    assert parse_amount(12, "EUR") == parse_amount("12", "EUR")


@pytest.mark.parametrize(
    ("largest", "one_more", "currency"),
    [
        ("10000000000000", "10000000000000.01", "EUR"),
        ("1000000000000000", "1000000000000001", "JPY"),
        # Four decimals: the longest text of any currency's largest amount.
        ("100000000000.0000", "100000000000.0001", "CLF"),
    ],
)
def test_the_largest_amount_is_allowed_and_one_minor_unit_more_is_not(largest, one_more, currency):
    assert parse_amount(largest, currency).minor == MAX_MINOR_UNITS
    with pytest.raises(MoneyError) as error:
        parse_amount(one_more, currency)
    assert error.value.code == "amount_too_large"


def test_zero_is_allowed_when_asked():
    assert parse_amount("0", "EUR", allow_zero=True).is_zero()
    assert parse_amount("0.00", "EUR", allow_zero=True).minor == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [("95.5", "95.5"), (" 1.0825 ", "1.0825"), ("1.1234567890", "1.1234567890"), ("7", "7")],
)
def test_rates_keep_their_digits(text, expected):
    rate = parse_rate(text)
    assert rate == Decimal(expected)
    assert str(rate) == expected


def test_money_arithmetic_and_text():
    eur = Money(Decimal("12.5"), "EUR")
    assert eur.amount.as_tuple().exponent == -2  # stored at the currency's precision
    assert str(eur) == "12.50 EUR"
    assert str(Money(Decimal("1500"), "JPY")) == "1500 JPY"
    assert str(Money.from_minor(1234, "KWD")) == "1.234 KWD"
    assert (eur + Money(Decimal("0.75"), "EUR")).minor == 1325
    assert (eur - Money(Decimal("0.75"), "EUR")).minor == 1175
    assert (-eur).minor == -1250
    assert (-eur).currency == "EUR"
    assert Money.from_minor(-5, "EUR").minor == -5
    assert Money.from_minor(0, "EUR").is_zero()
    assert not eur.is_zero()
    assert Money.from_minor(7, "JPY").amount == Decimal(7)
    assert Money.from_minor(7, "CLF").amount == Decimal("0.0007")


def test_the_currency_table_has_iso_minor_units():
    assert (CURRENCIES["EUR"], CURRENCIES["JPY"], CURRENCIES["KWD"], CURRENCIES["CLF"]) == (2, 0, 3, 4)
    assert minor_units("RUB") == 2
    assert parse_currency("RUB") == "RUB"


@settings(max_examples=500)
@given(minor=st.integers(-(10**15), 10**15), currency=st.sampled_from(["RUB", "JPY", "KWD", "CLF", "EUR"]))
def test_minor_text_is_the_decimal_amount_as_text(minor, currency):
    assert minor_text(minor, CURRENCIES[currency]) == str(Money.from_minor(minor, currency).amount)


# Amounts as people write them: the reader's decimal mark, spaces between thousands.
@pytest.mark.parametrize(
    ("text", "decimal_symbol", "expected"),
    [
        ("1500,50", ",", "1500.50"),
        ("1 500,50", ",", "1500.50"),
        ("1\u00a0500,50", ",", "1500.50"),
        ("1\u202f500", ",", "1500.00"),
        ("1500.50", ",", "1500.50"),
        ("1,500.50", ".", "1500.50"),
        ("1,500", ".", "1500.00"),
        ("12 345 678.9", ".", "12345678.90"),
        ("1500", ".", "1500.00"),
    ],
)
def test_amounts_are_read_as_the_reader_writes_them(text, decimal_symbol, expected):
    assert parse_written_amount(text, "RUB", decimal_symbol=decimal_symbol).amount == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "decimal_symbol", "code"),
    [
        ("1.500,50", ",", "invalid_amount"),
        ("1,5,0", ",", "invalid_amount"),
        ("15,00", ".", "invalid_amount"),
        ("1,50", ".", "invalid_amount"),
        ("1 50", ",", "invalid_amount"),
        ("1,234", ",", "too_many_decimals"),
        ("", ",", "missing_amount"),
    ],
)
def test_amounts_that_cannot_be_read_one_way_are_refused(text, decimal_symbol, code):
    with pytest.raises(MoneyError) as refused:
        parse_written_amount(text, "RUB", decimal_symbol=decimal_symbol)
    assert refused.value.code == code


def test_a_comma_before_three_digits_is_ambiguous_where_the_currency_has_three_decimals():
    with pytest.raises(MoneyError) as refused:
        parse_written_amount(" 1,500 ", "KWD", decimal_symbol=".")
    assert (refused.value.code, refused.value.params) == ("ambiguous_amount", {"text": "1,500"})
    assert parse_written_amount("1,500.000", "KWD", decimal_symbol=".").amount == Decimal("1500.000")


@pytest.mark.parametrize("decimal_symbol", [",", "."])
def test_a_written_zero_is_refused_unless_zero_is_allowed(decimal_symbol):
    with pytest.raises(MoneyError) as refused:
        parse_written_amount("0", "RUB", decimal_symbol=decimal_symbol)
    assert refused.value.code == "zero_amount"
    assert parse_written_amount("0", "RUB", decimal_symbol=decimal_symbol, allow_zero=True).is_zero()


@pytest.mark.parametrize(
    ("value", "allow_zero", "outcome"),
    [
        (12, False, Money(Decimal("12.00"), "EUR")),
        (0, True, Money(Decimal("0.00"), "EUR")),
        (0, False, "zero_amount"),
        (12.5, False, "float_amount"),
        (None, False, "invalid_amount"),
    ],
)
def test_values_that_are_not_text_are_read_as_parse_amount_reads_them(value, allow_zero, outcome):
    if isinstance(outcome, Money):
        assert parse_written_amount(value, "EUR", decimal_symbol=",", allow_zero=allow_zero) == outcome
        return
    with pytest.raises(MoneyError) as refused:
        parse_written_amount(value, "EUR", decimal_symbol=",", allow_zero=allow_zero)
    assert refused.value.code == outcome
