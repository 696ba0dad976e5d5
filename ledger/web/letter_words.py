"""Letters in words: "12 letters in November 2026" with the plural forms of each language and
the month in the case Russian needs after «в», and a service's prices."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext

from ledger.letters.models import LetterService
from ledger.letters.services import price


def letters_in_month_text(count: int, month: date) -> str:
    """«12 писем в ноябре 2026» / "12 letters in November 2026"."""
    y = month.year
    m = month.month
    if m == 1:
        return ngettext(
            "%(num)s letter in January %(year)s", "%(num)s letters in January %(year)s", count, year=y
        )
    if m == 2:
        return ngettext(
            "%(num)s letter in February %(year)s", "%(num)s letters in February %(year)s", count, year=y
        )
    if m == 3:
        return ngettext(
            "%(num)s letter in March %(year)s", "%(num)s letters in March %(year)s", count, year=y
        )
    if m == 4:
        return ngettext(
            "%(num)s letter in April %(year)s", "%(num)s letters in April %(year)s", count, year=y
        )
    if m == 5:
        return ngettext("%(num)s letter in May %(year)s", "%(num)s letters in May %(year)s", count, year=y)
    if m == 6:
        return ngettext("%(num)s letter in June %(year)s", "%(num)s letters in June %(year)s", count, year=y)
    if m == 7:
        return ngettext("%(num)s letter in July %(year)s", "%(num)s letters in July %(year)s", count, year=y)
    if m == 8:
        return ngettext(
            "%(num)s letter in August %(year)s", "%(num)s letters in August %(year)s", count, year=y
        )
    if m == 9:
        return ngettext(
            "%(num)s letter in September %(year)s", "%(num)s letters in September %(year)s", count, year=y
        )
    if m == 10:
        return ngettext(
            "%(num)s letter in October %(year)s", "%(num)s letters in October %(year)s", count, year=y
        )
    if m == 11:
        return ngettext(
            "%(num)s letter in November %(year)s", "%(num)s letters in November %(year)s", count, year=y
        )
    return ngettext(
        "%(num)s letter in December %(year)s", "%(num)s letters in December %(year)s", count, year=y
    )


def service_name(service: LetterService) -> str:
    from flask_babel import get_locale

    return service.label(str(get_locale() or "en"))


def service_prices(service: LetterService) -> str:
    """ "free", "55 ₽ a letter, 55 ₽ a reply form, 35 ₽ an image", or that the price is not known."""
    from ledger.web.formatting import money

    letter = price(service.letter_price_minor)
    reply = price(service.reply_form_price_minor)
    image = price(service.image_price_minor)
    if letter is None:
        return _("price not recorded here")
    if letter.minor == 0 and not (reply and reply.minor) and not (image and image.minor):
        return _("free")
    parts = [_("%(amount)s a letter", amount=money(letter))]
    if reply is not None and reply.minor:
        parts.append(_("%(amount)s a reply form", amount=money(reply)))
    if image is not None and image.minor:
        parts.append(_("%(amount)s an image", amount=money(image)))
    return ", ".join(parts)


def register_letter_words(app) -> None:
    app.jinja_env.globals.update(
        letters_in_month_text=letters_in_month_text,
        service_name=service_name,
        service_prices=service_prices,
    )
