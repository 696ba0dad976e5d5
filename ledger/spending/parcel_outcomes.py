"""What became of a parcel, and who sends the next one.

A parcel is delivered, returned (by the post office or refused by the facility) or
confiscated, on a date, with proof: the tracking number and a scan of the inventory form
(опись вложения), stored like a receipt (EXIF stripped, by SHA-256).  A returned parcel's
money comes back when the post office refunds it: one entry debiting the asset it came
into and crediting the prisoner's fund, category ``refund``.  A confiscated parcel stays
spent, and pages and reports list it as confiscated.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.access.audit import record_audit
from ledger.access.models import WRITERS, User
from ledger.books.accounts import BANK_PREFIX, CASH_PREFIX, fund_account_for
from ledger.books.descriptions import describe
from ledger.books.errors import InvalidEntry, LedgerError
from ledger.books.models import Account, JournalEntry
from ledger.books.posting import EntryDraft, PostingDraft, Recorder, post_entry
from ledger.funds.models import ParcelAssignment, Prisoner
from ledger.money import Money
from ledger.platform.database import utcnow
from ledger.platform.text import TextError, clean_text
from ledger.spending.kinds import PARCEL_OUTCOMES, ParcelOutcomeKind
from ledger.spending.models import Parcel, ParcelOutcome, Receipt
from ledger.spending.receipts import attach_receipt


class ParcelOutcomeConflict(LedgerError):
    """The parcel's state does not allow this (a refund of a parcel not returned, a second
    refund…); the code names why: parcel_reversed, parcel_refunded, parcel_not_returned,
    parcel_no_outcome."""

    def __init__(self, message: str = "", *, reason: str, field: str | None = None, **params: object) -> None:
        super().__init__(message, field=field, **params)
        self.code = reason


def _text(value: object, field: str, max_length: int) -> str | None:
    try:
        return clean_text(value, max_length=max_length) or None
    except TextError as error:
        raise InvalidEntry(error.code, field=field, reason=error.code, **error.params) from None


def _check_date(on: object, field: str = "on") -> date:
    if not isinstance(on, date) or not date(2000, 1, 1) <= on:
        raise InvalidEntry("bad date", field=field, reason="invalid_date")
    if on > utcnow().date():
        raise InvalidEntry("date in the future", field=field, reason="date_in_future")
    return on


def parcel_amount(parcel: Parcel) -> Money:
    """What the parcel cost the fund (the debit of the prisoner's fund in its entry)."""
    for posting in parcel.entry.postings:
        if posting.amount_minor > 0 and posting.account.prisoner_id == parcel.prisoner_id:
            return Money.from_minor(posting.amount_minor, posting.currency)
    raise InvalidEntry("parcel without a fund debit", field="parcel")


def record_outcome(
    session: Session,
    parcel: Parcel,
    *,
    outcome: str,
    on: date,
    tracking_number: object = None,
    note: object = None,
    recorded_by: Recorder | None = None,
) -> ParcelOutcome:
    """Record (or correct, until a refund is booked) what became of ``parcel``."""
    if outcome not in PARCEL_OUTCOMES:
        raise InvalidEntry("unknown outcome", field="outcome", reason="unknown_outcome")
    _check_date(on)
    if on < parcel.sent_on:
        raise InvalidEntry("outcome before sending", field="on", reason="outcome_before_sending")
    tracking = _text(tracking_number, "tracking_number", 64)
    clean_note = _text(note, "note", 2000)
    if parcel.entry.reversed_by is not None:
        raise ParcelOutcomeConflict("parcel reversed", field="parcel", reason="parcel_reversed")
    record = parcel.outcome
    if record is not None and record.refund_entry_id is not None and record.refund_entry.reversed_by is None:
        raise ParcelOutcomeConflict("refund booked", field="outcome", reason="parcel_refunded")
    if record is None:
        record = ParcelOutcome(parcel_id=parcel.id)
        parcel.outcome = record
    record.outcome = outcome
    record.occurred_on = on
    record.note = clean_note
    record.recorded_by_id = getattr(recorded_by, "id", None)
    record.recorded_at = utcnow()
    if tracking is not None:
        parcel.tracking_number = tracking
    session.add(record)
    session.flush()
    record_audit(
        session,
        "parcel.outcome",
        user=recorded_by,
        target=f"parcel:{parcel.id}",
        outcome=outcome,
        entry=parcel.entry_id,
    )
    return record


def attach_inventory(
    session: Session,
    parcel: Parcel,
    data: bytes,
    *,
    original_name: str | None,
    storage_root: Path,
    max_bytes: int,
    uploaded_by: Recorder | None = None,
) -> Receipt:
    """Store the scan of the inventory form as a receipt of the parcel's entry and link it
    to the parcel's outcome (which must be recorded first)."""
    if parcel.outcome is None:
        raise ParcelOutcomeConflict("no outcome yet", field="outcome", reason="parcel_no_outcome")
    receipt = attach_receipt(
        session,
        parcel.entry,
        data,
        original_name=original_name,
        storage_root=storage_root,
        max_bytes=max_bytes,
        uploaded_by=uploaded_by,
    )
    parcel.outcome.inventory_receipt_id = receipt.id
    session.flush()
    return receipt


def record_parcel_refund(
    session: Session,
    parcel: Parcel,
    *,
    money: Money,
    received_into: Account,
    on: date,
    recorded_by: Recorder | None = None,
    idempotency_key: str | None = None,
) -> JournalEntry:
    """The post office refunded a returned parcel: debit the asset, credit the fund (refund)."""
    record = parcel.outcome
    if record is None or record.outcome != ParcelOutcomeKind.RETURNED:
        raise ParcelOutcomeConflict("not returned", field="parcel", reason="parcel_not_returned")
    if record.refund_entry_id is not None and record.refund_entry.reversed_by is None:
        raise ParcelOutcomeConflict("already refunded", field="parcel", reason="parcel_refunded")
    if not isinstance(received_into, Account) or not (
        received_into.name.startswith(BANK_PREFIX) or received_into.name.startswith(CASH_PREFIX)
    ):
        raise InvalidEntry("bank or cash", field="asset", reason="bad_asset")
    _check_date(on)
    cost = parcel_amount(parcel)
    if money.currency != cost.currency:
        raise InvalidEntry("currency", field="money", reason="currency_mismatch")
    if money.minor <= 0:
        raise InvalidEntry("positive amount", field="money", reason="zero_amount")
    if money.minor > cost.minor:
        raise InvalidEntry("more than spent", field="money", reason="refund_exceeds_parcel", cost=cost)
    prisoner = session.get_one(Prisoner, parcel.prisoner_id)
    fund = fund_account_for(session, prisoner)
    entry = post_entry(
        session,
        EntryDraft(
            entry_date=on,
            description=describe("parcel_refund", entry=parcel.entry_id),
            postings=[
                PostingDraft(received_into, money, "refund"),
                PostingDraft(fund, -money, "refund", "returned parcel"),
            ],
            idempotency_key=idempotency_key,
        ),
        recorded_by=recorded_by,
    )
    record.refund_entry_id = entry.id
    session.flush()
    record_audit(
        session,
        "parcel.refunded",
        user=recorded_by,
        target=f"parcel:{parcel.id}",
        entry=entry.id,
        amount=str(money.amount),
        currency=money.currency,
    )
    return entry


def parcels_of(session: Session, prisoner: Prisoner, *, limit: int = 100) -> list[Parcel]:
    """The prisoner's parcels, newest first, with their outcomes."""
    return list(
        session.scalars(
            select(Parcel)
            .where(Parcel.prisoner_id == prisoner.id)
            .order_by(Parcel.sent_on.desc(), Parcel.id.desc())
            .limit(limit)
        ).unique()
    )


def assign_next_parcel(session: Session, prisoner: Prisoner, user: User | None, *, actor: Recorder) -> None:
    """Name the coordinator who sends the prisoner's next parcel (None: nobody yet)."""
    if user is not None and (user.role not in WRITERS or not user.active):
        raise InvalidEntry("not a coordinator", field="coordinator", reason="not_a_coordinator")
    current = session.get(ParcelAssignment, prisoner.id)
    if user is None:
        if current is not None:
            session.delete(current)
    elif current is None:
        session.add(ParcelAssignment(prisoner_id=prisoner.id, user_id=user.id, assigned_by_id=actor.id))
    else:
        current.user_id, current.assigned_by_id, current.assigned_at = user.id, actor.id, utcnow()
    session.flush()
    record_audit(
        session,
        "parcel.assigned",
        user=actor,
        target=f"prisoner:{prisoner.slug}",
        assignee=user.id if user is not None else None,
    )


def assignments(session: Session) -> dict[int, ParcelAssignment]:
    return {a.prisoner_id: a for a in session.scalars(select(ParcelAssignment))}
