"""Jinja filters and globals that format money, numbers and dates with Babel."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from functools import lru_cache

from babel import Locale, numbers
from flask import Flask
from flask_babel import format_datetime, get_locale, to_user_timezone
from flask_login import current_user

from ledger.edge.account_words import account_words
from ledger.edge.dates import format_day
from ledger.edge.messages import message_for
from ledger.money import Money, minor_units
from ledger.web.choices import all_currencies_asked, all_currencies_url
from ledger.web.csv_export import sheet_decimal_comma
from ledger.web.legal_words import legal_basis


def money(value: Money | None) -> str:
    """``€1,234.50`` in English, ``1 234,50 €`` in Russian; a currency the locale has no symbol
    for reads ``RUB 303,000.00`` (Babel alone would write ``RUB303,000.00``)."""
    if value is None:
        return ""
    return _money_text(str(value.amount), value.currency, get_locale())


# A report formats the same few amounts thousands of times (a pledge's instalment in every
# month), and Babel takes tens of microseconds each time (#17). Babel's text is a function of
# these arguments alone; the amount is its text, so 1.5 and 1.50 stay apart.
@lru_cache(maxsize=8192)
def _money_text(amount: str, currency: str, locale: Locale | None) -> str:
    places = minor_units(currency)
    if numbers.get_currency_symbol(currency, locale=locale) == currency:
        number = numbers.format_decimal(
            Decimal(amount), format="#,##0" + ("." + "0" * places if places else ""), locale=locale
        )
        sign, digits = ("-", number[1:]) if number.startswith("-") else ("", number)
        return f"{sign}{currency}\u00a0{digits}"
    return numbers.format_currency(Decimal(amount), currency, locale=locale)


def format_number(number: Decimal | int) -> str:
    """A number in the reader's locale: ``20,000`` in English, ``20 000`` in Russian."""
    if isinstance(number, bool) or not isinstance(number, int | Decimal):
        return numbers.format_decimal(number, locale=get_locale())
    return _decimal_text(str(number), isinstance(number, int), get_locale())


@lru_cache(maxsize=8192)
def _decimal_text(number: str, whole: bool, locale: Locale | None) -> str:
    return numbers.format_decimal(int(number) if whole else Decimal(number), locale=locale)


TIME_FORMAT = "yyyy-MM-dd HH:mm"


def datetime_with_zone(value: datetime | None, format: str = TIME_FORMAT) -> str:
    """A moment in the configured time zone (BABEL_DEFAULT_TIMEZONE), always with its zone:
    ``2026-12-01 13:05 UTC``.  Stored times are naive UTC."""
    if value is None:
        return ""
    zone = to_user_timezone(value).tzname() or ""
    return f"{format_datetime(value, format)}\u00a0{zone}".rstrip()


def minor_money(minor: int, currency: str) -> str:
    return money(Money.from_minor(minor, currency))


def error_message(error: tuple[str, dict] | None) -> str:
    """A (code, params) pair as the reader's sentence."""
    if not error:
        return ""
    code, params = error
    return str(message_for(code, params))


def display_name(prisoner) -> str:
    """The prisoner's name in the reader's script: Cyrillic for Russian readers, the Latin
    transliteration for everyone else when there is one."""
    if str(get_locale()) != "ru" and prisoner.name_latin:
        return prisoner.name_latin
    return prisoner.name


def display_bio(prisoner) -> str:
    """The bio in the reader's language, or the other one when only that exists."""
    if str(get_locale()) == "ru":
        return prisoner.bio_ru or prisoner.bio_en or ""
    return prisoner.bio_en or prisoner.bio_ru or ""


def account_label(account) -> str:
    """An account's label in the reader's language (the other one when only that exists)."""
    return account.label_for(str(get_locale())) or ""


def staff_page() -> bool:
    """A page for signed-in staff (their forms offer every currency); public forms list only
    the currencies the organisation takes."""
    return current_user.is_authenticated


def register_formatting(app: Flask) -> None:
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["date"] = format_day
    app.jinja_env.filters["datetime"] = datetime_with_zone
    app.jinja_env.filters["decimal"] = format_number
    app.jinja_env.filters["error_message"] = error_message
    app.jinja_env.filters["display_name"] = display_name
    app.jinja_env.filters["display_bio"] = display_bio
    app.jinja_env.filters["account_label"] = account_label
    app.jinja_env.filters["account_name"] = account_words
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["legal_basis"] = legal_basis
    app.jinja_env.globals["sheet_decimal_comma"] = sheet_decimal_comma
    app.jinja_env.globals["all_currencies_asked"] = all_currencies_asked
    app.jinja_env.globals["all_currencies_url"] = all_currencies_url
    app.jinja_env.globals["staff_page"] = staff_page
    app.jinja_env.globals["minor_money"] = minor_money
