"""Translated names of the ledger's codes (categories, methods, statuses) for pages and CSV."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ledger.spending.disbursements import SPENDING_CATEGORIES

CATEGORY_LABELS = {
    "donation": _l("Donation"),
    "fee": _l("Processing fee"),
    "food": _l("Food"),
    "clothing": _l("Clothing"),
    "parcels": _l("Parcels"),
    "commissary": _l("Commissary"),
    "letters": _l("Letters"),
    "transfer": _l("Transfer"),
    "conversion": _l("Currency conversion"),
    "refund": _l("Refund"),
    "other": _l("Other"),
}
SPENDING_CATEGORY_CHOICES = [(code, CATEGORY_LABELS[code]) for code in SPENDING_CATEGORIES]


def category_label(code: str | None) -> str:
    return str(CATEGORY_LABELS.get(code, code)) if code else ""

ROLE_LABELS = {
    "admin": _l("admin"),
    "coordinator": _l("coordinator"),
    "auditor": _l("auditor"),
}


def role_label(code: str | None) -> str:
    return str(ROLE_LABELS.get(code, code)) if code else ""
