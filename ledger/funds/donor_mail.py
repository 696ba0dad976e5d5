"""What donors are sent, queued in the transaction of the event, and their email's end.

Receipts for every gift recorded with a donor who gave an email (card, bank, cash …), the
pledge's confirmation with its reference and bank details, reminders and lapse notices
(queued by ``ledger/funds/pledge_job.py``).  The texts are made when sending
(``ledger/edge/mail_texts.py``); here only ids go into the outbox.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ledger.access.audit import record_audit
from ledger.books.posting import Recorder
from ledger.funds.models import Donation, Donor, Pledge
from ledger.mail.kinds import MailStatus
from ledger.mail.models import MailMessage
from ledger.mail.outbox import CONFIRM_KIND, queue_mail
from ledger.platform.database import utcnow


def queue_receipt(session: Session, donation: Donation) -> MailMessage | None:
    donor = donation.donor
    if donor is None or not donor.email:
        return None
    return queue_mail(session, "receipt", donor=donor, params={"donation": donation.id})


# An address nobody confirmed is deleted after this (``pledges update``).
UNCONFIRMED_FOR = timedelta(days=1)


def queue_pledge_confirmation(session: Session, pledge: Pledge) -> MailMessage | None:
    """The pledge's mail (reference, bank details) to a confirmed address; to an address nobody
    confirmed yet only the short request to confirm it, naming no prisoner and no amount."""
    donor = pledge.donor
    if donor is None or not donor.email:
        return None
    if not donor.email_confirmed:
        return queue_mail(session, CONFIRM_KIND, donor=donor)
    return queue_mail(session, "pledge_created", donor=donor, params={"pledge": pledge.id})


def unconfirmed_mails_since(session: Session, since: datetime) -> int:
    """Confirmation requests queued since ``since``: the mails that went to addresses nobody
    had confirmed (their cap is ``UNCONFIRMED_MAIL_MAX_PER_HOUR``)."""
    return int(
        session.scalar(
            select(func.count(MailMessage.id)).where(
                MailMessage.kind == CONFIRM_KIND, MailMessage.created_at >= since
            )
        )
        or 0
    )


def confirm_email(session: Session, donor: Donor, *, now: datetime | None = None) -> bool:
    """The donor followed the link in the confirmation mail: from now on their mails go out
    (and may name the prisoner if they allowed it); their pledges' mails are queued now.
    Returns False when it was confirmed already or there is no address any more."""
    if not donor.email or donor.email_confirmed:
        return False
    donor.email_confirmed_at = now or utcnow()
    session.flush()
    for pledge in session.scalars(
        select(Pledge).where(Pledge.donor_id == donor.id, Pledge.status != "cancelled").order_by(Pledge.id)
    ):
        queue_mail(session, "pledge_created", donor=donor, params={"pledge": pledge.id})
    record_audit(session, "donor.email_confirmed", target=f"donor:{donor.id}")
    return True


def revoke_links(session: Session, donor: Donor, *, reason: str, actor: Recorder | None = None) -> None:
    """Every link already mailed to the donor stops working (it then answers "revoked")."""
    donor.link_generation = (donor.link_generation or 0) + 1
    session.flush()
    record_audit(session, "donor.links_revoked", user=actor, target=f"donor:{donor.id}", reason=reason)


def forget_unconfirmed(session: Session, added_before: datetime, *, now: datetime | None = None) -> int:
    """Delete the addresses given before ``added_before`` that nobody confirmed; returns how many."""
    donors = session.scalars(
        select(Donor).where(Donor.email_added_at < added_before, Donor.email_confirmed_at.is_(None))
    ).all()
    return sum(forget_email(session, donor, reason="unconfirmed", now=now) for donor in donors)


def forget_email(
    session: Session, donor: Donor, *, reason: str, actor: Recorder | None = None, now: datetime | None = None
) -> bool:
    """Delete the donor's email (their request, an admin's, the retention period, or nobody
    confirmed it) and drop the mails that waited for it; every link mailed to the donor is
    revoked.  The ledger is not touched.  Returns False if there was none."""
    stored = session.execute(
        Donor.__table__.select()
        .with_only_columns(Donor.__table__.c.email_encrypted)
        .where(Donor.__table__.c.id == donor.id)
    ).scalar()
    if stored is None:
        return False
    donor.email = None
    donor.email_added_at = None
    donor.email_confirmed_at = None
    donor.purged_at = now or utcnow()
    donor.link_generation = (donor.link_generation or 0) + 1  # every link mailed is revoked
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
