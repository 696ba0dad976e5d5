"""A prisoner's location timeline and status history, and what release or death does to
the fund.

Events are transferred (to a facility), whereabouts_unknown, released and died, each with
a date, who recorded it and a note.  The latest event (by date, then by order recorded)
says where the prisoner is: while it is whereabouts_unknown, spending for them is refused
(money spent for someone nobody can find is money lost); donations still come in.  A
release or a death carries the fund policy chosen with it: keep the fund (release support,
spending goes on) or move the whole balance to the general fund in one ordinary, reversible
journal entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.access.audit import record_audit
from ledger.books.accounts import fund_account_for, general_fund
from ledger.books.balances import available_in
from ledger.books.descriptions import describe
from ledger.books.errors import InvalidEntry, LedgerError
from ledger.books.models import JournalEntry
from ledger.books.posting import EntryDraft, PostingDraft, lock_ledger, post_entry
from ledger.database import utcnow
from ledger.funds.kinds import EVENT_TYPES, FUND_POLICIES, PrisonerStatus
from ledger.funds.models import Facility, Prisoner, PrisonerEvent
from ledger.money import Money
from ledger.text import TextError, clean_text

LOCATION_EVENTS = ("transferred", "whereabouts_unknown")


class PrisonerUnreachable(LedgerError):
    """Nobody knows where the prisoner is: spending for them is refused until a transfer
    event says where they are."""

    code = "prisoner_unreachable"


class PrisonerDeceased(LedgerError):
    """Nothing more happens to a prisoner after their death (a mistake is corrected by a
    coordinator's note and a reversal of the fund movement, not by more events)."""

    code = "prisoner_deceased"


@dataclass(frozen=True)
class Whereabouts:
    """Where the prisoner is, as the latest location event says."""

    known: bool
    facility: Facility | None
    since: date | None


def events_of(session: Session, prisoner: Prisoner) -> list[PrisonerEvent]:
    """The timeline, newest first."""
    return list(
        session.scalars(
            select(PrisonerEvent)
            .where(PrisonerEvent.prisoner_id == prisoner.id)
            .order_by(PrisonerEvent.occurred_on.desc(), PrisonerEvent.id.desc())
        )
    )


def whereabouts(session: Session, prisoner: Prisoner) -> Whereabouts:
    latest = session.scalar(
        select(PrisonerEvent)
        .where(PrisonerEvent.prisoner_id == prisoner.id, PrisonerEvent.type.in_(LOCATION_EVENTS))
        .order_by(PrisonerEvent.occurred_on.desc(), PrisonerEvent.id.desc())
        .limit(1)
    )
    if latest is None:
        return Whereabouts(True, prisoner.facility, None)
    return Whereabouts(latest.type == "transferred", prisoner.facility, latest.occurred_on)


def unreachable_ids(session: Session, prisoner_ids: list[int] | None = None) -> set[int]:
    """Prisoners whose latest location event is whereabouts_unknown (for lists)."""
    query = select(
        PrisonerEvent.prisoner_id, PrisonerEvent.type, PrisonerEvent.occurred_on, PrisonerEvent.id
    ).where(PrisonerEvent.type.in_(LOCATION_EVENTS))
    if prisoner_ids is not None:
        query = query.where(PrisonerEvent.prisoner_id.in_(prisoner_ids))
    latest: dict[int, tuple] = {}
    for prisoner_id, kind, on, event_id in session.execute(query):
        if prisoner_id not in latest or (on, event_id) > latest[prisoner_id][1:]:
            latest[prisoner_id] = (kind, on, event_id)
    return {pid for pid, (kind, _on, _id) in latest.items() if kind == "whereabouts_unknown"}


def ensure_reachable(session: Session, prisoner: Prisoner) -> None:
    """Raise PrisonerUnreachable while the prisoner's whereabouts are unknown."""
    place = whereabouts(session, prisoner)
    if not place.known:
        raise PrisonerUnreachable("whereabouts unknown", field="prisoner", since=place.since)


def _note(value: object) -> str | None:
    try:
        return clean_text(value, max_length=2000) or None
    except TextError as error:
        raise InvalidEntry(error.code, field="note", reason=error.code, **error.params) from None


def _move_to_general(
    session: Session, prisoner: Prisoner, event: PrisonerEvent, recorded_by
) -> JournalEntry | None:
    """One entry moving every currency the fund holds to the general fund (None if empty)."""
    lock_ledger(session)
    fund = fund_account_for(session, prisoner)
    held = [money for _currency, money in sorted(available_in(session, fund).items()) if money.minor > 0]
    if not held:
        return None
    general = general_fund(session)
    postings = []
    for money in held:
        postings.append(PostingDraft(fund, money, "transfer"))
        postings.append(PostingDraft(general, -money, "transfer"))
    return post_entry(
        session,
        EntryDraft(
            entry_date=event.occurred_on,
            description=describe(
                "fund_closed_on_release" if event.type == "released" else "fund_closed_on_death"
            ),
            postings=postings,
            idempotency_key=f"lifecycle:event:{event.id}",
        ),
        recorded_by=recorded_by,
    )


def record_event(
    session: Session,
    prisoner: Prisoner,
    *,
    type: str,
    on: date,
    facility: Facility | None = None,
    fund_policy: str | None = None,
    note: object = None,
    recorded_by=None,
) -> PrisonerEvent:
    """Record one lifecycle event and what follows from it; the caller commits.

    A transfer sets the prisoner's facility (and lifts unknown whereabouts); a release
    sets the status to released; a death records the day.  Release and death need a
    ``fund_policy``: ``keep`` or ``general`` (the balance moves in one entry).
    """
    if type not in EVENT_TYPES:
        raise InvalidEntry("unknown event", field="type", reason="unknown_event_type")
    if not isinstance(on, date) or not date(2000, 1, 1) <= on:
        raise InvalidEntry("bad date", field="on", reason="invalid_date")
    if on > utcnow().date():
        raise InvalidEntry("date in the future", field="on", reason="date_in_future")
    if prisoner.died_on is not None:
        raise PrisonerDeceased("prisoner died", field="type", died_on=prisoner.died_on)
    if type == "transferred":
        if not isinstance(facility, Facility):
            raise InvalidEntry("facility needed", field="facility", reason="facility_required")
    elif facility is not None:
        raise InvalidEntry("facility only for transfers", field="facility", reason="unknown_field")
    if type in ("released", "died"):
        if fund_policy not in FUND_POLICIES:
            raise InvalidEntry("fund policy needed", field="fund_policy", reason="unknown_fund_policy")
    elif fund_policy is not None:
        raise InvalidEntry(
            "fund policy only on release or death", field="fund_policy", reason="unknown_field"
        )
    event = PrisonerEvent(
        prisoner_id=prisoner.id,
        type=type,
        occurred_on=on,
        facility_id=facility.id if facility is not None else None,
        fund_policy=fund_policy,
        note=_note(note),
        recorded_by_id=getattr(recorded_by, "id", None),
    )
    session.add(event)
    session.flush()
    if type == "transferred":
        prisoner.facility = facility
    elif type == "released":
        prisoner.status = PrisonerStatus.RELEASED
    elif type == "died":
        prisoner.died_on = on
    if fund_policy == "general":
        entry = _move_to_general(session, prisoner, event, recorded_by)
        event.entry_id = entry.id if entry is not None else None
    session.flush()
    record_audit(
        session,
        f"prisoner.{type}",
        user=recorded_by,
        target=f"prisoner:{prisoner.slug}",
        event=event.id,
        fund_policy=fund_policy,
        entry=event.entry_id,
        public=prisoner.public,
    )
    return event


@dataclass(frozen=True)
class FundOutcome:
    """What happened to the money on release or death, for the public page."""

    event: PrisonerEvent
    moved: list[Money]
    reversed: bool


def fund_outcomes(session: Session, prisoner: Prisoner) -> list[FundOutcome]:
    """Release and death events with what they did to the fund, newest first."""
    outcomes = []
    for event in events_of(session, prisoner):
        if event.type not in ("released", "died"):
            continue
        moved: list[Money] = []
        reversed_ = False
        if event.entry is not None:
            general_name = "liabilities:funds:general"
            moved = [
                Money.from_minor(-posting.amount_minor, posting.currency)
                for posting in event.entry.postings
                if posting.account.name == general_name
            ]
            reversed_ = event.entry.reversed_by is not None
        outcomes.append(FundOutcome(event, moved, reversed_))
    return outcomes


@dataclass(frozen=True)
class LifecycleView:
    """What a reader may see of a prisoner's lifecycle: ``events`` and ``facility`` only when
    the history is shown (always to signed-in readers; to the public when admins chose it)."""

    state: str  # in_detention, whereabouts_unknown, released, died
    since: date | None
    place: Whereabouts
    fund: list[FundOutcome]
    history: bool
    events: list[PrisonerEvent]


def lifecycle_view(session: Session, prisoner: Prisoner, *, private: bool) -> LifecycleView | None:
    """The lifecycle as the reader may see it; None when admins publish nothing of it."""
    choice = "history" if private else prisoner.lifecycle_public
    if choice == "nothing":
        return None
    place = whereabouts(session, prisoner)
    since: date | None
    if prisoner.died_on is not None:
        state, since = "died", prisoner.died_on
    elif not place.known:
        state, since = "whereabouts_unknown", place.since
    elif prisoner.status == PrisonerStatus.RELEASED:
        state, since = "released", place.since
    else:
        state, since = "in_detention", place.since
    history = choice == "history"
    return LifecycleView(
        state=state,
        since=since,
        place=place,
        fund=fund_outcomes(session, prisoner),
        history=history,
        events=events_of(session, prisoner) if history else [],
    )
