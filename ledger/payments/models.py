"""The Stripe event store: every webhook event id, recorded once.

Only the id, type and the id of the object the event is about are kept — never
the payload, which can hold a donor's email or name.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from ledger.payments.kinds import EVENT_STATUSES, EventStatus
from ledger.platform.database import Base, one_of, utcnow


class StripeEvent(Base):
    """A webhook event Stripe delivered; a second delivery of the same id is acknowledged
    without effect.  ``needs_attention`` events wait for an admin (``detail`` says why)."""

    __tablename__ = "stripe_events"
    __table_args__ = (CheckConstraint(one_of("status", EVENT_STATUSES), name="status_known"),)

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    object_id: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(20), default=EventStatus.RECEIVED, index=True)
    detail: Mapped[str | None] = mapped_column(String(500))
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(DateTime)
