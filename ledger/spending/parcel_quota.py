"""Counting parcels against the law's table: what a prisoner has used this year (or month),
what is left, when the next may go, and the refusal of one beyond the quota or too heavy.

Counting follows the Code's words «в течение года»: parcels sent this calendar year, at
facilities of the same kind and regime (parcels at the pre-trial centre do not use up a
colony's quota); returned parcels never reached the prisoner and do not count; medical
parcels do not count (ст. 90 ч. 3).  A parcel waiting for a second person's sign-off counts
as sent: it holds its place in the quota as its money is held back, so two pending parcels
cannot both pass a quota that has room for one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import Result, and_, case, func, select
from sqlalchemy.orm import Session

from ledger.books.errors import LedgerError
from ledger.books.holds import Approval
from ledger.books.kinds import ApprovalKind, ApprovalStatus
from ledger.books.reversals import has_reversal
from ledger.funds.models import Facility, Prisoner
from ledger.platform.database import utcnow
from ledger.spending.kinds import ParcelOutcomeKind
from ledger.spending.models import Parcel, ParcelOutcome, ParcelRule
from ledger.spending.parcel_law import rule_for


class ParcelQuotaExceeded(LedgerError):
    """The prisoner has had every parcel the rules allow this year (or month)."""

    code = "parcel_quota"


class ParcelTooHeavy(LedgerError):
    """The parcel weighs more than the rules allow for one parcel of its kind."""

    code = "parcel_weight"


@dataclass(frozen=True)
class PrisonerProfile:
    """What the allowance of one prisoner reads, without loading the whole row (a list of
    a thousand prisoners is ordered by these)."""

    id: int
    name: str
    status: str
    gender: str | None
    juvenile: bool
    conditions: str | None
    died_on: date | None
    facility: Facility | None


@dataclass
class KindAllowance:
    """One kind of parcel this year: how many were counted, how many are allowed (None: no
    limit), the heaviest allowed (grams), and the first day the next one may go."""

    kind: str
    used: int
    allowed: int | None
    max_grams: int | None
    next_on: date | None  # None: none may go (whereabouts unknown, died)
    pending: int = 0  # of ``used``, the parcels waiting for sign-off

    @property
    def left(self) -> int | None:
        return None if self.allowed is None else max(self.allowed - self.used, 0)


@dataclass
class ParcelAllowance:
    prisoner: Prisoner | PrisonerProfile
    rule: ParcelRule | None
    exempt: list[str]  # the exemptions that lift this prisoner's numbers
    parcel: KindAllowance
    small_parcel: KindAllowance
    grams_this_month: int
    max_grams_per_month: int | None
    facility_parcels_this_month: int
    reachable: bool

    def of(self, kind: str) -> KindAllowance:
        return self.parcel if kind == "parcel" else self.small_parcel


def _exemptions(rule: ParcelRule | None, prisoner: Prisoner | PrisonerProfile) -> list[str]:
    if rule is None:
        return []
    found = []
    if "women" in rule.exempt and prisoner.gender == "female":
        found.append("women")
    if "juveniles" in rule.exempt and prisoner.juvenile:
        found.append("juveniles")
    return found


def next_year(day: date) -> date:
    return date(day.year + 1, 1, 1)


def next_month(day: date) -> date:
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)


@dataclass
class _Counted:
    """What uses up a prisoner's quota: parcels per kind this year, grams this month, and
    parcels this month at the current facility."""

    used: dict[str, int] = field(default_factory=lambda: {"parcel": 0, "small_parcel": 0})
    pending: dict[str, int] = field(default_factory=lambda: {"parcel": 0, "small_parcel": 0})
    grams_month: int = 0
    facility_month: int = 0


class PendingParcel(NamedTuple):
    """A parcel in an item waiting for sign-off, as its payload describes it."""

    kind: str
    medical: bool
    sent_on: date
    grams: int


def pending_parcels(
    session: Session, on: date, prisoner_ids: list[int] | None
) -> dict[int, list[PendingParcel]]:
    """Parcels of ``on``'s year in spending waiting for sign-off, by prisoner (one query)."""
    query = select(Approval.prisoner_id, Approval.payload).where(
        Approval.status == ApprovalStatus.PENDING, Approval.kind == ApprovalKind.DISBURSEMENT
    )
    if prisoner_ids is not None:
        query = query.where(Approval.prisoner_id.in_(prisoner_ids))
    found: dict[int, list[PendingParcel]] = {}
    for prisoner_id, payload in session.execute(query):
        parcel = json.loads(payload).get("parcel")
        if not parcel or prisoner_id is None:
            continue
        sent_on = date.fromisoformat(parcel["sent_on"])
        if sent_on.year != on.year:
            continue
        # The weight as the parcel was checked: its total, or its items' (disbursements.py).
        grams = parcel.get("total_grams") or sum(
            item["grams"] * item["quantity"] for item in parcel.get("items", [])
        )
        found.setdefault(prisoner_id, []).append(
            PendingParcel(parcel.get("kind", "parcel"), bool(parcel.get("medical")), sent_on, int(grams))
        )
    return found


