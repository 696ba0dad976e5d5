"""Moving money between funds: allocations from the general fund to prisoners, and back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from ledger.access.audit import record_audit
from ledger.books.accounts import FUND_PREFIX
from ledger.books.descriptions import describe
from ledger.books.errors import InvalidEntry
from ledger.books.holds import Approval
from ledger.books.kinds import ApprovalKind
from ledger.books.models import Account, JournalEntry
from ledger.books.posting import EntryDraft, PostingDraft, Recorder, post_entry
from ledger.funds.prisoners import fund_by_name
from ledger.money import Money
from ledger.platform.database import utcnow
from ledger.platform.text import clean_text
from ledger.signoff.requests import request_approval
from ledger.signoff.thresholds import needs_approval


@dataclass(frozen=True)
class TransferBetweenFunds:
    """The command to move money from one fund to another (the general fund or a prisoner's).

    Built by the page's form (ledger/web/fundraising.py), the JSON body
    (ledger/api/fundraising.py) and a stored approval (``from_payload``); carried out by
    ``record_transfer()`` alone.
    """

    from_fund: Account
    to_fund: Account
    money: Money
    on: date
    memo: str | None = None
    idempotency_key: str | None = None

    @classmethod
    def named(
        cls,
        session: Session,
        *,
        from_fund: object,
        to_fund: object,
        money: Money,
        on: date,
        memo: str | None = None,
        fields: tuple[str, str] = ("from_fund", "to_fund"),
    ) -> TransferBetweenFunds:
        """The command with both funds found by name (``general`` or a prisoner's slug) the same
        way for every edge; InvalidEntry ``not_a_fund`` on the edge's own field when one is not."""
        found = []
        for field_name, name in zip(fields, (from_fund, to_fund), strict=True):
            account = fund_by_name(session, name)
            if account is None:
                raise InvalidEntry("not a fund", field=field_name, reason="not_a_fund")
            found.append(account)
        return cls(from_fund=found[0], to_fund=found[1], money=money, on=on, memo=memo)

    def to_payload(self) -> dict[str, Any]:
        """What a pending item stores to record it once signed off (ids, ISO dates)."""
        return {
            "from_fund_id": self.from_fund.id,
            "to_fund_id": self.to_fund.id,
            "on": self.on.isoformat(),
            "memo": self.memo,
            "idempotency_key": self.idempotency_key,
        }

    @classmethod
    def from_payload(cls, session: Session, data: Mapping[str, Any], money: Money) -> TransferBetweenFunds:
        """The command a pending item stored (``to_payload``); its amount is the item's."""
        return cls(
            from_fund=session.get_one(Account, data["from_fund_id"]),
            to_fund=session.get_one(Account, data["to_fund_id"]),
            money=money,
            on=date.fromisoformat(data["on"]),
            memo=data.get("memo"),
            idempotency_key=data.get("idempotency_key"),
        )


def transfer_between_funds(
    session: Session,
    *,
    from_fund: Account,
    to_fund: Account,
    money: Money,
    on: date,
    memo: str | None = None,
    recorded_by: Recorder | None = None,
    idempotency_key: str | None = None,
    approved_by: Recorder | None = None,
) -> JournalEntry | Approval:
    """``record_transfer()`` with the command's fields as arguments (scripts, tests)."""
    command = TransferBetweenFunds(
        from_fund=from_fund, to_fund=to_fund, money=money, on=on, memo=memo, idempotency_key=idempotency_key
    )
    return record_transfer(session, command, recorded_by=recorded_by, approved_by=approved_by)


def record_transfer(
    session: Session,
    command: TransferBetweenFunds,
    *,
    recorded_by: Recorder | None = None,
    approved_by: Recorder | None = None,
) -> JournalEntry | Approval:
    """Debit one fund and credit another in one currency; the source must cover it.

    At or above the currency's approval threshold it waits for a second person
    (a pending ``Approval`` is returned) unless ``approved_by`` signs it off.
    """
    from_fund, to_fund, money, on = command.from_fund, command.to_fund, command.money, command.on
    for name, account in (("from_fund", from_fund), ("to_fund", to_fund)):
        if not isinstance(account, Account) or not account.name.startswith(FUND_PREFIX):
            raise InvalidEntry("not a fund", field=name, reason="not_a_fund")
    if from_fund.id == to_fund.id:
        raise InvalidEntry("same fund", field="to_fund", reason="same_fund")
    if money.minor <= 0:
        raise InvalidEntry("positive amount", field="amount", reason="zero_amount")
    if on > utcnow().date():
        raise InvalidEntry("date in the future", field="on", reason="date_in_future")
    memo = clean_text(command.memo, max_length=500) or None
    description = memo or describe("fund_transfer")
    postings = [
        PostingDraft(from_fund, money, "transfer"),
        PostingDraft(to_fund, -money, "transfer", memo),
    ]
    if approved_by is None and needs_approval(session, money):
        return request_approval(
            session,
            kind=ApprovalKind.TRANSFER,
            money=money,
            postings=postings,
            description=description,
            payload=replace(command, memo=memo).to_payload(),
            author=recorded_by,
            prisoner=from_fund.prisoner or to_fund.prisoner,
        )
    entry = post_entry(
        session,
        EntryDraft(
            entry_date=on,
            description=description,
            postings=postings,
            idempotency_key=command.idempotency_key,
        ),
        recorded_by=recorded_by,
        approved_by=approved_by,
    )
    record_audit(
        session,
        "transfer.recorded",
        user=recorded_by,
        target=f"entry:{entry.id}",
        from_fund=from_fund.name,
        to_fund=to_fund.name,
        amount=str(money.amount),
        currency=money.currency,
        **({"approved_by": approved_by.id} if approved_by is not None else {}),
    )
    return entry
