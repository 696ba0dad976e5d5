"""Descriptions the app wrote itself, shown in the reader's language.

The journal stores them in English (``ledger.books.descriptions``); here each code has
its translated template.  Text a person typed is shown as they typed it.
"""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_decimal
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from ledger.books.descriptions import parse
from ledger.web.labels import category_label

TRANSLATED = {
    "bank_donation": _l("Bank transfer"),
    "cash_donation": _l("Cash donation"),
    "card_donation": _l("Card donation"),
    "other_donation": _l("Donation"),
    "card_refund": _l("Card refund"),
    "card_refund_failed": _l("Card refund failed"),
    "card_dispute": _l("Card dispute"),
    "card_dispute_won": _l("Card dispute won"),
    "stripe_payout": _l("Stripe payout"),
    "bank_fee": _l("Bank fee"),
    "stripe_payout_returned": _l("Stripe payout returned"),
    "cash_advance": _l("Cash advance"),
    "cash_return": _l("Cash returned to the bank"),
    "fund_transfer": _l("Transfer between funds"),
    "spending": _l("Spending: %(category)s"),
    "fund_conversion": _l("Conversion %(source)s→%(target)s at %(rate)s"),
    "asset_exchange": _l("Exchange %(source)s→%(target)s at %(rate)s"),
    "fund_closed_on_release": _l("Fund moved to the general fund on release"),
    "fund_closed_on_death": _l("Fund moved to the general fund on death"),
    "parcel_refund": _l("Returned parcel refunded by the post office (entry #%(entry)s)"),
    "commissary_sent": _l("Sent to the personal account (%(channel)s), in transit"),
    "commissary_credited": _l("Credited to the personal account (sent in entry #%(entry)s)"),
    "commissary_returned": _l("Returned from the personal account (sent in entry #%(entry)s)"),
    "reversal": _l("Reversal of #%(entry)s: %(reason)s"),
}


def description_in_language(description: str | None) -> str:
    """``description`` as the reader would write it: a generated one translated, with its
    category named and its rate written the reader's way; anything else unchanged."""
    described = parse(description)
    if described is None:
        return description or ""
    params = dict(described.params)
    if "category" in params:
        params["category"] = category_label(params["category"])
    if "channel" in params:
        from ledger.web.labels import LABEL_FILTERS

        params["channel"] = LABEL_FILTERS["channel"](params["channel"])
    if "rate" in params:
        params["rate"] = format_decimal(
            Decimal(params["rate"]), locale=str(get_locale() or "en"), decimal_quantization=False
        )
    return str(TRANSLATED[described.code]) % params if params else str(TRANSLATED[described.code])


def register_descriptions(app) -> None:
    app.jinja_env.filters["description"] = description_in_language
