"""What donors are sent, queued in the transaction of the event, and their email's end.

Receipts for every gift recorded with a donor who gave an email (card, bank, cash …), the
pledge's confirmation with its reference and bank details, reminders and lapse notices
(queued by ``ledger/funds/pledge_job.py``).  The texts are made when sending
(``ledger/mail/render.py``); here only ids go into the outbox.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ledger.access.audit import record_audit
from ledger.database import utcnow
from ledger.funds.models import Donation, Donor, Pledge
from ledger.mail.kinds import MailStatus
from ledger.mail.models import MailMessage
from ledger.mail.outbox import queue_mail


def queue_receipt(session: Session, donation: Donation) -> MailMessage | None:
    donor = donation.donor
    if donor is None or not donor.email:
        return None
    return queue_mail(session, "receipt", donor=donor, params={"donation": donation.id})


def queue_pledge_confirmation(session: Session, pledge: Pledge) -> MailMessage | None:
    return queue_mail(session, "pledge_created", donor=pledge.donor, params={"pledge": pledge.id})


def forget_email(
    session: Session, donor: Donor, *, reason: str, actor=None, now: datetime | None = None
) -> bool:
    """Delete the donor's email (their request, an admin's, or the retention period) and drop
    the mails that waited for it.  The ledger is not touched.  Returns False if there was none."""
    stored = session.execute(
        Donor.__table__.select()
        .with_only_columns(Donor.__table__.c.email_encrypted)
        .where(Donor.__table__.c.id == donor.id)
    ).scalar()
    if stored is None:
        return False
    donor.email = None
    donor.email_added_at = None
    donor.purged_at = now or utcnow()
    session.execute(
        update(MailMessage)
        .where(
            MailMessage.donor_id == donor.id, MailMessage.status.in_((MailStatus.QUEUED, MailStatus.FAILED))
        )
        .values(status=MailStatus.DROPPED, claim_token=None)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    record_audit(session, "donor.email_deleted", user=actor, target=f"donor:{donor.id}", reason=reason)
    return True


def donors_with(session: Session, *, email: str | None = None, reference: str | None = None) -> list[Donor]:
    """The donors an erasure request names: by the address they wrote from (emails are kept
    encrypted, so each stored one is decrypted and compared, case aside) or by a pledge
    reference they gave."""
    found: dict[int, Donor] = {}
    if email:
        wanted = email.strip().lower()
        for donor in session.scalars(select(Donor).where(Donor.email_added_at.is_not(None))):
            if donor.email and donor.email.strip().lower() == wanted:
                found[donor.id] = donor
    if reference:
        pledged = session.scalar(
            select(Donor).join(Pledge).where(Pledge.reference == reference.strip().upper())
        )
        if pledged is not None:
            found[pledged.id] = pledged
    return list(found.values())
