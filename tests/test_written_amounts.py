"""Amounts as people write them: the reader's decimal mark, spaces between thousands."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ledger.money import MoneyError, parse_written_amount


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
        parse_written_amount("1,500", "KWD", decimal_symbol=".")
    assert refused.value.code == "ambiguous_amount"
    assert parse_written_amount("1,500.000", "KWD", decimal_symbol=".").amount == Decimal("1500.000")
