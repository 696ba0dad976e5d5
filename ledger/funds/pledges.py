"""Pledges: a donor's promise to give once or monthly, with a reference code for bank
transfers, and what has been received against it."""

from __future__ import annotations

import re
import secrets
from datetime import date
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.access.audit import record_audit
from ledger.access.users import AccessError, normalise_email
from ledger.books.errors import InvalidEntry
from ledger.books.models import JournalEntry
from ledger.books.posting import Recorder
from ledger.funds.kinds import GENERAL, LOCALES, PLEDGE_FREQUENCIES, PledgeStatus
from ledger.funds.models import (
    Donation,
    Donor,
    Pledge,
    PledgeStatusChange,
    Prisoner,
)
from ledger.funds.schedules import set_status
from ledger.money import Money
from ledger.platform.database import utcnow
from ledger.platform.text import TextError, clean_text

# No 0/O, 1/I/L: people copy these codes by hand into a bank's payment purpose field.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
REFERENCE_PREFIX = "SL-"
# Coordinators' pledges have six characters; a donor's own (public) pledge ten (about 50 bits),
# so that nobody can guess a code that a stranger made.
REFERENCE_PATTERN = re.compile(r"\bSL-?([A-HJKMNP-Z2-9]{6}|[A-HJKMNP-Z2-9]{10})\b", re.IGNORECASE)
PUBLIC_REFERENCE_LENGTH = 10


class PledgeError(InvalidEntry):
    """A pledge field is not acceptable; ``params["reason"]`` names why."""


def new_reference(session: Session, length: int = 6) -> str:
    while True:
        code = REFERENCE_PREFIX + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(length))
        if session.scalar(select(Pledge.id).where(Pledge.reference == code)) is None:
            return code


def find_reference(text: str | None) -> str | None:
    """The first pledge reference written anywhere in ``text`` (a bank's payment purpose)."""
    match = REFERENCE_PATTERN.search(text or "")
    return REFERENCE_PREFIX + match.group(1).upper() if match else None


def pledge_by_reference(session: Session, reference: object) -> Pledge | None:
    if not isinstance(reference, str):
        return None
    code = find_reference(reference)
    return session.scalar(select(Pledge).where(Pledge.reference == code)) if code else None


def make_donor(
    session: Session,
    *,
    public_name: object = None,
    email: object = None,
    locale: str | None = None,
    may_name_prisoner: bool = False,
    confirmed: bool = True,
) -> Donor:
    """An anonymous donor unless a public name is given; the email is private (stored
    encrypted), optional; ``locale`` is the language their mails will be in.  ``confirmed``:
    False for an address someone typed on a public page, which gets only the confirmation
    mail until its link is followed (staff record addresses donors gave them)."""
    try:
        name = clean_text(public_name, max_length=120) or None
    except TextError as error:
        raise PledgeError(error.code, field="public_name", reason=error.code, **error.params) from None
    address = None
    if email:
        try:
            address = normalise_email(str(email))
        except AccessError:
            raise PledgeError("invalid email", field="email", reason="invalid_email") from None
    donor = Donor(
        public_name=name,
        email=address,
        email_added_at=utcnow() if address else None,
        email_confirmed_at=utcnow() if address and confirmed else None,
        locale=locale if locale in LOCALES else "en",
        may_name_prisoner=bool(may_name_prisoner),
    )
    session.add(donor)
    session.flush()
    return donor


def create_pledge(
    session: Session,
    *,
    prisoner: Prisoner | None,
    money: Money,
    frequency: str,
    starts_on: date,
    ends_on: date | None = None,
    donor: Donor | None = None,
    actor: Recorder | None = None,
    created_by: str = "staff",
    reference_length: int = 6,
) -> Pledge:
    if frequency not in PLEDGE_FREQUENCIES:
        raise PledgeError("unknown frequency", field="frequency", reason="unknown_frequency")
    if money.minor <= 0:
        raise PledgeError("positive amount", field="amount", reason="zero_amount")
    if ends_on is not None and ends_on < starts_on:
        raise PledgeError("ends before it starts", field="ends_on", reason="ends_before_start")
    pledge = Pledge(
        reference=new_reference(session, reference_length),
        donor=donor or make_donor(session),
        prisoner=prisoner,
        amount_minor=money.minor,
        currency=money.currency,
        frequency=frequency,
        starts_on=starts_on,
        ends_on=ends_on,
        status=PledgeStatus.ACTIVE,
    )
    session.add(pledge)
    session.flush()
    session.add(
        PledgeStatusChange(
            pledge_id=pledge.id,
            old_status=None,
            new_status=PledgeStatus.ACTIVE,
            user_id=getattr(actor, "id", None),
            changed_by=created_by,
            reason="created",
            at=utcnow(),
        )
    )
    record_audit(
        session,
        "pledge.created",
        user=actor,
        target=f"pledge:{pledge.reference}",
        fund=prisoner.slug if prisoner else GENERAL,
        frequency=frequency,
        amount=str(money.amount),
        currency=money.currency,
    )
    return pledge


