"""Managing asset accounts: opening, relabelling and closing them (admins).

An asset account is a bank account (``assets:bank:…``), someone's cash (``assets:cash:…``),
the Stripe balance (``assets:stripe``) or an intermediary holding money in transit
(``assets:intermediary:…``).  A bank or cash account holds exactly one currency, fixed when
it is opened; money in another currency is refused everywhere (``post_entry`` checks it).
An account is closed only when it holds nothing, and a closed account takes no postings.
Nothing here commits: the caller's transaction boundary does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.access.audit import record_audit
from ledger.books.accounts import (
    INTERMEDIARY_PREFIX,
    SINGLE_CURRENCY_KINDS,
    STRIPE,
    asset_kind_for,
    find_account,
    get_or_create_account,
    validate_account_name,
)
from ledger.books.errors import AccountClosed, InvalidEntry, LedgerError
from ledger.books.kinds import ASSET_KINDS
from ledger.books.models import Account, AccountBalance
from ledger.books.posting import _lock_head
from ledger.money import Money, MoneyError, parse_currency
from ledger.platform.database import utcnow
from ledger.platform.text import TextError, clean_text

if TYPE_CHECKING:
    from ledger.access.models import User


class AccountExists(LedgerError):
    code = "account_exists"


class AccountNotEmpty(LedgerError):
    """An account is closed only at zero in every currency."""

    code = "account_not_empty"


@dataclass(frozen=True)
class AssetAccountLine:
    account: Account
    balances: dict[str, Money]


def _label(value: object, field: str, *, required: bool) -> str | None:
    try:
        return clean_text(value, max_length=200, required=required) or None
    except TextError as error:
        raise InvalidEntry(error.code, field=field, reason=error.code, **error.params) from None


def kind_of_new_account(name: object) -> str:
    """The kind an account named ``name`` would have; refused unless it is one of the four."""
    refused = InvalidEntry("bad asset account name", field="name", reason="bad_account_name")
    if not isinstance(name, str):
        raise refused
    try:
        validate_account_name(name)
        kind = asset_kind_for(name)
    except InvalidEntry:
        raise refused from None
    if (
        kind is None
        or (kind == "intermediary" and not name.startswith(INTERMEDIARY_PREFIX))
        or (kind == "stripe" and name != STRIPE)
    ):
        raise refused
    return kind


def open_account(
    session: Session,
    name: object,
    *,
    currency: object = None,
    label: object = None,
    label_ru: object = None,
    kind: object = None,
    actor: User | None = None,
) -> Account:
    """Open an asset account; a bank or cash account needs its one currency.

    ``kind``, when given, must agree with the name.  Refused (nothing written) when the name
    is taken or malformed, the currency unknown or missing, or the label empty.
    """
    if not isinstance(name, str):
        raise InvalidEntry("bad asset account name", field="name", reason="bad_account_name")
    implied = kind_of_new_account(name)
    if kind is not None and kind != implied:
        raise InvalidEntry(
            "kind does not match the name",
            field="kind",
            reason="account_kind_mismatch" if kind in ASSET_KINDS else "unknown_account_kind",
            kind=implied,
        )
    if find_account(session, name) is not None:
        raise AccountExists("account exists", field="name", account=name)
    code: str | None = None
    if currency is not None and currency != "":
        try:
            code = parse_currency(currency)
        except MoneyError as error:
            raise InvalidEntry(error.code, field="currency", reason=error.code) from None
    if implied in SINGLE_CURRENCY_KINDS and code is None:
        raise InvalidEntry("currency required", field="currency", reason="currency_required")
    english = _label(label, "label", required=True)
    russian = _label(label_ru, "label_ru", required=False)
    account = get_or_create_account(session, name, label=english, currency=code)
    account.label_ru = russian
    session.flush()
    record_audit(
        session,
        "account.opened",
        user=actor,
        target=f"account:{account.name}",
        kind=implied,
        currency=code,
    )
    return account


def relabel_account(
    session: Session,
    account: Account,
    *,
    label: object = ...,
    label_ru: object = ...,
    actor: User | None = None,
) -> list[str]:
    """Change the English and/or Russian label (``...``: leave as it is); return what changed."""
    changed = []
    if label is not ...:
        english = _label(label, "label", required=True)
        if english != account.label:
            account.label = english
            changed.append("label")
    if label_ru is not ...:
        russian = _label(label_ru, "label_ru", required=False)
        if russian != account.label_ru:
            account.label_ru = russian
            changed.append("label_ru")
    if changed:
        session.flush()
        record_audit(
            session, "account.relabelled", user=actor, target=f"account:{account.name}", fields=changed
        )
    return changed


def close_account(session: Session, account: Account, *, actor: User | None = None) -> Account:
    """Close an account that holds nothing in any currency.

    Takes the ledger's write lock first, so no posting can slip in between the check and
    the close.
    """
    if account.kind is None:
        raise InvalidEntry("not an asset account", field="name", reason="bad_account_name")
    _lock_head(session)
    session.refresh(account)
    if account.closed_at is not None:
        raise AccountClosed("account closed", field="name", account=account.name)
    held = [
        Money.from_minor(minor, currency)
        for currency, minor in session.execute(
            select(AccountBalance.currency, AccountBalance.balance_minor).where(
                AccountBalance.account_id == account.id, AccountBalance.balance_minor != 0
            )
        )
    ]
    if held:
        raise AccountNotEmpty("account holds money", field="name", account=account.name, held=held[0])
    account.closed_at = utcnow()
    session.flush()
    record_audit(session, "account.closed", user=actor, target=f"account:{account.name}")
    return account


def asset_accounts(session: Session, *, include_closed: bool = True) -> list[AssetAccountLine]:
    """Every asset account with its balance per currency, by name."""
    query = select(Account).where(Account.type == "asset").order_by(Account.name)
    if not include_closed:
        query = query.where(Account.closed_at.is_(None))
    accounts = list(session.scalars(query))
    balances: dict[int, dict[str, Money]] = {account.id: {} for account in accounts}
    for account_id, currency, minor in session.execute(
        select(AccountBalance.account_id, AccountBalance.currency, AccountBalance.balance_minor).where(
            AccountBalance.account_id.in_(list(balances))
        )
    ):
        balances[account_id][currency] = Money.from_minor(minor, currency)
    return [AssetAccountLine(account, balances[account.id]) for account in accounts]


def asset_account_by_name(session: Session, name: object) -> Account | None:
    if not isinstance(name, str) or len(name) > 200:
        return None
    account = find_account(session, name)
    return account if account is not None and account.kind is not None else None
