"""Money sent to a prisoner's personal account at the facility: in transit, credited, returned.

The books (docs/accounts.md, "Commissary money in transit"):

- **sent**: the amount moves from the asset it was paid from into
  ``assets:in-transit:commissary-<currency>`` (an intermediary asset: the service and the
  facility hold it); a fee the service keeps is spent from the prisoner's fund at once
  (category ``fee``).  The amount stays in the fund — it is still the prisoner's money — but
  is held back from any other spending while the transfer is in transit
  (``ledger.books.holds.in_transit``, counted by ``post_entry()`` like a pending item's hold).
- **credited**: one entry, dated the day the facility credited it, spends the amount from the
  fund as ``commissary`` and takes it out of the in-transit account: the month it was credited
  is the month it is spent, in every report.
- **returned**: one entry moves the amount from the in-transit account back to the asset it
  was paid from; the fund never lost it and its hold ends, so it is the fund's to spend again.
  The fee stays spent.

The whereabouts rule applies: nothing is sent while the prisoner's whereabouts are unknown,
nor to someone released or dead.  A transfer still in transit when the prisoner is moved (a
``transferred`` event after it was sent) is flagged: it will most likely come back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.access.audit import record_audit
from ledger.books.accounts import check_currency, fund_account_for, get_or_create_account
from ledger.books.descriptions import describe
from ledger.books.errors import InsufficientFunds, InvalidEntry, LedgerError
from ledger.books.holds import Approval, spendable_in
from ledger.books.kinds import ApprovalKind, AssetKind, Category
from ledger.books.models import Account
from ledger.books.posting import EntryDraft, PostingDraft, Recorder, lock_ledger, post_entry
from ledger.commissary.kinds import CHANNELS, TransferStatus
from ledger.commissary.limits import check_limit
from ledger.commissary.models import CommissaryTransfer
from ledger.funds.kinds import PrisonerStatus
from ledger.funds.lifecycle import ensure_reachable
from ledger.funds.models import Prisoner, PrisonerEvent
from ledger.money import Money
from ledger.platform.database import utcnow
from ledger.platform.text import TextError, clean_text
from ledger.signoff.requests import request_approval
from ledger.signoff.thresholds import needs_approval

IN_TRANSIT_PREFIX = "assets:in-transit:"
PAYING_KINDS = (AssetKind.BANK, AssetKind.CASH, AssetKind.INTERMEDIARY)


class TransferNotInTransit(LedgerError):
    """The transfer was already credited or returned."""

    code = "transfer_not_in_transit"


class PrisonerReleased(LedgerError):
    """Nothing is sent to the personal account of someone released (or dead)."""

    code = "prisoner_released"


def in_transit_account(session: Session, currency: str) -> Account:
    """``assets:in-transit:commissary-<currency>``: money on its way to personal accounts."""
    return get_or_create_account(
        session,
        f"{IN_TRANSIT_PREFIX}commissary-{currency.lower()}",
        label=f"Commissary money in transit ({currency})",
        currency=currency,
    )


def _text(value: object, field_name: str, *, required: bool = False, max_length: int = 500) -> str | None:
    try:
        return clean_text(value, max_length=max_length, required=required) or None
    except TextError as error:
        raise InvalidEntry(error.code, field=field_name, reason=error.code, **error.params) from None


def _check_day(day: object, field_name: str, *, not_before: date | None = None) -> date:
    if not isinstance(day, date):
        raise InvalidEntry("date", field=field_name, reason="invalid_date")
    if day > utcnow().date():
        raise InvalidEntry("date in the future", field=field_name, reason="date_in_future")
    if not_before is not None and day < not_before:
        raise InvalidEntry(
            "before sending", field=field_name, reason="settled_before_sent", sent_on=not_before
        )
    return day


def can_pay_from(account: object) -> bool:
    return (
        isinstance(account, Account)
        and account.kind in PAYING_KINDS
        and account.closed_at is None
        and not account.name.startswith(IN_TRANSIT_PREFIX)
    )


def ensure_sendable(session: Session, prisoner: Prisoner) -> None:
    """Refuse while the whereabouts are unknown (PrisonerUnreachable), or after release or death."""
    if prisoner.status == PrisonerStatus.RELEASED or prisoner.died_on is not None:
        raise PrisonerReleased("released", field="prisoner")
    ensure_reachable(session, prisoner)


def fund_can_cover(session: Session, prisoner: Prisoner, needed: Money) -> Money:
    """What the fund can still spend in ``needed``'s currency; InsufficientFunds if less."""
    fund = fund_account_for(session, prisoner)
    available = spendable_in(session, fund).get(needed.currency, Money.from_minor(0, needed.currency))
    if available.minor < needed.minor:
        raise InsufficientFunds(
            "not enough money",
            field="money",
            account=fund.name,
            currency=needed.currency,
            available=Money.from_minor(max(available.minor, 0), needed.currency),
            needed=needed,
        )
    return available


