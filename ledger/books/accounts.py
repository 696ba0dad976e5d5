"""The chart of accounts: names, types, and the standard accounts every ledger has.

Funds are liabilities (money held on behalf of someone); assets are pooled.
"""

from __future__ import annotations

import re
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.books.errors import CurrencyMismatch, InvalidEntry
from ledger.books.models import Account, Currency
from ledger.money import CURRENCIES


class FundOwner(Protocol):
    """A prisoner as the chart of accounts sees one (``ledger.funds.models.Prisoner``)."""

    @property
    def slug(self) -> str: ...

    @property
    def name(self) -> str: ...


class Holder(Protocol):
    """The user who holds a cash account (``ledger.access.models.User``), seen here by id."""

    @property
    def id(self) -> int: ...


FUND_PREFIX = "liabilities:funds:"
# The general fund's key is ``ledger.funds.kinds.GENERAL`` (tests/test_architecture.py pins
# that they agree): the core names its accounts without importing the areas above it.
GENERAL_FUND = FUND_PREFIX + "general"
PRISONER_FUND_PREFIX = FUND_PREFIX + "prisoner:"
TRADING = "equity:conversion"
STRIPE = "assets:stripe"
BANK_PREFIX = "assets:bank:"
CASH_PREFIX = "assets:cash:"
INTERMEDIARY_PREFIX = "assets:intermediary:"
# Kinds that hold exactly one currency; Stripe and intermediaries may hold several.
SINGLE_CURRENCY_KINDS = ("bank", "cash")

_SEGMENT = r"[a-z0-9][a-z0-9-]*"
_ACCOUNT_NAME = re.compile(rf"{_SEGMENT}(?::{_SEGMENT})+")
_TYPE_BY_ROOT = {
    "assets": "asset",
    "liabilities": "liability",
    "equity": "equity",
    "income": "income",
    "expenses": "expense",
}


def account_type_for(name: str) -> str:
    """The type implied by the top-level segment, as hledger infers it."""
    root = name.split(":", 1)[0]
    try:
        return _TYPE_BY_ROOT[root]
    except KeyError:
        raise InvalidEntry("unknown account root", field="account", account=name) from None


def validate_account_name(name: str) -> str:
    if not isinstance(name, str) or not _ACCOUNT_NAME.fullmatch(name) or len(name) > 200:
        raise InvalidEntry("bad account name", field="account", account=name)
    account_type_for(name)
    return name


def is_guarded(name: str) -> bool:
    """Funds and coordinators' cash may never go below zero."""
    return name.startswith("liabilities:funds:") or name.startswith(CASH_PREFIX)


def asset_kind_for(name: str) -> str | None:
    """bank, cash, stripe or intermediary for an ``assets:`` name; None for other accounts."""
    if account_type_for(name) != "asset":
        return None
    if name.startswith(BANK_PREFIX):
        return "bank"
    if name.startswith(CASH_PREFIX):
        return "cash"
    if name == STRIPE or name.startswith(STRIPE + ":"):
        return "stripe"
    return "intermediary"


def currency_in_name(name: str) -> str | None:
    """The currency a conventional name starts its last part with: ``assets:bank:eur-main`` → EUR."""
    first = name.rsplit(":", 1)[-1].split("-", 1)[0].upper()
    return first if first in CURRENCIES else None


def check_currency(account: Account, currency: str, field: str = "account") -> None:
    """Refuse money in another currency than the one the account holds."""
    if account.currency is not None and currency != account.currency:
        raise CurrencyMismatch(
            "account holds another currency",
            field=field,
            account=account.name,
            expected=account.currency,
            currency=currency,
        )


def find_account(session: Session, name: object) -> Account | None:
    """The account called ``name``, or None (also for a value that can't be an account name)."""
    if not isinstance(name, str) or len(name) > 200:
        return None
    return session.scalar(select(Account).where(Account.name == name))


def get_or_create_account(
    session: Session,
    name: str,
    *,
    label: str | None = None,
    prisoner: FundOwner | None = None,
    currency: str | None = None,
    holder: Holder | None = None,
) -> Account:
    """Return the account called ``name``, creating it (flushed) when missing.

    A bank or cash account is created with one currency: ``currency``, or the one its name
    starts with (``assets:bank:rub-main``); without either it is refused.  Admins open
    accounts with ``ledger.books.asset_accounts.open_account`` (checks, audit log).
    """
    account = find_account(session, name)
    if account is None:
        validate_account_name(name)
        kind = asset_kind_for(name)
        if kind in SINGLE_CURRENCY_KINDS:
            currency = currency or currency_in_name(name)
            if currency is None:
                raise InvalidEntry("currency required", field="currency", reason="currency_required")
        account = Account(
            name=name,
            type=account_type_for(name),
            guarded=is_guarded(name),
            label=label,
            prisoner=prisoner,
            kind=kind,
            currency=currency if kind is not None else None,
            holder=holder,
        )
        session.add(account)
        session.flush()
    return account


def fund_account_name(slug: str) -> str:
    return PRISONER_FUND_PREFIX + slug


def fund_account_for(session: Session, prisoner: FundOwner) -> Account:
    """The prisoner's fund, created with the prisoner."""
    return get_or_create_account(
        session, fund_account_name(prisoner.slug), label=prisoner.name, prisoner=prisoner
    )


def general_fund(session: Session) -> Account:
    return get_or_create_account(session, GENERAL_FUND, label="General fund")


def trading_account(session: Session) -> Account:
    return get_or_create_account(session, TRADING, label="Currency conversion")


def ensure_standard_accounts(session: Session) -> None:
    """Currencies and the accounts every organisation starts with."""
    known = set(session.scalars(select(Currency.code)))
    for code, places in CURRENCIES.items():
        if code not in known:
            session.add(Currency(code=code, minor_units=places))
    session.flush()
    general_fund(session)
    trading_account(session)
    get_or_create_account(session, STRIPE, label="Stripe balance")
