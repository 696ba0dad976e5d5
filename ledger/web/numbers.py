"""Amounts typed into pages, read the way the reader writes numbers (Babel's locale data)."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import get_decimal_symbol
from flask_babel import format_decimal, get_locale

from ledger.money import Money, MoneyError, parse_written_amount

EXAMPLE_AMOUNT = Decimal("1250.50")


def amount_from_form(text: object, currency: str, *, allow_zero: bool = False) -> Money:
    """``"1 500,50"`` in Russian and ``"1,500.50"`` in English both give 1500.50.  An amount
    that can't be read is explained with an example written the reader's way (1250.50, 1250,50)."""
    try:
        return parse_written_amount(
            text, currency, decimal_symbol=get_decimal_symbol(get_locale()), allow_zero=allow_zero
        )
    except MoneyError as error:
        if error.code == "invalid_amount":
            raise MoneyError(
                "invalid_written_amount", example=format_decimal(EXAMPLE_AMOUNT, "0.00")
            ) from None
        raise
