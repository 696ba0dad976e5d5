"""Choices for the coordinators' select fields: currencies, prisoners, funds, accounts."""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlencode

from flask import has_request_context, request
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


# ``?currencies=all`` on a form's page: every ISO 4217 code in its currency selects.
ALL_CURRENCIES_ARG = "currencies"


def currencies_in_use() -> list[str]:
    """The currencies the books use, the accounts' own first: those an open account holds,
    then any other ever posted, each group the most posted first."""
    held: set[str] = {
        code
        for code in db.session.scalars(select(Account.currency).where(Account.closed_at.is_(None)))
        if code is not None
    }
    postings: Counter[str] = Counter()
    for currency, count in db.session.execute(
        select(AccountBalance.currency, AccountBalance.posting_count).where(AccountBalance.posting_count > 0)
    ):
        postings[currency] += count or 0
    codes = held | set(postings)
    return sorted(codes, key=lambda code: (code not in held, -postings[code], code))


def all_currencies_asked() -> bool:
    return has_request_context() and request.args.get(ALL_CURRENCIES_ARG) == "all"


def all_currencies_url() -> str:
    """This page with every currency in its selects (a plain link: no script)."""
    args = request.args.to_dict()
    args[ALL_CURRENCIES_ARG] = "all"
    return request.path + "?" + urlencode(args)


def currency_choices(*, blank: bool = False) -> list[SelectChoice]:
    """Currency select options: those in use first (their own group, the accounts' currencies
    first), then the common ones; every other ISO code only when the page was asked for all
    (``?currencies=all``) or a submitted form chose one."""
    in_use = currencies_in_use()
    others = [code for code in COMMON_CURRENCIES if code not in in_use]
    rest = sorted(set(CURRENCIES) - set(COMMON_CURRENCIES) - set(in_use))
    if all_currencies_asked():
        others += rest
    elif has_request_context() and request.method == "POST":
        # A currency chosen from the full list stays valid when its form is sent.
        others += sorted(
            {value for key, value in request.form.items() if key.endswith("currency") and value in rest}
        )
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
    """``Label (CUR)``: the label in the reader's language (the code when it has none) and the
    one currency it holds; the code stays the option's value."""
    words = account.label_for(str(get_locale())) or account.name
    if account.currency and account.currency not in words:
        return f"{words} ({account.currency})"
    return words


def _labelled(accounts) -> list[SelectChoice]:
    """Options for accounts by their labels; two accounts with one label also show their codes."""
    accounts = list(accounts)
    labels = Counter(_label(a) for a in accounts)
    return [
        SelectChoice(a.name, _label(a) if labels[_label(a)] == 1 else f"{_label(a)} · {a.name}")
        for a in accounts
    ]


def asset_choices() -> list[SelectChoice]:
    """Bank and cash accounts money can be paid from."""
    return _labelled(spending_assets(db.session))


def receiving_asset_choices() -> list[SelectChoice]:
    """Where a gift can arrive: open bank, cash, Stripe or intermediary accounts."""
    from ledger.funds.donations import RECEIVING_KINDS

    accounts = db.session.scalars(
        select(Account)
        .where(Account.kind.in_(RECEIVING_KINDS), Account.closed_at.is_(None))
        .order_by(Account.name)
    )
    return _labelled(accounts)


def bank_choices() -> list[SelectChoice]:
    accounts = db.session.scalars(
        select(Account)
        .where(Account.kind == AssetKind.BANK, Account.closed_at.is_(None))
        .order_by(Account.name)
    )
    return _labelled(accounts)
