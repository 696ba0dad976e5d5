"""The money and number filters give Babel's text in the reader's language, also when the
same amount comes again (they remember Babel's answers, #17)."""

from decimal import Decimal

import pytest
from babel import numbers
from flask_babel import force_locale

from ledger.money import Money
from ledger.web.formatting import format_number, money

AMOUNTS = [
    Decimal("0"),
    Decimal("1.5"),
    Decimal("1.50"),
    Decimal("-1234.56"),
    Decimal("303000"),
    Decimal("7"),
]


@pytest.mark.parametrize("locale", ["en", "ru"])
def test_money_reads_as_babel_writes_it_in_each_language(app, locale):
    with app.test_request_context(), force_locale(locale):
        for _ in range(2):  # the second time from what was remembered
            for amount in AMOUNTS:
                assert money(Money(amount.quantize(Decimal("0.01")), "EUR")) == numbers.format_currency(
                    amount, "EUR", locale=locale
                )


def test_a_currency_without_a_symbol_is_written_with_its_code_before_the_amount(app):
    with app.test_request_context():
        with force_locale("en"):
            assert money(Money(Decimal("-303000.00"), "RUB")) == "-RUB\xa0303,000.00"
            assert money(Money(Decimal("1234.50"), "EUR")) == "€1,234.50"
        with force_locale("ru"):  # the same amount, now in Russian: not the English text again
            assert money(Money(Decimal("1234.50"), "EUR")).replace("\xa0", " ") == "1 234,50 €"


@pytest.mark.parametrize("locale", ["en", "ru"])
def test_numbers_read_as_babel_writes_them(app, locale):
    with app.test_request_context(), force_locale(locale):
        for _ in range(2):
            for number in [20000, -5, *AMOUNTS, Decimal("0.125"), 1.25]:
                assert format_number(number) == numbers.format_decimal(number, locale=locale)
    with app.test_request_context(), force_locale("ru"):
        assert format_number(20000).replace("\xa0", " ") == "20 000"
