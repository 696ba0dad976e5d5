"""Where to write to a prisoner, always current.

The address is built, never typed per prisoner: the postal address of the facility the
lifecycle timeline says the prisoner is in now (ledger/funds/lifecycle.py), then the full
name (with the patronymic, as entered; the Latin spelling for the Latin form) and, only when
the prisoner or the family agreed, the date of birth Russian facilities want on an envelope.
While nobody knows where the prisoner is, there is no address.  After a transfer the new
facility's address applies from that day.

The old free-text ``Prisoner.address`` is kept only as a fallback for a prisoner whose timeline
never moved them and whose facility has no postal address yet: once a transfer is recorded a
typed address can no longer be trusted to be current, and none is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.funds.kinds import LifeState
from ledger.funds.lifecycle import lifecycle_of
from ledger.funds.models import Facility, Prisoner, PrisonerEvent


@dataclass(frozen=True)
class LetterAddress:
    """The address to show, or why there is none.

    ``state``: ``ok`` (``russian`` set, ``latin`` when both Latin parts are known),
    ``fallback`` (the typed profile address in ``russian``), ``unknown`` (whereabouts unknown
    since ``since``), ``no_address`` (the facility has no postal address recorded),
    ``no_facility``, ``released`` or ``died`` (nowhere to write to in a facility).
    """

    state: str
    facility: Facility | None = None
    since: date | None = None
    russian: str | None = None
    latin: str | None = None


def birth_date_text(value: date) -> str:
    return value.strftime("%d.%m.%Y")


def russian_form(facility: Facility, prisoner: Prisoner) -> str:
    """«<postal address>, Фамилия Имя Отчество, 01.02.1990 г. р.» (birth date with consent only)."""
    parts = [facility.postal_address_ru or "", prisoner.name]
    if prisoner.letter_birth_date_consent and prisoner.birth_date is not None:
        parts.append(f"{birth_date_text(prisoner.birth_date)} г. р.")
    return ", ".join(part for part in parts if part)


def latin_form(facility: Facility, prisoner: Prisoner) -> str | None:
    """ "<postal address>, <Latin name>, born on 01.02.1990", or None without both Latin parts."""
    if not facility.postal_address_latin or not prisoner.name_latin:
        return None
    parts = [facility.postal_address_latin, prisoner.name_latin]
    if prisoner.letter_birth_date_consent and prisoner.birth_date is not None:
        parts.append(f"born on {birth_date_text(prisoner.birth_date)}")
    return ", ".join(parts)


def _ever_moved(session: Session, prisoner: Prisoner) -> bool:
    return (
        session.scalar(
            select(PrisonerEvent.id)
            .where(PrisonerEvent.prisoner_id == prisoner.id, PrisonerEvent.type == "transferred")
            .limit(1)
        )
        is not None
    )


def letter_address(session: Session, prisoner: Prisoner) -> LetterAddress:
    """The address for letters to ``prisoner`` today, in both forms, or why there is none."""
    if prisoner.died_on is not None:
        return LetterAddress("died", since=prisoner.died_on)
    place = lifecycle_of(session, prisoner)  # the one state machine (ledger/funds/lifecycle.py)
    if not place.known:
        return LetterAddress("unknown", facility=place.facility, since=place.since)
    if place.state == LifeState.RELEASED:
        return LetterAddress("released", since=place.since)
    facility = place.facility
    if facility is not None and facility.postal_address_ru:
        return LetterAddress(
            "ok",
            facility=facility,
            since=place.placed_on,
            russian=russian_form(facility, prisoner),
            latin=latin_form(facility, prisoner),
        )
    if prisoner.address and not _ever_moved(session, prisoner):
        return LetterAddress("fallback", facility=facility, russian=prisoner.address)
    if facility is None:
        return LetterAddress("no_facility")
    return LetterAddress("no_address", facility=facility, since=place.placed_on)
