"""Pledge schedules: instalments, what has been paid against them, and the pledge's status.

One set of rules, used by the job that stores statuses (``flask --app wsgi pledges update``),
the coordinators' list and the auditors' fulfilment report:

- A pledge has instalments: a one-off pledge one, on its start date; a monthly pledge one a
  month from its start (the same day of the month, or the month's last day), until its end
  or its cancellation.  While a pledge is paused no instalment falls due (those that would
  have are stored as ``waived`` when it resumes).
- Money received for the pledge (its donations in its currency, reversed ones left out) fills
  the oldest open instalment first; a partial payment leaves the rest of that instalment
  open for the next one, and money beyond what is due pays the next instalments ahead.
- An instalment is *missed* when it is still not fully paid ``overdue_days`` (N) days after
  its due date.  Status: cancelled and paused as set; fulfilled when the pledge has an end
  and every instalment is paid; lapsed with ``lapse_missed`` (M) or more missed instalments;
  overdue with at least one; active otherwise.

What is paid is never stored: it is worked out from the donations, so reversing a bounced
transfer reopens its instalment.  Nothing here commits; GET views only read.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ledger.access.audit import record_audit
from ledger.books.errors import InvalidEntry
from ledger.books.posting import Recorder
from ledger.books.reversals import has_reversal
from ledger.funds.kinds import PledgeStatus
from ledger.funds.models import Donation, DonorSettings, Pledge, PledgeInstalment, PledgeStatusChange
from ledger.platform.database import utcnow

# Ahead-of-time instalments shown for money paid in advance stop here (twenty years).
MAX_AHEAD = 240
DEFAULT_OVERDUE_DAYS = 10
DEFAULT_LAPSE_MISSED = 3
DEFAULT_RETENTION_DAYS = 730
TERMINAL = ("cancelled",)


@dataclass(frozen=True)
class Policy:
    overdue_days: int = DEFAULT_OVERDUE_DAYS
    lapse_missed: int = DEFAULT_LAPSE_MISSED


def donor_settings(session: Session) -> DonorSettings:
    """The admins' settings; defaults (not added to the session) until an admin saves them."""
    row = session.get(DonorSettings, 1)
    if row is not None:
        return row
    return DonorSettings(
        id=1,
        overdue_days=DEFAULT_OVERDUE_DAYS,
        lapse_missed=DEFAULT_LAPSE_MISSED,
        email_retention_days=DEFAULT_RETENTION_DAYS,
    )


# What admins may set (the page's form and the API say the same): (lowest, highest).
RULE_LIMITS = {"overdue_days": (0, 365), "lapse_missed": (1, 60), "email_retention_days": (1, 3650)}


def save_donor_rules(session: Session, *, actor: Recorder | None, **values: object) -> DonorSettings:
    """Set the pledge rules (N days, M instalments) and the email retention period; the pledge
    job applies them at its next run.  Refused with InvalidEntry (nothing changed) for a value
    that is not a whole number within ``RULE_LIMITS``."""
    checked: dict[str, int] = {}
    for name, (lowest, highest) in RULE_LIMITS.items():
        value = values.get(name)
        if not isinstance(value, int) or isinstance(value, bool):
            raise InvalidEntry("invalid_number", field=name, reason="invalid_number")
        if not lowest <= value <= highest:
            raise InvalidEntry(
                "number_out_of_range", field=name, reason="number_out_of_range", min=lowest, max=highest
            )
        checked[name] = value
    row = lock_pledge_job(session)
    row.overdue_days = checked["overdue_days"]
    row.lapse_missed = checked["lapse_missed"]
    row.email_retention_days = checked["email_retention_days"]
    row.updated_at = utcnow()
    record_audit(
        session,
        "donor_settings.saved",
        user=actor,
        overdue_days=row.overdue_days,
        lapse_missed=row.lapse_missed,
        email_retention_days=row.email_retention_days,
    )
    session.flush()
    return row


def stored_donor_settings(session: Session) -> DonorSettings:
    """The settings row, created with the defaults if needed (for writes)."""
    row = session.get(DonorSettings, 1)
    if row is None:
        row = donor_settings(session)
        row.updated_at = utcnow()
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
        except IntegrityError:  # another request created it first (public pledges at once)
            row = session.get(DonorSettings, 1, populate_existing=True)
            if row is None:
                raise
    return row