def send_transfer(
    session: Session,
    *,
    prisoner: Prisoner,
    money: Money,
    channel: str,
    paid_from: Account,
    sent_on: date,
    fee: Money | None = None,
    memo: str | None = None,
    allow_over_limit: bool = False,
    over_limit_reason: str | None = None,
    recorded_by: Recorder | None = None,
    idempotency_key: str | None = None,
    run_month: str | None = None,
    approved_by: Recorder | None = None,
) -> CommissaryTransfer | Approval:
    """Record money sent to the prisoner's personal account: in transit until credited.

    Refused, with nothing written: an unknown channel, an account money can't be paid from,
    a fee in another currency or not below the amount, a date in the future; while the
    whereabouts are unknown or after release (PrisonerUnreachable, PrisonerReleased); when the
    fund can't cover the amount and fee (InsufficientFunds); beyond the month's limit
    (OverMonthlyLimit) unless ``allow_over_limit`` with a reason.  At or above the currency's
    approval threshold (amount and fee together) it is not sent but returned as a pending
    ``Approval`` holding them back in the fund, unless ``approved_by`` (the second person, at
    sign-off) is given; a line of a monthly run was approved with its run (``run_month``).
    """
    if channel not in CHANNELS:
        raise InvalidEntry("channel", field="channel", reason="unknown_channel")
    if not can_pay_from(paid_from):
        raise InvalidEntry("pay from a bank or cash account", field="paid_from", reason="bad_paid_from")
    if not isinstance(money, Money) or money.minor <= 0:
        raise InvalidEntry("positive amount", field="money", reason="zero_amount")
    check_currency(paid_from, money.currency, "paid_from")
    fee = fee if fee is not None and fee.minor else None
    if fee is not None and (fee.currency != money.currency or fee.minor < 0 or fee.minor >= money.minor):
        raise InvalidEntry("fee", field="fee", reason="bad_fee")
    sent_on = _check_day(sent_on, "sent_on")
    memo = _text(memo, "memo")
    reason = _text(over_limit_reason, "over_limit_reason")
    if allow_over_limit and reason is None:
        raise InvalidEntry("reason", field="over_limit_reason", reason="over_limit_reason_required")
    ensure_sendable(session, prisoner)
    # Under the ledger's write lock until commit: two transfers at once cannot both pass
    # the month's limit or both spend the same money.
    lock_ledger(session)
    if not allow_over_limit:
        check_limit(session, prisoner, money, on=sent_on)
    total = money + fee if fee is not None else money
    fund_can_cover(session, prisoner, total)

    fund = fund_account_for(session, prisoner)
    if approved_by is None and run_month is None and needs_approval(session, total):
        return request_approval(
            session,
            kind=ApprovalKind.COMMISSARY,
            money=total,
            # What it would take out: the amount and the fee from the fund, all from the asset.
            postings=[PostingDraft(fund, total), PostingDraft(paid_from, -total)],
            description=describe("commissary_sent", channel=channel),
            payload={
                "prisoner_id": prisoner.id,
                "amount_minor": money.minor,
                "fee_minor": fee.minor if fee is not None else 0,
                "channel": channel,
                "paid_from_id": paid_from.id,
                "sent_on": sent_on.isoformat(),
                "memo": memo,
                "allow_over_limit": allow_over_limit,
                "over_limit_reason": reason,
                "idempotency_key": idempotency_key,
            },
            author=recorded_by,
            prisoner=prisoner,
        )
    transit = in_transit_account(session, money.currency)
    postings = [
        PostingDraft(transit, money, Category.COMMISSARY),
        PostingDraft(paid_from, -money, Category.COMMISSARY),
    ]
    if fee is not None:
        postings += [PostingDraft(fund, fee, Category.FEE), PostingDraft(paid_from, -fee, Category.FEE)]
    entry = post_entry(
        session,
        EntryDraft(
            entry_date=sent_on,
            description=describe("commissary_sent", channel=channel),
            postings=postings,
            idempotency_key=idempotency_key,
        ),
        recorded_by=recorded_by,
        approved_by=approved_by,
    )
    transfer = CommissaryTransfer(
        prisoner_id=prisoner.id,
        fund_account_id=fund.id,
        facility_id=prisoner.facility_id,
        channel=channel,
        currency=money.currency,
        amount_minor=money.minor,
        fee_minor=fee.minor if fee is not None else 0,
        paid_from_id=paid_from.id,
        sent_on=sent_on,
        status=TransferStatus.IN_TRANSIT,
        sent_entry_id=entry.id,
        over_limit_reason=reason if allow_over_limit else None,
        memo=memo,
        run_month=run_month,
        recorded_by_id=getattr(recorded_by, "id", None),
    )
    session.add(transfer)
    session.flush()
    record_audit(
        session,
        "commissary.sent",
        user=recorded_by,
        target=f"commissary_transfer:{transfer.id}",
        prisoner=prisoner.slug,
        amount=str(money.amount),
        fee=str(fee.amount) if fee is not None else "0",
        currency=money.currency,
        channel=channel,
        entry=entry.id,
        **({"over_limit_reason": reason} if allow_over_limit else {}),
        **({"run_month": run_month} if run_month else {}),
        **({"approved_by": approved_by.id} if approved_by is not None else {}),
    )
    return transfer


