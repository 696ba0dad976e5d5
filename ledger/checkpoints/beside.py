"""``ledger verify``'s checks of the facts stored beside the journal that the public or the
money depend on (issue #27):

- a donation row against its entry: the fund, the amount and currency, the day its entry
  credits, and its donor link against the keyed binding written with it (``ledger/checkpoints/bindings.py``);
- a receipt against the keyed binding of its entry and file;
- an account's ``guarded`` flag against its kind (every fund, every cash box);
- a prisoner's ``public`` flag against the latest audited change of it;
- the audit log's own chain (``ledger/access/audit.py``);
- the ledger head's record of the latest checkpoint against the checkpoints kept.

Each check reports every row it finds wrong (a few SQL queries, whatever the size), naming
what changed."""

from __future__ import annotations

import json
from collections.abc import Iterator

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from ledger.access.audit import audit_problems
from ledger.access.models import AuditEvent
from ledger.books.accounts import is_guarded
from ledger.books.models import Account, JournalEntry, LedgerHead, Posting
from ledger.books.verify import Problem
from ledger.checkpoints.bindings import donation_binding, receipt_binding
from ledger.checkpoints.models import Checkpoint
from ledger.checkpoints.seal import document_digest
from ledger.funds.models import Donation, Prisoner
from ledger.money import Money
from ledger.spending.models import Receipt

GENERAL_FUND = "liabilities:funds:general"
# The audit actions that record a prisoner's public flag (``public`` in their details); a
# prisoner no audit event records was never made public.
PUBLIC_FLAG_ACTIONS = ("prisoner.created", "prisoner.updated")


def _amount(minor: int, currency: str) -> str:
    return f"{Money.from_minor(minor, currency).amount} {currency}"


def _donations(session: Session) -> Iterator[Problem]:
    fund_credit = case(
        (
            and_(
                Posting.category == "donation",
                Posting.currency == Donation.currency,
                or_(
                    and_(Donation.prisoner_id.is_(None), Account.name == GENERAL_FUND),
                    and_(
                        Donation.prisoner_id.is_not(None),
                        Account.prisoner_id == Donation.prisoner_id,
                        Account.name.like("liabilities:funds:%"),
                    ),
                ),
            ),
            -Posting.amount_minor,
        ),
        else_=0,
    )
    rows = session.execute(
        select(
            Donation.id,
            Donation.entry_id,
            Donation.prisoner_id,
            Donation.amount_minor,
            Donation.currency,
            Donation.received_on,
            JournalEntry.entry_date,
            func.coalesce(func.sum(fund_credit), 0),
        )
        .join(JournalEntry, JournalEntry.id == Donation.entry_id)
        .outerjoin(Posting, Posting.entry_id == Donation.entry_id)
        .outerjoin(Account, Account.id == Posting.account_id)
        .group_by(
            Donation.id,
            Donation.entry_id,
            Donation.prisoner_id,
            Donation.amount_minor,
            Donation.currency,
            Donation.received_on,
            JournalEntry.entry_date,
        )
        .order_by(Donation.id)
    )
    for donation_id, entry_id, prisoner_id, amount, currency, received_on, entry_date, credited in rows:
        fund = f"prisoner #{prisoner_id}'s fund" if prisoner_id is not None else "the general fund"
        where = f"donation #{donation_id}"
        if int(credited) != amount:
            yield Problem(
                "donation_changed",
                f"{where} says {_amount(amount, currency)} to {fund}, but its entry credits "
                f"{_amount(int(credited), currency)} to {fund}: its amount, currency or prisoner was changed",
                entry_id,
            )
        elif received_on != entry_date:
            yield Problem(
                "donation_changed",
                f"{where} says it was received on {received_on}, its entry is dated {entry_date}",
                entry_id,
            )
    missing = session.scalars(
        select(Donation.id)
        .outerjoin(JournalEntry, JournalEntry.id == Donation.entry_id)
        .where(JournalEntry.id.is_(None))
    ).all()
    for donation_id in missing:
        yield Problem("donation_changed", f"donation #{donation_id} names an entry that does not exist")
    for donation_id, entry_id, donor_id, bound in session.execute(
        select(Donation.id, Donation.entry_id, Donation.donor_id, Donation.donor_binding)
        .where(Donation.donor_id.is_not(None))
        .order_by(Donation.id)
    ):
        if bound != donation_binding(entry_id, donor_id):
            yield Problem(
                "donation_donor_changed",
                f"donation #{donation_id}: its donor (donor #{donor_id}) is not the donor recorded with it",
                entry_id,
            )