def policy_of(session: Session) -> Policy:
    settings = donor_settings(session)
    return Policy(overdue_days=settings.overdue_days, lapse_missed=settings.lapse_missed)


def due_date(starts_on: date, index: int) -> date:
    """The due date of instalment ``index`` (0 for the first), clamped to the month's end."""
    months = starts_on.year * 12 + (starts_on.month - 1) + index
    year, month = divmod(months, 12)
    month += 1
    return date(year, month, min(starts_on.day, calendar.monthrange(year, month)[1]))


def last_number(pledge: Pledge) -> int | None:
    """How many instalments the whole schedule has, or None for a monthly pledge without end."""
    if pledge.frequency == "one_off":
        return 1
    if pledge.ends_on is None:
        return None
    count = 0
    while due_date(pledge.starts_on, count) <= pledge.ends_on:
        count += 1
    return max(count, 1)


@dataclass
class Instalment:
    number: int
    due_on: date
    amount_minor: int
    paid_minor: int = 0
    waived: bool = False
    stored: bool = False
    reminded: bool = False

    @property
    def open_minor(self) -> int:
        return 0 if self.waived else self.amount_minor - self.paid_minor

    @property
    def is_paid(self) -> bool:
        return self.waived or self.paid_minor >= self.amount_minor

    def missed(self, today: date, policy: Policy) -> bool:
        return not self.is_paid and today > self.due_on + timedelta(days=policy.overdue_days)


@dataclass
class PledgeState:
    pledge: Pledge
    status: str
    instalments: list[Instalment] = field(default_factory=list)
    received_minor: int = 0
    credit_minor: int = 0  # received beyond every instalment the schedule has

    def due(self, today: date) -> list[Instalment]:
        return [i for i in self.instalments if i.due_on <= today]

    def missed(self, today: date, policy: Policy) -> list[Instalment]:
        return [i for i in self.instalments if i.missed(today, policy)]

    @property
    def paid_count(self) -> int:
        return sum(1 for i in self.instalments if not i.waived and i.is_paid)


def _not_reversed() -> ColumnElement[bool]:
    return ~has_reversal(Donation.entry_id)


def received_for(session: Session, pledge_ids: list[int]) -> dict[int, int]:
    """{pledge id: minor units received in the pledge's currency}, reversed gifts left out."""
    if not pledge_ids:
        return {}
    rows = session.execute(
        select(Donation.pledge_id, func.sum(Donation.amount_minor))
        .join(Pledge, Pledge.id == Donation.pledge_id)
        .where(Donation.pledge_id.in_(pledge_ids), Donation.currency == Pledge.currency, _not_reversed())
        .group_by(Donation.pledge_id)
    )
    return {pledge_id: int(total or 0) for pledge_id, total in rows if pledge_id is not None}


def stored_instalments(session: Session, pledge_ids: list[int]) -> dict[int, list[PledgeInstalment]]:
    result: dict[int, list[PledgeInstalment]] = {pledge_id: [] for pledge_id in pledge_ids}
    if pledge_ids:
        for row in session.scalars(
            select(PledgeInstalment)
            .where(PledgeInstalment.pledge_id.in_(pledge_ids))
            .order_by(PledgeInstalment.pledge_id, PledgeInstalment.number)
        ):
            result[row.pledge_id].append(row)
    return result


