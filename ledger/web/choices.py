"""Choices for the coordinators' select fields: currencies, prisoners, funds, accounts."""

from __future__ import annotations

from collections import Counter

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from ledger.books.kinds import AssetKind
from ledger.books.models import Account, AccountBalance
from ledger.extensions import db
from ledger.funds.kinds import GENERAL
from ledger.funds.models import Facility, Prisoner
from ledger.money import CURRENCIES
from ledger.spending.disbursements import spending_assets
from ledger.web.fields import SelectField

COMMON_CURRENCIES = ["RUB", "EUR", "USD", "GBP", "CHF", "GEL", "KZT", "AMD", "TRY"]


def currencies_in_use() -> list[str]:
    """The currencies the books use: held by an account, or ever posted (running balances)."""
    held = select(Account.currency).where(Account.currency.isnot(None))
    posted = select(AccountBalance.currency).where(AccountBalance.posting_count > 0)
    codes = set(db.session.scalars(held)) | set(db.session.scalars(posted))
    return sorted(code for code in codes if code is not None)


def currency_choices(*, blank: bool = False) -> list[SelectChoice]:
    """Currency select options: those in use first (their own group), then the rest, the
    common ones before the others.  ``blank`` starts with an empty "—" choice."""
    in_use = currencies_in_use()
    others = [code for code in COMMON_CURRENCIES if code not in in_use]
    others += sorted(set(CURRENCIES) - set(COMMON_CURRENCIES) - set(in_use))
    choices = [SelectChoice("", "—")] if blank else []
    if in_use:
        choices += [SelectChoice(code, code, optgroup=_("In use")) for code in in_use]
        choices += [SelectChoice(code, code, optgroup=_("Other currencies")) for code in others]
    else:
        choices += [SelectChoice(code, code) for code in others]
    return choices


def default_choice(field: SelectField, wanted: str | None) -> str | None:
    """``wanted`` when the select offers it, else its first choice (what a browser shows)."""
    values = [choice.value for choice in field.choices]
    if wanted in values:
        return wanted
    return values[0] if values else None


def currency_of(account_name: str | None) -> str | None:
    """The one currency an account holds (bank and cash accounts), or None."""
    if not account_name:
        return None
    return db.session.scalar(select(Account.currency).where(Account.name == account_name))


def prisoner_choices() -> list[tuple[str, str]]:
    """Every prisoner by name in the reader's script (Cyrillic for Russian readers, the Latin
    transliteration for others when there is one), sorted by it; a name two prisoners share
    is told apart by the slug."""
    # Three columns, not ORM objects: a select lists every prisoner.
    russian = str(get_locale()) == "ru"
    rows = db.session.execute(select(Prisoner.slug, Prisoner.name, Prisoner.name_latin))
    named = [(slug, name if russian or not latin else latin) for slug, name, latin in rows]
    counts = Counter(label.casefold() for _slug, label in named)
    labelled = [
        (slug, f"{label} ({slug})" if counts[label.casefold()] > 1 else label) for slug, label in named
    ]
    return sorted(labelled, key=lambda choice: (choice[1].casefold(), choice[0]))


def prisoner_select_choices() -> list[SelectChoice]:
    """``prisoner_choices()`` for a select field."""
    return [SelectChoice(slug, label) for slug, label in prisoner_choices()]


def public_fund_choices() -> list[SelectChoice]:
    """What a donor may give to on the public pages: the general fund and public prisoners."""
    prisoners = db.session.scalars(select(Prisoner).where(Prisoner.public.is_(True)).order_by(Prisoner.name))
    choices = [SelectChoice(GENERAL, _("General fund (where it is needed most)"))]
    for prisoner in prisoners:
        label = prisoner.name if not prisoner.name_latin else f"{prisoner.name} ({prisoner.name_latin})"
        choices.append(SelectChoice(prisoner.slug, label))
    return choices


def fund_choices() -> list[SelectChoice]:
    return [SelectChoice(GENERAL, _("General fund")), *prisoner_select_choices()]


def facility_choices() -> list[SelectChoice]:
    facilities = db.session.scalars(select(Facility).order_by(Facility.name))
    return [SelectChoice("", "—")] + [SelectChoice(str(f.id), f.name) for f in facilities]


def _label(account: Account) -> str:
    """``name (label, CUR)``: the label in the reader's language, the one currency it holds."""
    details = [part for part in (account.label_for(str(get_locale())), account.currency) if part]
    return f"{account.name} ({', '.join(details)})" if details else account.name


def asset_choices() -> list[SelectChoice]:
    """Bank and cash accounts money can be paid from."""
    return [SelectChoice(a.name, _label(a)) for a in spending_assets(db.session)]


def receiving_asset_choices() -> list[SelectChoice]:
    """Where a gift can arrive: open bank, cash, Stripe or intermediary accounts."""
    from ledger.funds.donations import RECEIVING_KINDS

    accounts = db.session.scalars(
        select(Account)
        .where(Account.kind.in_(RECEIVING_KINDS), Account.closed_at.is_(None))
        .order_by(Account.name)
    )
    return [SelectChoice(a.name, _label(a)) for a in accounts]


def bank_choices() -> list[SelectChoice]:
    accounts = db.session.scalars(
        select(Account)
        .where(Account.kind == AssetKind.BANK, Account.closed_at.is_(None))
        .order_by(Account.name)
    )
    return [SelectChoice(a.name, _label(a)) for a in accounts]
