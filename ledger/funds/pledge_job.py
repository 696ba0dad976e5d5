"""The pledge job (``flask --app wsgi pledges update``, from cron): store the instalments
that fell due, store each pledge's status as the rules give it (with its history), queue
reminders for missed instalments and a notice when a pledge lapses, the coordinators' daily
digest of overdue pledges and of commissary transfers in transit past the watch's days, delete
donors' emails older than the retention period and those nobody confirmed within a day, and
delete bank statements whose preview has expired.

Runs are serialised by a lock on the settings row, so two at once queue nothing twice.
Nothing is sent here: ``mail send`` does that.  The caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.access.models import User
from ledger.funds.donor_mail import UNCONFIRMED_FOR, forget_email, forget_unconfirmed
from ledger.funds.kinds import PledgeStatus
from ledger.funds.models import Donor, Pledge, PledgeInstalment
from ledger.funds.schedules import (
    Policy,
    lock_pledge_job,
    pledge_states,
    set_status,
    store_due_instalments,
)
from ledger.funds.statement_previews import expire_statement_previews
from ledger.mail.outbox import queue_mail
from ledger.platform.database import utcnow


@dataclass
class JobReport:
    pledges: int = 0
    changed: int = 0
    reminders: int = 0
    lapse_notices: int = 0
    digests: int = 0
    emails_deleted: int = 0
    unconfirmed_deleted: int = 0
    previews_expired: int = 0


def update_pledges(
    session: Session,
    *,
    today: date | None = None,
    now: datetime | None = None,
    unconfirmed_for: timedelta = UNCONFIRMED_FOR,
    transit_days: int = 7,
) -> JobReport:
    now = now or utcnow()
    today = today or now.date()
    settings = lock_pledge_job(session)
    policy = Policy(overdue_days=settings.overdue_days, lapse_missed=settings.lapse_missed)
    report = JobReport()
    pledges = session.scalars(select(Pledge).where(Pledge.status != "cancelled").order_by(Pledge.id)).all()
    for pledge in pledges:
        if pledge.status != "paused":
            store_due_instalments(session, pledge, today)
    states = pledge_states(session, pledges, today, policy)
    rows = (
        {
            (row.pledge_id, row.number): row
            for row in session.scalars(
                select(PledgeInstalment).where(PledgeInstalment.pledge_id.in_([p.id for p in pledges]))
            )
        }
        if pledges
        else {}
    )
    overdue: list[int] = []
    for pledge in pledges:
        report.pledges += 1
        state = states[pledge.id]
        old = pledge.status
        missed = state.missed(today, policy)
        if state.status != old:
            set_status(session, pledge, state.status, changed_by="job", reason=f"missed:{len(missed)}")
            report.changed += 1
        if state.status in ("overdue", "lapsed"):
            overdue.append(pledge.id)
        fresh = [i for i in missed if not i.reminded]
        if not fresh:
            continue
        for instalment in fresh:
            row = rows.get((pledge.id, instalment.number))
            if row is not None:
                row.reminded_at = now
        if pledge.is_card:  # Stripe retries a card and tells the donor itself
            continue
        if state.status == PledgeStatus.LAPSED and old != PledgeStatus.LAPSED:
            if queue_mail(
                session, "lapsed", donor=pledge.donor, params={"pledge": pledge.id, "missed": len(missed)}
            ):
                report.lapse_notices += 1
        elif state.status == PledgeStatus.OVERDUE:
            oldest = fresh[0]
            if queue_mail(
                session,
                "reminder",
                donor=pledge.donor,
                params={
                    "pledge": pledge.id,
                    "instalment": oldest.number,
                    "due_on": oldest.due_on.isoformat(),
                },
            ):
                report.reminders += 1
    cutoff = now - timedelta(days=settings.email_retention_days)
    for donor in session.scalars(select(Donor).where(Donor.email_added_at < cutoff)):
        if forget_email(session, donor, reason="retention", now=now):
            report.emails_deleted += 1
    report.unconfirmed_deleted = forget_unconfirmed(session, now - unconfirmed_for, now=now)
    report.previews_expired = expire_statement_previews(session, now)
    # Commissary transfers in transit for longer than the watch's days (ledger/commissary/).
    from ledger.commissary.transfers import transfer_rows

    late = [
        row.transfer.id
        for row in transfer_rows(session, status="in_transit", today=today, watch_days=transit_days)
        if row.overdue
    ]
    if settings.digest_sent_on != today:
        settings.digest_sent_on = today
        if overdue or late:
            coordinators = session.scalars(
                select(User).where(User.role == "coordinator", User.active.is_(True)).order_by(User.id)
            ).all()
            for user in coordinators:
                queue_mail(
                    session,
                    "digest",
                    user=user,
                    params={
                        "pledges": overdue,
                        "transfers": late,
                        "days": transit_days,
                        "on": today.isoformat(),
                    },
                )
                report.digests += 1
    session.flush()
    return report
