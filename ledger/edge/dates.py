"""Calendar days as the reader writes them, from Babel.

Russian's CLDR patterns end a date with «г.» («7 дек. 2026 г.»), which doubles the full stop of
any sentence that ends with a date («Умерла 7 дек. 2026 г..»).  Russian readers get the same
date without the year's abbreviation («7 дек. 2026», «7 декабря 2026»), which reads naturally
in a sentence and in a table; every other language keeps Babel's own pattern."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import format_date, get_locale

_RUSSIAN = {"short": "dd.MM.y", "medium": "d MMM y", "long": "d MMMM y", "full": "EEEE, d MMMM y"}


def format_day(value: date | datetime | None, format: str = "medium") -> str:
    """``value`` (a date) in the reader's language; empty for None."""
    if value is None:
        return ""
    locale = get_locale()
    if locale is not None and locale.language == "ru" and format in _RUSSIAN:
        return format_date(value, _RUSSIAN[format])
    return format_date(value, format)
