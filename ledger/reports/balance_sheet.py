"""Balance sheet: assets = funds + equity, per currency, from the running balances.

The detailed sheet names every account; the public one groups accounts so that it
names no coordinator (``assets:cash:<name>``) and no prisoner, hidden or not, and names
the groups by plain keys (``bank``, ``prisoner_funds`` …; ledger/edge/public_words.py says
them in words) rather than account codes.  The public sheet is that of the latest
release (``as_of``): balances over published entries, assets as one group.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.books.accounts import BANK_PREFIX, CASH_PREFIX, FUND_PREFIX, GENERAL_FUND, STRIPE, TRADING
from ledger.books.models import Account
from ledger.checkpoints.as_of import LIVE, AsOf, balance_rows

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


def public_group(name: str) -> str:
    """The plain key of the group an account falls in on public pages."""
    if name.startswith(BANK_PREFIX):
        return "bank"
    if name.startswith(CASH_PREFIX):
        return "cash"
    if name == STRIPE:
        return "card_processor"
    if name == GENERAL_FUND:
        return "general_fund"
    if name.startswith(FUND_PREFIX):
        return "prisoner_funds"
    if name == TRADING:
        return "conversion"
    if name.startswith("assets:in-transit:"):
        return "in_transit"  # commissary money on its way to personal accounts (docs/accounts.md)
    if name.startswith("assets:"):
        return "other_assets"
    return "other"


def balance_sheet(session: Session, *, detailed: bool, as_of: AsOf = LIVE) -> BalanceSheet:
    balance = balance_rows(as_of)
    rows = session.execute(
        select(Account.name, Account.type, balance.c.currency, balance.c.balance_minor)
        .join(balance, balance.c.account_id == Account.id)
        .where(balance.c.balance_minor != 0)
        .order_by(Account.name, balance.c.currency)
    )
    grouped: dict[tuple[str, str, str], int] = {}
    for name, account_type, currency, minor in rows:
        section = _section(name, account_type)
        # Liabilities and equity hold money as credits: show them positive.
        amount = minor if section == "assets" else -minor
        label = name if detailed else public_group(name)
        if section == "assets" and as_of.public and label != "in_transit":
            # Over published entries a single group could show below zero (a cash purchase
            # published, the cash gift that paid for it waiting), so the public sees one.
            label = "all_assets"
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
