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

PRISONER_STATUS_LABELS = {
    "awaiting_trial": _l("awaiting trial"),
    "sentenced": _l("sentenced"),
    "released": _l("released"),
}
PLEDGE_STATUS_LABELS = {"active": _l("active"), "cancelled": _l("cancelled"), "completed": _l("completed")}
FREQUENCY_LABELS = {"monthly": _l("monthly"), "one_off": _l("one-off")}
METHOD_LABELS = {"bank": _l("bank transfer"), "cash": _l("cash"), "card": _l("card"), "other": _l("other")}


def _labeller(labels: dict):
    def label(code: str | None) -> str:
        return str(labels.get(code, code)) if code else ""

    return label


LABEL_FILTERS = {
    "category": category_label,
    "role": role_label,
    "prisoner_status": _labeller(PRISONER_STATUS_LABELS),
    "pledge_status": _labeller(PLEDGE_STATUS_LABELS),
    "pledge_frequency": _labeller(FREQUENCY_LABELS),
    "donation_method": _labeller(METHOD_LABELS),
}
