"""Balance sheet: assets = funds + equity, per currency, from the running balances.

The detailed sheet names every account; the public one groups accounts so that it
names no coordinator (``assets:cash:<name>``) and no prisoner, hidden or not.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.books.accounts import FUND_PREFIX, GENERAL_FUND, PRISONER_FUND_PREFIX
from ledger.books.models import Account, AccountBalance

SECTIONS = ("assets", "funds", "equity", "other")


@dataclass
class BalanceSheetLine:
    section: str
    account: str
    currency: str
    amount: int  # in the section's natural sign: assets and funds held are positive


@dataclass
class BalanceSheet:
    lines: list[BalanceSheetLine]
    detailed: bool

    def totals(self) -> dict[str, dict[str, int]]:
        """Per currency: total of each section."""
        result: dict[str, dict[str, int]] = {}
        for line in self.lines:
            sections = result.setdefault(line.currency, {section: 0 for section in SECTIONS})
            sections[line.section] += line.amount
        return dict(sorted(result.items()))

    def balanced(self) -> bool:
        return all(t["assets"] == t["funds"] + t["equity"] + t["other"] for t in self.totals().values())


def _section(name: str, account_type: str) -> str:
    if account_type == "asset":
        return "assets"
    if name.startswith(FUND_PREFIX):
        return "funds"
    if account_type == "equity":
        return "equity"
    return "other"


def _public_name(name: str, section: str) -> str:
    if section == "assets":
        return ":".join(name.split(":")[:2])  # assets:bank, assets:cash, assets:stripe
    if section == "funds":
        return GENERAL_FUND if name == GENERAL_FUND else PRISONER_FUND_PREFIX.rstrip(":")
    return name


def balance_sheet(session: Session, *, detailed: bool) -> BalanceSheet:
    rows = session.execute(
        select(Account.name, Account.type, AccountBalance.currency, AccountBalance.balance_minor)
        .join(AccountBalance, AccountBalance.account_id == Account.id)
        .where(AccountBalance.balance_minor != 0)
        .order_by(Account.name, AccountBalance.currency)
    )
    grouped: dict[tuple[str, str, str], int] = {}
    for name, account_type, currency, minor in rows:
        section = _section(name, account_type)
        # Liabilities and equity hold money as credits: show them positive.
        amount = minor if section == "assets" else -minor
        label = name if detailed else _public_name(name, section)
        key = (section, label, currency)
        grouped[key] = grouped.get(key, 0) + amount
    order = {section: index for index, section in enumerate(SECTIONS)}
    lines = [
        BalanceSheetLine(section, label, currency, amount)
        for (section, label, currency), amount in sorted(
            grouped.items(), key=lambda i: (order[i[0][0]], i[0][1], i[0][2])
        )
        if amount != 0
    ]
    return BalanceSheet(lines, detailed)
