"""Where a Stripe webhook event stands; the CHECK on ``stripe_events.status`` reads this."""

from __future__ import annotations

from enum import StrEnum


class EventStatus(StrEnum):
    RECEIVED = "received"
    PROCESSED = "processed"
    IGNORED = "ignored"
    NEEDS_ATTENTION = "needs_attention"  # waits for an admin; ``detail`` says why


EVENT_STATUSES: tuple[EventStatus, ...] = tuple(EventStatus)
