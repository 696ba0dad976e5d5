"""Reading balances: from the running-balance table, never by summing in Python."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.books.models import Account, AccountBalance
from ledger.money import Money


def balances_of(session: Session, account: Account) -> dict[str, Money]:
    """Signed balance per currency (debit positive), zero balances left out."""
    rows = session.execute(
        select(AccountBalance.currency, AccountBalance.balance_minor)
        .where(AccountBalance.account_id == account.id, AccountBalance.balance_minor != 0)
        .order_by(AccountBalance.currency)
    )
    return {currency: Money.from_minor(minor, currency) for currency, minor in rows}


def available_in(session: Session, account: Account) -> dict[str, Money]:
    """What the account holds per currency, in its natural sign (a fund's money is positive)."""
    return {
        currency: Money.from_minor(money.minor * account.normal_sign, currency)
        for currency, money in balances_of(session, account).items()
    }


def all_balances(session: Session) -> list[tuple[Account, Money]]:
    """Every non-zero (account, currency) balance, ordered by account name."""
    rows = session.execute(
        select(Account, AccountBalance.currency, AccountBalance.balance_minor)
        .join(AccountBalance, AccountBalance.account_id == Account.id)
        .where(AccountBalance.balance_minor != 0)
        .order_by(Account.name, AccountBalance.currency)
    )
    return [(account, Money.from_minor(minor, currency)) for account, currency, minor in rows]


def available_by_account(session: Session, accounts: list[Account]) -> dict[int, dict[str, Money]]:
    """``available_in`` for many accounts with one query (a page of funds)."""
    found: dict[int, dict[str, Money]] = {account.id: {} for account in accounts}
    if not accounts:
        return found
    signs = {account.id: account.normal_sign for account in accounts}
    rows = session.execute(
        select(AccountBalance.account_id, AccountBalance.currency, AccountBalance.balance_minor)
        .where(AccountBalance.account_id.in_(signs), AccountBalance.balance_minor != 0)
        .order_by(AccountBalance.account_id, AccountBalance.currency)
    )
    for account_id, currency, minor in rows:
        found[account_id][currency] = Money.from_minor(minor * signs[account_id], currency)
    return found
