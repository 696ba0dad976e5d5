"""Monthly top-ups and the monthly top-up run.

A prisoner can have a monthly top-up: an amount, a channel, a fee and the account it is paid
from.  Once a month a coordinator prepares the run (``prepare_run``): a dry run that lists,
per prisoner with an active top-up, what would be sent or why not (fund short, limit reached,
whereabouts unknown, released).  A second person — never who prepared it, admins included —
approves it as a whole (``approve_run``): every line to send is posted once as a transfer in
transit (``send_transfer``), dated the day of approval.

Each prisoner-month is sent at most once: the transfer carries ``run_month`` (unique with the
prisoner in the database) and its entry the idempotency key ``commissary-run:<month>:<id>``.
Approval runs in the caller's one transaction under the ledger's write lock; if the process
dies half-way nothing of it is kept and approving again sends every line; approving an
approved run, or a line already sent for the month by another run, sends nothing more.
The run keeps its log (prepared, each line sent or skipped, approved).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.access.audit import record_audit
from ledger.books.errors import InsufficientFunds, InvalidEntry, LedgerError, OwnApproval
from ledger.books.models import Account
from ledger.books.posting import Recorder, lock_ledger
from ledger.commissary.kinds import CHANNELS, RunStatus, SkipReason
from ledger.commissary.limits import OverMonthlyLimit, check_limit
from ledger.commissary.models import (
    CommissaryRun,
    CommissaryRunLine,
    CommissaryRunLog,
    CommissaryTopUp,
    CommissaryTransfer,
)
from ledger.commissary.transfers import (
    PrisonerReleased,
    can_pay_from,
    ensure_sendable,
    fund_can_cover,
    send_now,
)
from ledger.funds.lifecycle import PrisonerUnreachable
from ledger.funds.models import Prisoner
from ledger.money import Money
from ledger.platform.database import utcnow

_MONTH = re.compile(r"(20[0-9]{2}|2100)-(0[1-9]|1[0-2])")


class RunNotPrepared(LedgerError):
    """The run was already approved."""

    code = "run_already_approved"


class UnknownRun(LedgerError):
    code = "not_found"


def parse_month(value: object) -> str:
    if not isinstance(value, str) or not _MONTH.fullmatch(value):
        raise InvalidEntry("month", field="month", reason="invalid_month")
    return value


def set_top_up(
    session: Session,
    prisoner: Prisoner,
    *,
    money: Money | None,
    channel: str = "zonatelecom",
    paid_from: Account | None = None,
    fee: Money | None = None,
    actor: Recorder | None = None,
) -> CommissaryTopUp | None:
    """Set (or, with ``money`` None, stop) the prisoner's monthly top-up."""
    top_up = session.get(CommissaryTopUp, prisoner.id)
    if money is None:
        if top_up is not None:
            top_up.active = False
            top_up.updated_by_id = getattr(actor, "id", None)
            top_up.updated_at = utcnow()
            session.flush()
            record_audit(session, "commissary_topup.stopped", user=actor, target=f"prisoner:{prisoner.id}")
        return top_up
    if money.minor <= 0:
        raise InvalidEntry("positive amount", field="money", reason="zero_amount")
    if channel not in CHANNELS:
        raise InvalidEntry("channel", field="channel", reason="unknown_channel")
    if paid_from is None or not can_pay_from(paid_from):
        raise InvalidEntry("paid from", field="paid_from", reason="bad_paid_from")
    if paid_from.currency is not None and paid_from.currency != money.currency:
        raise InvalidEntry("currency", field="paid_from", reason="currency_mismatch")
    fee_minor = fee.minor if fee is not None else 0
    if fee is not None and (fee.currency != money.currency or fee_minor < 0 or fee_minor >= money.minor):
        raise InvalidEntry("fee", field="fee", reason="bad_fee")
    if top_up is None:
        top_up = CommissaryTopUp(prisoner_id=prisoner.id)
        session.add(top_up)
    top_up.currency = money.currency
    top_up.amount_minor = money.minor
    top_up.fee_minor = fee_minor
    top_up.channel = channel
    top_up.paid_from_id = paid_from.id
    top_up.active = True
    top_up.updated_by_id = getattr(actor, "id", None)
    top_up.updated_at = utcnow()
    session.flush()
    record_audit(
        session,
        "commissary_topup.set",
        user=actor,
        target=f"prisoner:{prisoner.id}",
        amount=str(money.amount),
        currency=money.currency,
        channel=channel,
    )
    return top_up


def _skip_reason(session: Session, top_up: CommissaryTopUp, on: date) -> str | None:
    prisoner = top_up.prisoner
    try:
        ensure_sendable(session, prisoner)
    except PrisonerReleased:
        return SkipReason.RELEASED
    except PrisonerUnreachable:
        return SkipReason.WHEREABOUTS_UNKNOWN
    try:
        check_limit(session, prisoner, top_up.money, on=on)
    except OverMonthlyLimit:
        return SkipReason.LIMIT_REACHED
    try:
        fund_can_cover(session, prisoner, top_up.money + top_up.fee)
    except InsufficientFunds:
        return SkipReason.FUND_SHORT
    return None