def send_now(session: Session, **kwargs: Any) -> CommissaryTransfer:  # send_transfer's keywords
    """``send_transfer`` where no sign-off can be asked for (a monthly run's line, the demo)."""
    result = send_transfer(session, **kwargs)
    if not isinstance(result, CommissaryTransfer):
        raise RuntimeError("a transfer that cannot wait for sign-off was not sent")
    return result


def transfer_from_approval(session: Session, approval: Approval, approver: Recorder) -> CommissaryTransfer:
    """Send a pending transfer that ``approver`` signed off (ledger/signoff/commissary.py)."""
    import json

    from ledger.access.models import User

    data = json.loads(approval.payload)
    currency = approval.currency
    fee_minor = int(data.get("fee_minor") or 0)
    result = send_transfer(
        session,
        prisoner=session.get_one(Prisoner, data["prisoner_id"]),
        money=Money.from_minor(int(data["amount_minor"]), currency),
        fee=Money.from_minor(fee_minor, currency) if fee_minor else None,
        channel=data["channel"],
        paid_from=session.get_one(Account, data["paid_from_id"]),
        sent_on=date.fromisoformat(data["sent_on"]),
        memo=data.get("memo"),
        allow_over_limit=bool(data.get("allow_over_limit")),
        over_limit_reason=data.get("over_limit_reason"),
        recorded_by=session.get(User, approval.author_id),
        idempotency_key=data.get("idempotency_key"),
        approved_by=approver,
    )
    if not isinstance(result, CommissaryTransfer):
        raise RuntimeError(f"approval #{approval.id} was not sent")
    return result


def _locked(session: Session, transfer: CommissaryTransfer) -> CommissaryTransfer:
    """The transfer read again under the ledger's write lock: one outcome for concurrent calls."""
    lock_ledger(session)
    session.refresh(transfer)
    if transfer.status != TransferStatus.IN_TRANSIT:
        raise TransferNotInTransit("settled", field=None, status=transfer.status)
    return transfer


def credit_transfer(
    session: Session, transfer: CommissaryTransfer, *, on: date, recorded_by: Recorder | None = None
) -> CommissaryTransfer:
    """The money reached the personal account on ``on``: spent from the fund as commissary."""
    on = _check_day(on, "on", not_before=transfer.sent_on)
    transfer = _locked(session, transfer)
    # The hold ends first: the fund pays the credit out of the money it held for it.
    transfer.status = TransferStatus.CREDITED
    transfer.settled_on = on
    session.flush()
    fund = session.get_one(Account, transfer.fund_account_id)
    entry = post_entry(
        session,
        EntryDraft(
            entry_date=on,
            description=describe("commissary_credited", entry=transfer.sent_entry_id),
            postings=[
                PostingDraft(fund, transfer.money, Category.COMMISSARY),
                PostingDraft(
                    in_transit_account(session, transfer.currency), -transfer.money, Category.COMMISSARY
                ),
            ],
        ),
        recorded_by=recorded_by,
    )
    transfer.settled_entry_id = entry.id
    session.flush()
    record_audit(
        session,
        "commissary.credited",
        user=recorded_by,
        target=f"commissary_transfer:{transfer.id}",
        prisoner=transfer.prisoner.slug,
        on=on.isoformat(),
        entry=entry.id,
    )
    return transfer