RUNNING = ("active", "overdue", "lapsed")


class Subscriptions(Protocol):
    """What pledges need of the Stripe gateway (``ledger.payments.stripe_api.StripeGateway``)."""

    def cancel_subscription(self, subscription_id: str) -> object: ...

    def pause_subscription(self, subscription_id: str) -> object: ...

    def resume_subscription(self, subscription_id: str) -> object: ...


def cancel_pledge(
    session: Session,
    pledge: Pledge,
    *,
    actor: Recorder | None = None,
    changed_by: str = "staff",
    subscriptions: Subscriptions | None = None,
) -> None:
    """End a pledge for good.  A card pledge's Stripe subscription is cancelled first
    (``subscriptions``: the Stripe gateway); if Stripe refuses, nothing changes here."""
    if pledge.status not in (*RUNNING, "paused"):
        raise PledgeError("not active", field="status", reason="pledge_not_active")
    if pledge.stripe_subscription_id:
        if subscriptions is None:
            raise PledgeError("card pledge", field="status", reason="pledge_card_needs_stripe")
        subscriptions.cancel_subscription(pledge.stripe_subscription_id)
    set_status(session, pledge, "cancelled", changed_by=changed_by, user=actor, reason="cancelled")
    record_audit(session, "pledge.cancelled", user=actor, target=f"pledge:{pledge.reference}", by=changed_by)


def pause_pledge(
    session: Session,
    pledge: Pledge,
    *,
    today: date,
    actor: Recorder | None = None,
    changed_by: str = "staff",
    subscriptions: Subscriptions | None = None,
) -> None:
    """Stop a monthly gift for a while: no instalment falls due until it resumes (what was
    already due stays due).  A card pledge's Stripe subscription stops collecting."""
    from ledger.funds.schedules import store_due_instalments

    if pledge.frequency != "monthly":
        raise PledgeError("not monthly", field="status", reason="pledge_not_monthly")
    if pledge.status not in RUNNING:
        raise PledgeError("not running", field="status", reason="pledge_not_active")
    if pledge.stripe_subscription_id:
        if subscriptions is None:
            raise PledgeError("card pledge", field="status", reason="pledge_card_needs_stripe")
        subscriptions.pause_subscription(pledge.stripe_subscription_id)
    store_due_instalments(session, pledge, today)
    set_status(session, pledge, "paused", changed_by=changed_by, user=actor, reason="paused")
    record_audit(session, "pledge.paused", user=actor, target=f"pledge:{pledge.reference}", by=changed_by)


def resume_pledge(
    session: Session,
    pledge: Pledge,
    *,
    today: date,
    actor: Recorder | None = None,
    changed_by: str = "staff",
    subscriptions: Subscriptions | None = None,
) -> None:
    """Start a paused monthly gift again; the instalments that fell while it was paused are waived."""
    from ledger.funds.schedules import pledge_state, store_due_instalments

    if pledge.status != "paused":
        raise PledgeError("not paused", field="status", reason="pledge_not_paused")
    if pledge.stripe_subscription_id:
        if subscriptions is None:
            raise PledgeError("card pledge", field="status", reason="pledge_card_needs_stripe")
        subscriptions.resume_subscription(pledge.stripe_subscription_id)
    store_due_instalments(session, pledge, today, waived=True)
    pledge.status = PledgeStatus.ACTIVE  # evaluated below; the history shows paused -> what the rules give
    state = pledge_state(session, pledge, today)
    pledge.status = PledgeStatus.PAUSED
    set_status(session, pledge, state.status, changed_by=changed_by, user=actor, reason="resumed")
    record_audit(session, "pledge.resumed", user=actor, target=f"pledge:{pledge.reference}", by=changed_by)


def received_by_pledge(session: Session, pledge_ids: list[int]) -> dict[int, tuple[int, date | None]]:
    """{pledge id: (minor units received, last gift date)}, leaving out reversed donations."""
    if not pledge_ids:
        return {}
    reversed_ids = select(JournalEntry.reverses_id).where(JournalEntry.reverses_id.isnot(None))
    rows = session.execute(
        select(Donation.pledge_id, func.sum(Donation.amount_minor), func.max(Donation.received_on))
        .where(Donation.pledge_id.in_(pledge_ids), Donation.entry_id.not_in(reversed_ids))
        .group_by(Donation.pledge_id)
    )
    return {pledge_id: (int(total or 0), last) for pledge_id, total, last in rows if pledge_id is not None}
