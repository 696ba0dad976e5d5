"""Two-person sign-off: the threshold per currency from which an item needs a second person."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ledger.access.audit import record_audit
from ledger.books.errors import InvalidEntry
from ledger.books.holds import ApprovalThreshold
from ledger.books.models import Currency
from ledger.money import Money
from ledger.platform.database import utcnow


def approval_thresholds(session: Session) -> dict[str, Money]:
    """The threshold per currency, ordered by currency code."""
    rows = session.execute(
        select(ApprovalThreshold.currency, ApprovalThreshold.amount_minor).order_by(
            ApprovalThreshold.currency
        )
    )
    return {currency: Money.from_minor(minor, currency) for currency, minor in rows}


def set_approval_thresholds(
    session: Session, thresholds: Mapping[str, Money], *, user: Any = None
) -> dict[str, Money]:
    """Replace every threshold with ``thresholds`` (a currency left out needs no second person).

    Amounts must be positive and in their own currency; the caller commits.
    """
    for currency, money in thresholds.items():
        if not isinstance(money, Money) or money.currency != currency:
            raise InvalidEntry("threshold currency", field=currency, reason="currency_mismatch")
        if money.minor <= 0:
            raise InvalidEntry("positive threshold", field=currency, reason="zero_amount")
        if session.get(Currency, currency) is None:
            raise InvalidEntry("unknown currency", field=currency, reason="unknown_currency")
    before = approval_thresholds(session)
    session.execute(delete(ApprovalThreshold))
    session.add_all(
        ApprovalThreshold(
            currency=currency,
            amount_minor=money.minor,
            updated_at=utcnow(),
            updated_by_id=getattr(user, "id", None),
        )
        for currency, money in sorted(thresholds.items())
    )
    session.flush()
    record_audit(
        session,
        "settings.approval_thresholds",
        user=user,
        before={currency: str(money.amount) for currency, money in before.items()},
        after={currency: str(money.amount) for currency, money in sorted(thresholds.items())},
    )
    return approval_thresholds(session)


def needs_approval(session: Session, money: Money) -> bool:
    """At or above the threshold of its currency (none set: never)."""
    threshold = session.scalar(
        select(ApprovalThreshold.amount_minor).where(ApprovalThreshold.currency == money.currency)
    )
    return threshold is not None and money.minor >= threshold
