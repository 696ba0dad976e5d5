"""Correcting a wrong entry: a linked reversal with a reason, audited."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from ledger.access.audit import record_audit
from ledger.books.models import JournalEntry
from ledger.books.posting import Recorder, reverse_entry


def reverse_with_reason(
    session: Session, entry: JournalEntry, *, reason: str, on: date, recorded_by: Recorder | None = None
) -> JournalEntry:
    """Post the reversal of ``entry``; the original stays visible and linked."""
    reversal = reverse_entry(session, entry, reason=reason, recorded_by=recorded_by, entry_date=on)
    record_audit(
        session, "entry.reversed", user=recorded_by, target=f"entry:{entry.id}", reversal=reversal.id
    )
    return reversal
