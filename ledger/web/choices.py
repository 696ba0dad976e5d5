"""Choices for the coordinators' select fields: currencies, prisoners, funds, accounts."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from ledger.books.accounts import BANK_PREFIX, CASH_PREFIX, STRIPE
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
    return f"{account.name} ({account.label})" if account.label else account.name


def asset_choices() -> list[tuple[str, str]]:
    """Bank and cash accounts money can be paid from."""
    return [(a.name, _label(a)) for a in spending_assets(db.session)]


def receiving_asset_choices() -> list[tuple[str, str]]:
    """Where a gift can arrive: bank, cash or Stripe accounts."""
    accounts = db.session.scalars(
        select(Account)
        .where(
            Account.name.startswith(BANK_PREFIX)
            | Account.name.startswith(CASH_PREFIX)
            | (Account.name == STRIPE)
        )
        .order_by(Account.name)
    )
    return [(a.name, _label(a)) for a in accounts]


def bank_choices() -> list[tuple[str, str]]:
    accounts = db.session.scalars(
        select(Account).where(Account.name.startswith(BANK_PREFIX)).order_by(Account.name)
    )
    return [(a.name, _label(a)) for a in accounts]
