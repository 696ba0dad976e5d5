"""The outbox: one row per message to send, written in the transaction of the event it reports."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledger.mail.kinds import MAIL_STATUSES, MailStatus
from ledger.platform.database import Base, one_of, utcnow


class MailMessage(Base):
    """A message for a donor or a user.

    The address is not stored here: it is looked up when the message is sent (a donor's is
    kept encrypted on ``donors``), so deleting a donor's email also stops what waits for them.
    The text is made when sending, from ``kind``, ``params`` (JSON, ids and figures only) and
    ``locale``.  ``status``: queued (waiting, perhaps after failures: ``attempts``,
    ``next_attempt_at``, ``last_error``), sending (claimed by one ``mail send`` run), sent,
    failed (gave up after the last attempt; an admin may queue it again), dropped (no address
    any more).
    """

    __tablename__ = "mail_outbox"
    __table_args__ = (
        CheckConstraint(one_of("status", MAIL_STATUSES), name="status_known"),
        CheckConstraint("(donor_id IS NULL) <> (user_id IS NULL)", name="one_recipient"),
        CheckConstraint("attempts >= 0", name="attempts_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    locale: Mapped[str] = mapped_column(String(5), default="en")
    donor_id: Mapped[int | None] = mapped_column(ForeignKey("donors.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    params: Mapped[str] = mapped_column(Text, default="{}")
    status: Mapped[str] = mapped_column(String(10), default=MailStatus.QUEUED, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)

    donor = relationship("Donor")
    user = relationship("User")
