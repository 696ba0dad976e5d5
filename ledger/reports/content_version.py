"""A counter of changes to what public pages show besides the ledger itself: profiles,
facilities, donors' public names, pledges.

Public pages are cached per ledger head hash *and* this version; every flush that adds,
changes or deletes one of those rows bumps it in the same transaction, whichever process
or session makes the change, so no page outlives the data it shows (a prisoner made hidden
disappears at once).
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CheckConstraint, CursorResult, Integer, event, insert, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from ledger.platform.database import Base


class ContentVersion(Base):
    __tablename__ = "content_version"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer, default=0)


def _watched() -> tuple[type, ...]:
    from ledger.checkpoints.models import CheckpointSchedule
    from ledger.funds.models import Donor, Facility, Pledge, Prisoner, PrisonerEvent
    from ledger.letters.models import LetterService
    from ledger.spending.models import ParcelOutcome

    return (
        Prisoner,
        Facility,
        Donor,
        Pledge,
        CheckpointSchedule,
        PrisonerEvent,
        ParcelOutcome,
        LetterService,
    )


@event.listens_for(Session, "before_flush")
def _bump_on_public_data_change(session: Session, _context, _instances) -> None:
    watched = _watched()
    changed = any(
        isinstance(obj, watched) for group in (session.new, session.dirty, session.deleted) for obj in group
    )
    if changed:
        bumped = cast(
            CursorResult[Any],
            session.execute(
                update(ContentVersion)
                .where(ContentVersion.id == 1)
                .values(version=ContentVersion.version + 1)
            ),
        )
        if bumped.rowcount == 0:
            session.execute(insert(ContentVersion).values(id=1, version=1))


def content_version(session: Session) -> int:
    return session.scalar(select(ContentVersion.version).where(ContentVersion.id == 1)) or 0
