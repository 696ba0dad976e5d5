"""Which books a request sees: signed-in staff (admins, coordinators, auditors) the live
books; everyone else the state of the latest signed checkpoint (docs/privacy.md)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_login import current_user

from ledger.access.models import READERS
from ledger.checkpoints.as_of import LIVE, AsOf, public_as_of
from ledger.edge.dates import format_day
from ledger.extensions import db


def sees_live_books() -> bool:
    return bool(current_user and current_user.is_authenticated and current_user.role in READERS)


def request_as_of() -> AsOf:
    return LIVE if sees_live_books() else public_as_of(db.session)


def public_as_of_now() -> AsOf:
    """The public state, whoever asks (the open books are the published record)."""
    return public_as_of(db.session)


def as_of_json(as_of: AsOf) -> dict:
    """Says in an API answer which state of the books it shows."""
    if as_of.live:
        return {"live": True, "checkpoint": None, "date": None, "entries": None}
    checkpoint = as_of.checkpoint
    return {
        "live": False,
        "checkpoint": checkpoint.sequence if checkpoint else None,
        "date": checkpoint.created_at.date().isoformat() if checkpoint else None,
        "entries": checkpoint.entry_count if checkpoint else 0,
    }


def as_of_text(as_of: AsOf) -> str:
    """ "As of 1 December 2026" for pages, or what they show instead."""
    if as_of.live:
        return _("Live books: you are signed in, so you see every entry as it is recorded.")
    if as_of.checkpoint is None:
        return _("No checkpoint has been made yet: public figures appear with the first one.")
    return _(
        "As of %(date)s (checkpoint no. %(number)s, %(entries)s entries).",
        date=format_day(as_of.checkpoint.created_at.date(), format="long"),
        number=as_of.checkpoint.sequence,
        entries=as_of.checkpoint.entry_count,
    )
