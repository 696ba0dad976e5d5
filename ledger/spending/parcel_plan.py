"""The coordinators' parcel plan: every prisoner, in the order their next parcel should be
prepared."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.funds.lifecycle import states_of
from ledger.funds.models import Facility, Prisoner
from ledger.platform.database import utcnow
from ledger.spending.models import ParcelRule
from ledger.spending.parcel_law import pick_rule
from ledger.spending.parcel_outcomes import assignments
from ledger.spending.parcel_quota import (
    ParcelAllowance,
    PrisonerProfile,
    allowance_from,
    count_parcels,
    counted_rows,
    pending_parcels,
)


@dataclass
class PlanRow:
    """One line of the coordinators' parcel plan."""

    prisoner: Prisoner
    allowance: ParcelAllowance
    assignee: object | None  # the User sending the next parcel


@dataclass
class PlanPage:
    rows: list[PlanRow]
    total: int


def parcel_plan(
    session: Session, *, on: date | None = None, offset: int = 0, limit: int | None = None
) -> PlanPage:
    """Every prisoner: first those with nobody assigned to their next parcel, the one whose
    parcel may go soonest first; then those someone already sends for; those who can get
    none (whereabouts unknown, released, died) last.  ``offset`` and ``limit`` choose a page
    of that order; only its prisoners are loaded whole.  A handful of queries whatever the
    number of prisoners."""
    on = on or utcnow().date()
    facilities = {facility.id: facility for facility in session.scalars(select(Facility))}
    profiles = [
        PrisonerProfile(
            pid,
            name,
            status,
            gender,
            bool(juvenile),
            conditions,
            died_on,
            facilities.get(facility_id) if facility_id is not None else None,
        )
        for pid, name, status, gender, juvenile, conditions, died_on, facility_id in session.execute(
            select(
                Prisoner.id,
                Prisoner.name,
                Prisoner.status,
                Prisoner.gender,
                Prisoner.juvenile,
                Prisoner.conditions,
                Prisoner.died_on,
                Prisoner.facility_id,
            )
        )
    ]
    states = states_of(session, {profile.id: profile.status for profile in profiles})
    assigned = assignments(session)
    rules: dict[tuple[str, str], dict[str, ParcelRule]] = {}
    for stored in session.scalars(select(ParcelRule)):
        rules.setdefault((stored.facility_kind, stored.regime), {})[stored.conditions] = stored
    rows_of: dict[int, list[Any]] = {}
    for parcel_row in counted_rows(session, on, None):
        rows_of.setdefault(parcel_row[0], []).append(parcel_row)
    pending = pending_parcels(session, on, None)
    rows = []
    for profile in profiles:
        reachable = states[profile.id].parcels_allowed
        facility = profile.facility
        rule: ParcelRule | None = (
            pick_rule(rules.get((facility.kind, facility.regime), {}), profile.conditions)
            if facility
            else None
        )
        counted = count_parcels(rows_of.get(profile.id, []), profile, rule, pending.get(profile.id, []), on)
        allowance = allowance_from(profile, rule, counted, on=on, reachable=reachable)
        assignment = assigned.get(profile.id)
        rows.append(PlanRow(profile, allowance, assignment.user if assignment else None))  # type: ignore[arg-type]
    far = date.max
    rows.sort(
        key=lambda row: (
            row.allowance.parcel.next_on is None,
            row.assignee is not None,
            row.allowance.parcel.next_on or far,
            row.prisoner.name,
            row.prisoner.id,
        )
    )
    chosen = rows[offset : None if limit is None else offset + limit]
    loaded = {
        prisoner.id: prisoner
        for prisoner in session.scalars(
            select(Prisoner).where(Prisoner.id.in_([r.prisoner.id for r in chosen]))
        )
    }
    for row in chosen:
        row.prisoner = row.allowance.prisoner = loaded[row.prisoner.id]
    return PlanPage(chosen, len(rows))
