"""Amounts typed into pages, read the way the reader writes numbers (Babel's locale data)."""

from __future__ import annotations

from babel.numbers import get_decimal_symbol
from flask_babel import get_locale

from ledger.money import Money, parse_written_amount


def amount_from_form(text: object, currency: str, *, allow_zero: bool = False) -> Money:
    """``"1 500,50"`` in Russian and ``"1,500.50"`` in English both give 1500.50."""
    return parse_written_amount(
        text, currency, decimal_symbol=get_decimal_symbol(get_locale()), allow_zero=allow_zero
    )
