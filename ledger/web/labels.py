"""Translated labels for codes shown on pages and in CSV headers."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

CATEGORY_LABELS = {
    "donation": _l("Donation"),
    "fee": _l("Processor fee"),
    "food": _l("Food"),
    "clothing": _l("Clothing"),
    "parcels": _l("Parcels and postage"),
    "commissary": _l("Commissary"),
    "letters": _l("Letters"),
    "transfer": _l("Transfer"),
    "conversion": _l("Conversion"),
    "refund": _l("Refund"),
    "other": _l("Other"),
}
STATUS_LABELS = {
    "awaiting_trial": _l("Awaiting trial"),
    "sentenced": _l("Sentenced"),
    "released": _l("Released"),
}
SECTION_LABELS = {
    "assets": _l("Assets"),
    "funds": _l("Funds held for prisoners"),
    "equity": _l("Equity"),
    "other": _l("Other"),
}
FREQUENCY_LABELS = {"monthly": _l("Monthly"), "one_off": _l("One-off")}


def category_label(code: str | None) -> str:
    return str(CATEGORY_LABELS.get(code or "", code or ""))


def register_labels(app) -> None:
    app.jinja_env.globals.update(
        category_label=category_label,
        status_label=lambda code: str(STATUS_LABELS.get(code, code)),
        section_label=lambda code: str(SECTION_LABELS.get(code, code)),
        frequency_label=lambda code: str(FREQUENCY_LABELS.get(code, code)),
    )