def counted_rows(session: Session, on: date, prisoner_ids: list[int] | None) -> Result[Any]:
    """Counted parcels of ``on``'s year (not reversed, not returned), grouped by prisoner,
    the facility's kind, regime and id, the parcel's kind, medical, and whether in ``on``'s
    month: one query for one prisoner or for all."""
    returned = select(ParcelOutcome.parcel_id).where(ParcelOutcome.outcome == ParcelOutcomeKind.RETURNED)
    in_month = case(
        (and_(Parcel.sent_on >= on.replace(day=1), Parcel.sent_on < next_month(on)), True), else_=False
    ).label("in_month")
    query = (
        select(
            Parcel.prisoner_id,
            Facility.kind,
            Facility.regime,
            Parcel.facility_id,
            Parcel.kind,
            Parcel.medical,
            in_month,
            func.count(),
            func.coalesce(func.sum(Parcel.total_grams), 0),
        )
        .join(Facility, Facility.id == Parcel.facility_id)
        .where(
            Parcel.sent_on >= date(on.year, 1, 1),
            Parcel.sent_on < next_year(on),
            ~has_reversal(Parcel.entry_id),
            ~Parcel.id.in_(returned),
        )
        .group_by(
            Parcel.prisoner_id,
            Facility.kind,
            Facility.regime,
            Parcel.facility_id,
            Parcel.kind,
            Parcel.medical,
            in_month,
        )
    )
    if prisoner_ids is not None:
        query = query.where(Parcel.prisoner_id.in_(prisoner_ids))
    return session.execute(query)


def count_parcels(
    rows: Iterable[Any],
    prisoner: Prisoner | PrisonerProfile,
    rule: ParcelRule | None,
    pending: list[PendingParcel],
    on: date,
) -> _Counted:
    """Parcels sent to a facility of the prisoner's current kind and regime count (those at
    the pre-trial centre do not use up a colony's quota); medical ones do not when the rule
    exempts them (ст. 90 ч. 3), except in the facility's own monthly number.  A pending
    parcel counts as sent to the current facility, where it will be posted."""
    counted = _Counted()
    facility = prisoner.facility
    if facility is None:
        return counted
    medical_exempt = rule is not None and "medical" in rule.exempt
    for _pid, kind, regime, facility_id, parcel_kind, medical, in_month, count, grams in rows:
        if (kind, regime) != (facility.kind, facility.regime):
            continue
        if not (medical_exempt and medical):
            counted.used[parcel_kind] = counted.used.get(parcel_kind, 0) + int(count)
            if in_month:
                counted.grams_month += int(grams or 0)
        if in_month and facility_id == facility.id:
            counted.facility_month += int(count)
    for parcel in pending:
        in_month = (parcel.sent_on.year, parcel.sent_on.month) == (on.year, on.month)
        if not (medical_exempt and parcel.medical):
            counted.used[parcel.kind] = counted.used.get(parcel.kind, 0) + 1
            counted.pending[parcel.kind] = counted.pending.get(parcel.kind, 0) + 1
            if in_month:
                counted.grams_month += parcel.grams
        if in_month:
            counted.facility_month += 1
    return counted


