"""The outbox's closed vocabulary: a message's status.

The table's CHECK constraint is built from it; the migration keeps its own list.
"""

from __future__ import annotations

from enum import StrEnum


class MailStatus(StrEnum):
    """queued: waiting, perhaps after failures; sending: claimed by one ``mail send`` run; sent;
    failed: gave up after the last attempt (an admin may queue it again); dropped: no address
    any more."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    DROPPED = "dropped"


MAIL_STATUSES: tuple[MailStatus, ...] = tuple(MailStatus)