def return_transfer(
    session: Session,
    transfer: CommissaryTransfer,
    *,
    on: date,
    reason: str | None = None,
    recorded_by: Recorder | None = None,
) -> CommissaryTransfer:
    """The money came back on ``on`` (the prisoner was moved, the facility refused it): back
    into the account it was paid from, the fund's to spend again; the fee stays spent."""
    on = _check_day(on, "on", not_before=transfer.sent_on)
    reason = _text(reason, "reason")
    transfer = _locked(session, transfer)
    paid_from = session.get_one(Account, transfer.paid_from_id)
    entry = post_entry(
        session,
        EntryDraft(
            entry_date=on,
            description=describe("commissary_returned", entry=transfer.sent_entry_id),
            postings=[
                PostingDraft(paid_from, transfer.money, Category.COMMISSARY),
                PostingDraft(
                    in_transit_account(session, transfer.currency), -transfer.money, Category.COMMISSARY
                ),
            ],
        ),
        recorded_by=recorded_by,
    )
    transfer.status = TransferStatus.RETURNED
    transfer.settled_on = on
    transfer.settled_entry_id = entry.id
    transfer.return_reason = reason
    session.flush()
    record_audit(
        session,
        "commissary.returned",
        user=recorded_by,
        target=f"commissary_transfer:{transfer.id}",
        prisoner=transfer.prisoner.slug,
        on=on.isoformat(),
        entry=entry.id,
        **({"reason": reason} if reason else {}),
    )
    return transfer


@dataclass(frozen=True)
class TransferRow:
    transfer: CommissaryTransfer
    days_in_transit: int  # until today while in transit, else until it was credited or returned
    moved_on: date | None  # a transfer to another facility after it was sent, while in transit
    overdue: bool  # in transit for longer than the watch's days


def transfer_rows(
    session: Session,
    *,
    status: str | None = None,
    prisoner: Prisoner | None = None,
    today: date | None = None,
    watch_days: int = 7,
    limit: int | None = None,
) -> list[TransferRow]:
    """Transfers, newest first, with their days in transit and the flags coordinators need."""
    today = today or utcnow().date()
    query = select(CommissaryTransfer).order_by(
        CommissaryTransfer.sent_on.desc(), CommissaryTransfer.id.desc()
    )
    if status is not None:
        query = query.where(CommissaryTransfer.status == status)
    if prisoner is not None:
        query = query.where(CommissaryTransfer.prisoner_id == prisoner.id)
    if limit is not None:
        query = query.limit(limit)
    transfers = list(session.scalars(query))
    moves: dict[int, list[date]] = {}
    ids = {t.prisoner_id for t in transfers if t.status == TransferStatus.IN_TRANSIT}
    if ids:
        for prisoner_id, day in session.execute(
            select(PrisonerEvent.prisoner_id, PrisonerEvent.occurred_on).where(
                PrisonerEvent.prisoner_id.in_(ids), PrisonerEvent.type == "transferred"
            )
        ):
            moves.setdefault(prisoner_id, []).append(day)
    rows = []
    for transfer in transfers:
        end = transfer.settled_on or today
        days = (end - transfer.sent_on).days
        moved = None
        if transfer.status == TransferStatus.IN_TRANSIT:
            later = [day for day in moves.get(transfer.prisoner_id, []) if day >= transfer.sent_on]
            moved = min(later) if later else None
        overdue = transfer.status == TransferStatus.IN_TRANSIT and days > watch_days
        rows.append(TransferRow(transfer, days, moved, overdue))
    return rows


def find_transfer(session: Session, transfer_id: int) -> CommissaryTransfer | None:
    return session.get(CommissaryTransfer, transfer_id)
