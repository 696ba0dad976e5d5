"""Translated names of the ledger's codes (categories, statuses, methods, roles, report
sections) for pages and CSV headers."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ledger.spending.disbursements import SPENDING_CATEGORIES

CATEGORY_LABELS = {
    "donation": _l("Donation"),
    "fee": _l("Processing fee"),
    "food": _l("Food"),
    "clothing": _l("Clothing"),
    "parcels": _l("Parcels and postage"),
    "commissary": _l("Commissary"),
    "letters": _l("Letters"),
    "transfer": _l("Transfer"),
    "conversion": _l("Currency conversion"),
    "refund": _l("Refund"),
    "other": _l("Other"),
}
SPENDING_CATEGORY_CHOICES = [(code, CATEGORY_LABELS[code]) for code in SPENDING_CATEGORIES]
ROLE_LABELS = {"admin": _l("admin"), "coordinator": _l("coordinator"), "auditor": _l("auditor")}
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
PLEDGE_STATUS_LABELS = {
    "active": _l("active"),
    "overdue": _l("overdue"),
    "lapsed": _l("lapsed"),
    "fulfilled": _l("fulfilled"),
    "paused": _l("paused"),
    "cancelled": _l("cancelled"),
}
FREQUENCY_LABELS = {"monthly": _l("Monthly"), "one_off": _l("One-off")}
ACCOUNT_KIND_LABELS = {
    "bank": _l("bank"),
    "cash": _l("cash"),
    "stripe": _l("Stripe"),
    "intermediary": _l("intermediary"),
}
METHOD_LABELS = {"bank": _l("bank transfer"), "cash": _l("cash"), "card": _l("card"), "other": _l("other")}


def _labeller(labels: dict):
    def label(code: str | None) -> str:
        return str(labels.get(code, code)) if code else ""

    return label


category_label = _labeller(CATEGORY_LABELS)
role_label = _labeller(ROLE_LABELS)

LABEL_FILTERS = {
    "category": category_label,
    "role": role_label,
    "prisoner_status": _labeller(STATUS_LABELS),
    "pledge_status": _labeller(PLEDGE_STATUS_LABELS),
    "pledge_frequency": _labeller(FREQUENCY_LABELS),
    "donation_method": _labeller(METHOD_LABELS),
    "account_kind": _labeller(ACCOUNT_KIND_LABELS),
}


def register_labels(app) -> None:
    """The same labels as template filters (``x|category``) and globals (``category_label(x)``)."""
    app.jinja_env.filters.update(LABEL_FILTERS)
    app.jinja_env.globals.update(
        category_label=category_label,
        status_label=LABEL_FILTERS["prisoner_status"],
        section_label=_labeller(SECTION_LABELS),
        frequency_label=LABEL_FILTERS["pledge_frequency"],
    )
