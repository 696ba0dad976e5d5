"""A prisoner's location timeline and status history, and what release or death does to
the fund.

Events are transferred (to a facility), whereabouts_unknown, found, released and died, each
with a date, who recorded it and a note.  The prisoner's state is derived here, and only here
(``lifecycle_of``, ``lifecycles_of``), by walking the timeline in order (by date, then by order
recorded) through a small state machine (``step``):

- transferred: in detention at the facility named;
- whereabouts_unknown: nobody knows where they are; spending for them is refused (money spent
  for someone nobody can find is money lost) and no parcel may go; donations still come in;
- found: whereabouts known again, back to where they were before (in detention, at the last
  facility or at the one named with it; or released);
- released: free; the fund is kept (release support, spending goes on) or moved to the
  general fund in one ordinary, reversible journal entry;
- died: nothing more happens; the fund is kept or moved as on a release.

Whereabouts unknown ends with a transfer, a found, a release or a death.  The pages, the API,
the spending rule and the parcel plan all read the derived state.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.access.audit import record_audit
from ledger.books.accounts import fund_account_for, general_fund
from ledger.books.balances import available_in
from ledger.books.descriptions import describe
from ledger.books.errors import InvalidEntry, LedgerError
from ledger.books.models import JournalEntry
from ledger.books.posting import EntryDraft, PostingDraft, Recorder, lock_ledger, post_entry
from ledger.funds.kinds import EVENT_TYPES, FUND_POLICIES, EventType, LifeState, PrisonerStatus
from ledger.funds.models import Facility, Prisoner, PrisonerEvent
from ledger.money import Money
from ledger.platform.database import utcnow
from ledger.platform.text import TextError, clean_text

# Events that may name a facility: a transfer must, a found may (where they turned up).
FACILITY_EVENTS = (EventType.TRANSFERRED, EventType.FOUND)


class PrisonerUnreachable(LedgerError):
    """Nobody knows where the prisoner is: spending for them is refused until a transfer, a
    found, a release or a death ends it."""

    code = "prisoner_unreachable"


class PrisonerDeceased(LedgerError):
    """Nothing more happens to a prisoner after their death (a mistake is corrected by a
    coordinator's note and a reversal of the fund movement, not by more events)."""

    code = "prisoner_deceased"


@dataclass(frozen=True)
class Fold:
    """The state machine's state: where the timeline so far leaves the prisoner.

    ``located`` is where they are when their whereabouts are known (in detention or
    released): a found returns to it.  ``since`` is the day the state began, ``placed_on``
    the day of the latest transfer or found (None: nothing recorded)."""

    state: LifeState
    located: LifeState
    since: date | None = None
    placed_on: date | None = None

    @property
    def spending_allowed(self) -> bool:
        """Spending for the prisoner (their fund) is refused only while nobody knows where
        they are; after a release or a death the fund kept pays for what is still needed."""
        return self.state != LifeState.WHEREABOUTS_UNKNOWN

    @property
    def parcels_allowed(self) -> bool:
        """Parcels go to someone in detention whose facility is known."""
        return self.state == LifeState.IN_DETENTION


def start(status: str | None = None) -> Fold:
    """Before any event: in detention, or released when the profile says so."""
    located = LifeState.RELEASED if status == PrisonerStatus.RELEASED else LifeState.IN_DETENTION
    return Fold(located, located)


def step(fold: Fold, kind: str, on: date) -> Fold:
    """The state after one more event of type ``kind`` on ``on`` (``record_event`` refuses
    the events that make no sense: anything after a death, a found while nobody was lost)."""
    if fold.state == LifeState.DIED:
        return fold
    if kind == EventType.TRANSFERRED:
        return Fold(LifeState.IN_DETENTION, LifeState.IN_DETENTION, on, on)
    if kind == EventType.WHEREABOUTS_UNKNOWN:
        return replace(fold, state=LifeState.WHEREABOUTS_UNKNOWN, since=on)
    if kind == EventType.FOUND:
        return replace(fold, state=fold.located, since=on, placed_on=on)
    if kind == EventType.RELEASED:
        return replace(fold, state=LifeState.RELEASED, located=LifeState.RELEASED, since=on)
    if kind == EventType.DIED:
        return replace(fold, state=LifeState.DIED, since=on)
    raise ValueError(f"unknown event type {kind!r}")


def derive(status: str | None, events: Iterable[tuple[str, date]]) -> Fold:
    """Walk ``events`` (type, day), oldest first, from the profile's ``status``."""
    fold = start(status)
    for kind, on in events:
        fold = step(fold, kind, on)
    return fold


@dataclass(frozen=True)
class Lifecycle:
    """A prisoner's derived state and their facility (the current or last known one)."""

    fold: Fold
    facility: Facility | None

    @property
    def state(self) -> LifeState:
        return self.fold.state

    @property
    def since(self) -> date | None:
        return self.fold.since

    @property
    def placed_on(self) -> date | None:
        return self.fold.placed_on

    @property
    def known(self) -> bool:
        """Whether anyone knows where the prisoner is."""
        return self.fold.state != LifeState.WHEREABOUTS_UNKNOWN

    @property
    def spending_allowed(self) -> bool:
        return self.fold.spending_allowed

    @property
    def parcels_allowed(self) -> bool:
        return self.fold.parcels_allowed


def events_of(session: Session, prisoner: Prisoner) -> list[PrisonerEvent]:
    """The timeline, newest first."""
    return list(
        session.scalars(
            select(PrisonerEvent)
            .where(PrisonerEvent.prisoner_id == prisoner.id)
            .order_by(PrisonerEvent.occurred_on.desc(), PrisonerEvent.id.desc())
        )
    )


def lifecycle_of(session: Session, prisoner: Prisoner) -> Lifecycle:
    """The prisoner's state, derived from their timeline."""
    rows = session.execute(
        select(PrisonerEvent.type, PrisonerEvent.occurred_on)
        .where(PrisonerEvent.prisoner_id == prisoner.id)
        .order_by(PrisonerEvent.occurred_on, PrisonerEvent.id)
    )
    return Lifecycle(derive(prisoner.status, ((kind, on) for kind, on in rows)), prisoner.facility)


def states_of(session: Session, profiles: dict[int, str | None]) -> dict[int, Fold]:
    """The derived state of many prisoners at once (``profiles``: id → profile status), for
    lists: one query whatever their number."""
    folds = {pid: start(status) for pid, status in profiles.items()}
    rows = session.execute(
        select(PrisonerEvent.prisoner_id, PrisonerEvent.type, PrisonerEvent.occurred_on).order_by(
            PrisonerEvent.prisoner_id, PrisonerEvent.occurred_on, PrisonerEvent.id
        )
    )
    for prisoner_id, kind, on in rows:
        if prisoner_id in folds:
            folds[prisoner_id] = step(folds[prisoner_id], kind, on)
    return folds


def ensure_reachable(session: Session, prisoner: Prisoner) -> None:
    """Raise PrisonerUnreachable while the prisoner's state refuses spending."""
    current = lifecycle_of(session, prisoner)
    if not current.spending_allowed:
        raise PrisonerUnreachable("whereabouts unknown", field="prisoner", since=current.since)


def _note(value: object) -> str | None:
    try:
        return clean_text(value, max_length=2000) or None
    except TextError as error:
        raise InvalidEntry(error.code, field="note", reason=error.code, **error.params) from None


def _move_to_general(
    session: Session, prisoner: Prisoner, event: PrisonerEvent, recorded_by: Recorder | None
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
    recorded_by: Recorder | None = None,
) -> PrisonerEvent:
    """Record one lifecycle event and what follows from it; the caller commits.

    A transfer sets the prisoner's facility (and ends unknown whereabouts, as a found does,
    with the facility where they turned up when it is given; a found is refused while their
    whereabouts are known); a release
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
    if type == EventType.TRANSFERRED and not isinstance(facility, Facility):
        raise InvalidEntry("facility needed", field="facility", reason="facility_required")
    if facility is not None and (type not in FACILITY_EVENTS or not isinstance(facility, Facility)):
        raise InvalidEntry("facility only for transfers", field="facility", reason="unknown_field")
    if type == EventType.FOUND:
        before = lifecycle_of(session, prisoner).fold
        if before.state != LifeState.WHEREABOUTS_UNKNOWN:
            raise InvalidEntry("nobody was lost", field="type", reason="whereabouts_known")
        if facility is not None and before.located != LifeState.IN_DETENTION:
            raise InvalidEntry(
                "a released prisoner has no facility", field="facility", reason="unknown_field"
            )
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
    if type in FACILITY_EVENTS and facility is not None:
        prisoner.facility = facility
    if type == "released":
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

    state: LifeState
    since: date | None
    place: Lifecycle
    fund: list[FundOutcome]
    history: bool
    events: list[PrisonerEvent]


def lifecycle_view(session: Session, prisoner: Prisoner, *, private: bool) -> LifecycleView | None:
    """The lifecycle as the reader may see it; None when admins publish nothing of it."""
    choice = "history" if private else prisoner.lifecycle_public
    if choice == "nothing":
        return None
    place = lifecycle_of(session, prisoner)
    history = choice == "history"
    return LifecycleView(
        state=place.state,
        since=place.since,
        place=place,
        fund=fund_outcomes(session, prisoner),
        history=history,
        events=events_of(session, prisoner) if history else [],
    )
