"""Pledges: a donor's promise to give once or monthly, with a reference code for bank
transfers, and what has been received against it."""

from __future__ import annotations

import re
import secrets
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.access.audit import record_audit
from ledger.access.users import AccessError, normalise_email
from ledger.books.errors import InvalidEntry
from ledger.books.models import JournalEntry
from ledger.funds.kinds import GENERAL, PLEDGE_FREQUENCIES
from ledger.funds.models import Donation, Donor, Pledge, Prisoner
from ledger.money import Money
from ledger.text import TextError, clean_text

# No 0/O, 1/I/L: people copy these codes by hand into a bank's payment purpose field.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
REFERENCE_PREFIX = "SL-"
REFERENCE_PATTERN = re.compile(r"\bSL-?([A-HJKMNP-Z2-9]{6})\b", re.IGNORECASE)


class PledgeError(InvalidEntry):
    """A pledge field is not acceptable; ``params["reason"]`` names why."""


def new_reference(session: Session) -> str:
    while True:
        code = REFERENCE_PREFIX + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
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


def make_donor(session: Session, *, public_name: object = None, email: object = None) -> Donor:
    """An anonymous donor unless a public name is given; the email is private, optional."""
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
    donor = Donor(public_name=name, email=address)
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
    actor=None,
) -> Pledge:
    if frequency not in PLEDGE_FREQUENCIES:
        raise PledgeError("unknown frequency", field="frequency", reason="unknown_frequency")
    if money.minor <= 0:
        raise PledgeError("positive amount", field="amount", reason="zero_amount")
    if ends_on is not None and ends_on < starts_on:
        raise PledgeError("ends before it starts", field="ends_on", reason="ends_before_start")
    pledge = Pledge(
        reference=new_reference(session),
        donor=donor or make_donor(session),
        prisoner=prisoner,
        amount_minor=money.minor,
        currency=money.currency,
        frequency=frequency,
        starts_on=starts_on,
        ends_on=ends_on,
        status="active",
    )
    session.add(pledge)
    session.flush()
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


def cancel_pledge(session: Session, pledge: Pledge, *, actor=None) -> None:
    if pledge.status != "active":
        raise PledgeError("not active", field="status", reason="pledge_not_active")
    pledge.status = "cancelled"
    session.flush()
    record_audit(session, "pledge.cancelled", user=actor, target=f"pledge:{pledge.reference}")


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
