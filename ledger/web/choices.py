"""Choices for the coordinators' select fields: currencies, prisoners, funds, accounts."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from ledger.books.models import Account
from ledger.extensions import db
from ledger.funds.models import Facility, Prisoner
from ledger.money import CURRENCIES
from ledger.spending.disbursements import spending_assets

COMMON_CURRENCIES = ["RUB", "EUR", "USD", "GBP", "CHF", "GEL", "KZT", "AMD", "TRY"]


def currency_choices() -> list[tuple[str, str]]:
    rest = sorted(set(CURRENCIES) - set(COMMON_CURRENCIES))
    return [(code, code) for code in COMMON_CURRENCIES + rest]


def prisoner_choices() -> list[tuple[str, str]]:
    # Two columns, not ORM objects: a select lists every prisoner.
    return [
        (slug, name)
        for slug, name in db.session.execute(select(Prisoner.slug, Prisoner.name).order_by(Prisoner.name))
    ]


def fund_choices() -> list[tuple[str, str]]:
    return [("general", _("General fund"))] + prisoner_choices()


def facility_choices() -> list[tuple[str, str]]:
    facilities = db.session.scalars(select(Facility).order_by(Facility.name))
    return [("", "—")] + [(str(f.id), f.name) for f in facilities]


def _label(account: Account) -> str:
    """``name (label, CUR)``: the label in the reader's language, the one currency it holds."""
    details = [part for part in (account.label_for(str(get_locale())), account.currency) if part]
    return f"{account.name} ({', '.join(details)})" if details else account.name


def asset_choices() -> list[tuple[str, str]]:
    """Bank and cash accounts money can be paid from."""
    return [(a.name, _label(a)) for a in spending_assets(db.session)]


def receiving_asset_choices() -> list[tuple[str, str]]:
    """Where a gift can arrive: open bank, cash, Stripe or intermediary accounts."""
    from ledger.funds.donations import RECEIVING_KINDS

    accounts = db.session.scalars(
        select(Account)
        .where(Account.kind.in_(RECEIVING_KINDS), Account.closed_at.is_(None))
        .order_by(Account.name)
    )
    return [(a.name, _label(a)) for a in accounts]


def bank_choices() -> list[tuple[str, str]]:
    accounts = db.session.scalars(
        select(Account).where(Account.kind == "bank", Account.closed_at.is_(None)).order_by(Account.name)
    )
    return [(a.name, _label(a)) for a in accounts]
