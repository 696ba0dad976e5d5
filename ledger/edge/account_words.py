"""Accounts as a person reads them: the general fund, a prisoner's fund by the prisoner's
name, any other account by its label in the reader's language.  Account codes
(``liabilities:funds:general``) stay in the auditors' technical columns and exports, where
they are the data; pages and messages that a person reads name the account in words."""

from __future__ import annotations

from flask import has_app_context
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from ledger.books.accounts import GENERAL_FUND, PRISONER_FUND_PREFIX
from ledger.books.models import Account

GENERAL_FUND_WORDS = _l("General fund")
FUND_OF = _l("Fund of %(name)s")
CASH_OF = _l("Cash held by %(person)s (%(currency)s)")


def _locale() -> str:
    return str(get_locale() or "en")


def _prisoner_name(prisoner) -> str:
    if _locale() != "ru" and prisoner.name_latin:
        return prisoner.name_latin
    return prisoner.name


def account_words(account: Account | str | None) -> str:
    """The account's name in words (the code itself when nothing better is known)."""
    if account is None:
        return ""
    if isinstance(account, str):
        name = account
        if name == GENERAL_FUND:
            return str(GENERAL_FUND_WORDS)
        if not has_app_context():
            return name
        from ledger.books.accounts import find_account
        from ledger.extensions import db

        found = find_account(db.session, name)
        if found is None:
            return name
        account = found
    if account.name == GENERAL_FUND:
        return str(GENERAL_FUND_WORDS)
    if account.name.startswith(PRISONER_FUND_PREFIX) and account.prisoner is not None:
        return str(FUND_OF % {"name": _prisoner_name(account.prisoner)})
    label = account.label_for(_locale())
    if account.holder is not None:
        # A coordinator's cash box is labelled with the person: say whose cash, in which currency.
        person = label or account.holder.email
        return str(CASH_OF % {"person": person, "currency": account.currency or ""})
    return label or account.name