def parcel_allowance(
    session: Session,
    prisoner: Prisoner,
    *,
    on: date | None = None,
    reachable: bool = True,
) -> ParcelAllowance:
    """The quota used in ``on``'s year, what is left and the next date each kind may go."""
    on = on or utcnow().date()
    rule = rule_for(session, prisoner.facility, prisoner.conditions)
    rows, pending = [], []
    if prisoner.facility is not None:
        rows = list(counted_rows(session, on, [prisoner.id]))
        pending = pending_parcels(session, on, [prisoner.id]).get(prisoner.id, [])
    return allowance_from(
        prisoner, rule, count_parcels(rows, prisoner, rule, pending, on), on=on, reachable=reachable
    )


def allowance_from(
    prisoner: Prisoner | PrisonerProfile,
    rule: ParcelRule | None,
    counted: _Counted,
    *,
    on: date,
    reachable: bool,
) -> ParcelAllowance:
    facility = prisoner.facility
    exempt = _exemptions(rule, prisoner)
    used = counted.used
    grams_month = counted.grams_month
    facility_month = counted.facility_month
    unlimited = bool(exempt)
    max_month = None if (rule is None or unlimited) else rule.max_grams_per_month

    def kind_allowance(kind: str) -> KindAllowance:
        allowed = None
        max_grams = None
        if rule is not None:
            allowed = rule.parcels_per_year if kind == "parcel" else rule.small_parcels_per_year
            max_grams = rule.max_parcel_grams if kind == "parcel" else rule.max_small_parcel_grams
        if unlimited:
            allowed = None
        if facility is not None and facility.max_parcel_grams:
            max_grams = min(max_grams or facility.max_parcel_grams, facility.max_parcel_grams)
        next_on: date | None = on
        if not reachable or prisoner.died_on is not None:
            next_on = None
        elif allowed is not None and used[kind] >= allowed:
            next_on = next_year(on)
        elif (max_month is not None and grams_month >= max_month) or (
            facility is not None
            and facility.max_parcels_per_month
            and facility_month >= facility.max_parcels_per_month
        ):
            next_on = next_month(on)
        return KindAllowance(kind, used[kind], allowed, max_grams, next_on, counted.pending.get(kind, 0))

    return ParcelAllowance(
        prisoner=prisoner,
        rule=rule,
        exempt=exempt,
        parcel=kind_allowance("parcel"),
        small_parcel=kind_allowance("small_parcel"),
        grams_this_month=int(grams_month),
        max_grams_per_month=max_month,
        facility_parcels_this_month=int(facility_month),
        reachable=reachable,
    )


def check_parcel(
    session: Session, prisoner: Prisoner, *, kind: str, medical: bool, sent_on: date, grams: int
) -> None:
    """Refuse a parcel beyond the quota (ParcelQuotaExceeded) or the weight (ParcelTooHeavy)."""
    allowance = parcel_allowance(session, prisoner, on=sent_on)
    rule = allowance.rule
    facility = prisoner.facility
    this = allowance.of(kind)
    if this.max_grams is not None and grams > this.max_grams:
        raise ParcelTooHeavy("parcel too heavy", field="parcel", grams=grams, max=this.max_grams, kind=kind)
    if medical and (rule is None or "medical" in rule.exempt):
        return
    if this.allowed is not None and this.used >= this.allowed:
        raise ParcelQuotaExceeded(
            "quota used",
            field="parcel",
            used=this.used,
            allowed=this.allowed,
            next_on=this.next_on,
            kind=kind,
            limit="year",
        )
    if allowance.max_grams_per_month is not None and (
        allowance.grams_this_month + grams > allowance.max_grams_per_month
    ):
        # "used up" when nothing more may go this month, "would pass" when this parcel is too
        # heavy for what is left.
        raise ParcelQuotaExceeded(
            "monthly weight used",
            field="parcel",
            used=allowance.grams_this_month,
            allowed=allowance.max_grams_per_month,
            grams=grams,
            next_on=next_month(sent_on),
            kind=kind,
            limit=(
                "month_weight_used"
                if allowance.grams_this_month >= allowance.max_grams_per_month
                else "month_weight"
            ),
        )
    if (
        facility is not None
        and facility.max_parcels_per_month
        and allowance.facility_parcels_this_month >= facility.max_parcels_per_month
    ):
        raise ParcelQuotaExceeded(
            "facility's monthly number used",
            field="parcel",
            used=allowance.facility_parcels_this_month,
            allowed=facility.max_parcels_per_month,
            next_on=next_month(sent_on),
            kind=kind,
            limit="facility_month",
        )
