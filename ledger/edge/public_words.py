"""Plain words for the public pages, CSV and API answers: what the books' groups of
accounts mean, without account codes (``liabilities:funds:prisoner`` is for auditors)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

PUBLIC_GROUP_LABELS = {
    "bank": _l("In the bank"),
    "cash": _l("Cash held by coordinators"),
    "card_processor": _l("Card gifts not yet paid out by the card processor"),
    "other_assets": _l("Other money held"),
    "all_assets": _l("Money held in bank accounts, in cash and by the card processor"),
    "in_transit": _l("Money on its way to prisoners' personal accounts"),
    "general_fund": _l("General fund (for whoever needs it most)"),
    "prisoner_funds": _l("Money held for prisoners"),
    "conversion": _l("Currency exchange differences"),
    "other": _l("Other"),
}

# Kinds of public journal entries (ledger/reports/public_journal.py).
PUBLIC_KIND_LABELS = {
    "spending": _l("Spending"),
    "transfer": _l("Move between funds"),
    "conversion": _l("Currency exchange"),
    "cash": _l("Cash movement"),
    "reversal": _l("Reversal"),
    "other": _l("Other entry"),
    "donations": _l("Gifts published (net of fees, monthly total)"),
}


def public_group_label(key: str | None) -> str:
    return str(PUBLIC_GROUP_LABELS.get(key, key)) if key else ""


def public_kind_label(key: str | None) -> str:
    return str(PUBLIC_KIND_LABELS.get(key, key)) if key else ""