def _receipts(session: Session) -> Iterator[Problem]:
    for receipt_id, entry_id, sha256, bound in session.execute(
        select(Receipt.id, Receipt.entry_id, Receipt.sha256, Receipt.binding).order_by(Receipt.id)
    ):
        if bound != receipt_binding(entry_id, sha256):
            yield Problem(
                "receipt_moved",
                f"receipt #{receipt_id} ({sha256[:12]}…) was not attached to entry #{entry_id}: "
                "it was moved to another entry or its file changed",
                entry_id,
            )


def _guarded_flags(session: Session) -> Iterator[Problem]:
    for name, guarded in session.execute(select(Account.name, Account.guarded).order_by(Account.id)):
        if bool(guarded) != is_guarded(name):
            state = "cleared" if is_guarded(name) else "set"
            yield Problem(
                "guard_flag_changed",
                f"{name}: its guarded flag was {state} (every fund and cash box is guarded)",
            )


def _public_flags(session: Session) -> Iterator[Problem]:
    recorded: dict[str, bool] = {}
    for target, details in session.execute(
        select(AuditEvent.target, AuditEvent.details)
        .where(AuditEvent.action.in_(PUBLIC_FLAG_ACTIONS))
        .order_by(AuditEvent.id)
    ):
        try:
            public = json.loads(details or "{}").get("public")
        except ValueError:
            public = None
        if isinstance(public, bool) and target:
            recorded[target] = public
    for slug, public in session.execute(select(Prisoner.slug, Prisoner.public).order_by(Prisoner.id)):
        audited = recorded.get(f"prisoner:{slug}", False)
        if bool(public) != audited:
            shown = "public" if public else "hidden"
            yield Problem(
                "public_flag_changed",
                f"prisoner {slug} is {shown}, but the audit log's latest change made them "
                f"{'public' if audited else 'hidden'}: the flag was changed without an audited change",
            )


def _audit_chain(session: Session) -> Iterator[Problem]:
    for event_id, why in audit_problems(session):
        where = f"audit event #{event_id}: " if event_id is not None else "audit log: "
        yield Problem("audit_chain_broken", where + why)


def _latest_checkpoint(session: Session) -> Iterator[Problem]:
    head = session.get(LedgerHead, 1)
    if head is None:
        return
    latest = session.scalar(select(Checkpoint).order_by(Checkpoint.sequence.desc()).limit(1))
    sequence = latest.sequence if latest is not None else 0
    digest = document_digest(latest.document) if latest is not None else None
    if (sequence, digest) != (head.checkpoint_sequence, head.checkpoint_digest):
        if head.checkpoint_sequence > sequence:
            why = f"checkpoint #{head.checkpoint_sequence} was signed, but the latest kept is #{sequence}: it was deleted"
        else:
            why = f"the latest checkpoint kept (#{sequence}) is not the one the ledger head recorded (#{head.checkpoint_sequence})"
        yield Problem("checkpoint_missing", why)


def verify_beside_journal(session: Session) -> list[Problem]:
    """Every problem found beside the journal."""
    session.flush()
    return [
        *_donations(session),
        *_receipts(session),
        *_guarded_flags(session),
        *_public_flags(session),
        *_audit_chain(session),
        *_latest_checkpoint(session),
    ]