def evaluate(
    pledge: Pledge, stored: list[PledgeInstalment], received_minor: int, today: date, policy: Policy
) -> PledgeState:
    """The pledge's instalments (stored, then those due by ``today`` not stored yet, then
    those paid ahead), filled with what was received, and the status the rules give."""
    instalments = [
        Instalment(
            r.number, r.due_on, r.amount_minor, waived=r.waived, stored=True, reminded=bool(r.reminded_at)
        )
        for r in stored
    ]
    final = last_number(pledge)
    runs_on = pledge.status not in (PledgeStatus.CANCELLED, PledgeStatus.PAUSED)
    number = instalments[-1].number if instalments else 0
    if runs_on:
        while final is None or number < final:
            due_on = due_date(pledge.starts_on, number)
            if due_on > today:
                break
            number += 1
            instalments.append(Instalment(number, due_on, pledge.amount_minor))
    left = received_minor
    for instalment in instalments:
        if instalment.waived:
            continue
        instalment.paid_minor = min(instalment.amount_minor, left)
        left -= instalment.paid_minor
    while left > 0 and runs_on and (final is None or number < final) and len(instalments) < MAX_AHEAD:
        due_on = due_date(pledge.starts_on, number)
        number += 1
        paid = min(pledge.amount_minor, left)
        instalments.append(Instalment(number, due_on, pledge.amount_minor, paid_minor=paid))
        left -= paid
    state = PledgeState(pledge, pledge.status, instalments, received_minor, credit_minor=left)
    if pledge.status in (PledgeStatus.CANCELLED, PledgeStatus.PAUSED):
        return state
    if final is not None and number >= final and all(i.is_paid for i in instalments):
        state.status = PledgeStatus.FULFILLED
        return state
    missed = len(state.missed(today, policy))
    if missed >= policy.lapse_missed:
        state.status = PledgeStatus.LAPSED
    elif missed:
        state.status = PledgeStatus.OVERDUE
    else:
        state.status = PledgeStatus.ACTIVE
    return state


def pledge_states(
    session: Session, pledges: Sequence[Pledge], today: date | None = None, policy: Policy | None = None
) -> dict[int, PledgeState]:
    """The state of each pledge, with two queries for all of them."""
    today = today or utcnow().date()
    policy = policy or policy_of(session)
    ids = [p.id for p in pledges]
    received = received_for(session, ids)
    stored = stored_instalments(session, ids)
    return {p.id: evaluate(p, stored.get(p.id, []), received.get(p.id, 0), today, policy) for p in pledges}


def pledge_state(session: Session, pledge: Pledge, today: date | None = None) -> PledgeState:
    return pledge_states(session, [pledge], today)[pledge.id]


# ---- writes (the job, and the donor's or a coordinator's acts) -------------------------------


def set_status(
    session: Session,
    pledge: Pledge,
    new_status: str,
    *,
    changed_by: str,
    user: Recorder | None = None,
    reason: str | None = None,
) -> PledgeStatusChange | None:
    """Change the stored status and write its history; nothing when it is unchanged."""
    if pledge.status == new_status:
        return None
    change = PledgeStatusChange(
        pledge_id=pledge.id,
        old_status=pledge.status,
        new_status=new_status,
        user_id=getattr(user, "id", None),
        changed_by=changed_by,
        reason=reason,
        at=utcnow(),
    )
    pledge.status = new_status
    session.add(change)
    session.flush()
    return change


def store_due_instalments(
    session: Session, pledge: Pledge, today: date, *, waived: bool = False
) -> list[PledgeInstalment]:
    """Store the instalments that have fallen due by ``today`` and are not stored yet
    (``waived`` when they fell while the pledge was paused).  Returns the new rows."""
    rows = session.scalars(
        select(PledgeInstalment)
        .where(PledgeInstalment.pledge_id == pledge.id)
        .order_by(PledgeInstalment.number)
    ).all()
    number = rows[-1].number if rows else 0
    final = last_number(pledge)
    added = []
    while final is None or number < final:
        due_on = due_date(pledge.starts_on, number)
        if due_on > today:
            break
        number += 1
        row = PledgeInstalment(
            pledge_id=pledge.id, number=number, due_on=due_on, amount_minor=pledge.amount_minor, waived=waived
        )
        session.add(row)
        added.append(row)
    session.flush()
    return added


def lock_pledge_job(session: Session) -> DonorSettings:
    """Serialise runs of the job (and the admins' saves): the settings row is written first,
    which takes its row lock on PostgreSQL and the database's write lock on SQLite."""
    row = stored_donor_settings(session)
    session.execute(
        update(DonorSettings).where(DonorSettings.id == 1).values(updated_at=DonorSettings.updated_at)
    )
    session.refresh(row)
    return row