def _log(
    session: Session, run: CommissaryRun, event: str, user: Recorder | None = None, **facts: int | str | None
) -> None:
    session.add(CommissaryRunLog(run_id=run.id, user_id=getattr(user, "id", None), event=event, **facts))


def prepare_run(
    session: Session, month: object, *, prepared_by: Recorder, on: date | None = None
) -> CommissaryRun:
    """A dry run of ``month``: one line per prisoner with an active top-up, sent or skipped."""
    month = parse_month(month)
    on = on or utcnow().date()
    run = CommissaryRun(month=month, status=RunStatus.PREPARED, prepared_by_id=prepared_by.id)
    session.add(run)
    session.flush()
    already = set(
        session.scalars(select(CommissaryTransfer.prisoner_id).where(CommissaryTransfer.run_month == month))
    )
    top_ups = session.scalars(
        select(CommissaryTopUp)
        .join(Prisoner, Prisoner.id == CommissaryTopUp.prisoner_id)
        .where(CommissaryTopUp.active.is_(True))
        .order_by(Prisoner.name, Prisoner.id)
    )
    for top_up in top_ups:
        if top_up.prisoner_id in already:
            continue  # sent for this month by an earlier run
        reason = _skip_reason(session, top_up, on)
        session.add(
            CommissaryRunLine(
                run_id=run.id,
                prisoner_id=top_up.prisoner_id,
                currency=top_up.currency,
                amount_minor=top_up.amount_minor,
                fee_minor=top_up.fee_minor,
                channel=top_up.channel,
                paid_from_id=top_up.paid_from_id,
                skip_reason=reason,
            )
        )
    session.flush()
    _log(session, run, "prepared", prepared_by)
    record_audit(
        session, "commissary_run.prepared", user=prepared_by, target=f"commissary_run:{run.id}", month=month
    )
    session.flush()
    session.refresh(run)
    return run


def _after_line_hook() -> None:
    """Tests only: pause after each posted line so a test can kill the process mid-approval."""
    pause = os.environ.get("LEDGER_TEST_RUN_PAUSE")
    if pause:
        import time

        time.sleep(float(pause))


def approve_run(
    session: Session, run_id: int, *, approver: Recorder, on: date | None = None
) -> CommissaryRun:
    """Post every line of the run once as a transfer in transit; never by who prepared it.

    A line whose prisoner-month was already sent (by this run before, or another) is not sent
    again; a line that can no longer be sent (the fund spent meanwhile, the person moved out
    of reach) is skipped with the reason in the run's log.
    """
    lock_ledger(session)
    run = session.get(CommissaryRun, run_id)
    if run is None:
        raise UnknownRun("no such run", field=None)
    session.refresh(run)
    if run.prepared_by_id == getattr(approver, "id", None):
        raise OwnApproval("a second person approves", field="approved_by")
    if run.status != RunStatus.PREPARED:
        raise RunNotPrepared("approved", field=None)
    on = on or utcnow().date()
    for line in run.lines:
        if line.skip_reason is not None or line.transfer_id is not None:
            continue
        existing = session.scalar(
            select(CommissaryTransfer).where(
                CommissaryTransfer.prisoner_id == line.prisoner_id, CommissaryTransfer.run_month == run.month
            )
        )
        if existing is not None:
            _log(
                session, run, "already_sent", approver, prisoner_id=line.prisoner_id, transfer_id=existing.id
            )
            continue
        paid_from = session.get(Account, line.paid_from_id)
        try:
            transfer = send_now(
                session,
                prisoner=line.prisoner,
                money=line.money,
                channel=line.channel,
                paid_from=paid_from,
                sent_on=on,
                fee=line.fee,
                recorded_by=approver,
                idempotency_key=f"commissary-run:{run.month}:{line.prisoner_id}",
                run_month=run.month,
            )
        except (InsufficientFunds, OverMonthlyLimit, PrisonerUnreachable, PrisonerReleased) as error:
            _log(session, run, "skipped", approver, prisoner_id=line.prisoner_id, detail=error.code)
            continue
        line.transfer_id = transfer.id
        _log(session, run, "sent", approver, prisoner_id=line.prisoner_id, transfer_id=transfer.id)
        session.flush()
        _after_line_hook()
    run.status = RunStatus.APPROVED
    run.approved_by_id = approver.id
    run.approved_at = utcnow()
    _log(session, run, "approved", approver)
    session.flush()
    record_audit(
        session, "commissary_run.approved", user=approver, target=f"commissary_run:{run.id}", month=run.month
    )
    session.refresh(run)
    return run


@dataclass(frozen=True)
class RunSummary:
    to_send: int
    skipped: int
    sent: int


def summary(run: CommissaryRun) -> RunSummary:
    return RunSummary(
        to_send=sum(1 for line in run.lines if line.skip_reason is None),
        skipped=sum(1 for line in run.lines if line.skip_reason is not None),
        sent=sum(1 for line in run.lines if line.transfer_id is not None),
    )


def list_runs(session: Session, limit: int = 50) -> list[CommissaryRun]:
    return list(session.scalars(select(CommissaryRun).order_by(CommissaryRun.id.desc()).limit(limit)))
