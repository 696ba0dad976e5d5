"""Recording money that came in: one balanced entry plus the Donation row that links it
to a donor and a pledge (which the hash chain must never contain)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from ledger.access.audit import record_audit
from ledger.books.accounts import check_currency, fund_account_for, general_fund
from ledger.books.descriptions import describe
from ledger.books.errors import InvalidEntry
from ledger.books.kinds import AssetKind
from ledger.books.models import Account
from ledger.books.posting import EntryDraft, PostingDraft, Recorder, post_entry
from ledger.funds.donor_mail import queue_receipt
from ledger.funds.kinds import DONATION_METHODS
from ledger.funds.models import Donation, Donor, Pledge, Prisoner
from ledger.money import Money
from ledger.platform.database import utcnow

DESCRIPTIONS = {method: describe(f"{method}_donation") for method in ("bank", "cash", "card", "other")}


@dataclass(frozen=True)
class DonationDraft:
    """A gift as received: ``money`` is the gross amount; ``fee`` (same currency) is what
    the processor kept, so the asset receives ``money - fee``."""

    received_on: date
    money: Money
    asset: Account
    method: str
    prisoner: Prisoner | None = None
    donor: Donor | None = None
    pledge: Pledge | None = None
    fee: Money | None = None
    memo: str | None = None
    idempotency_key: str | None = None
    source_type: str = "manual"
    source_ref: str | None = None


RECEIVING_KINDS = (AssetKind.BANK, AssetKind.CASH, AssetKind.STRIPE, AssetKind.INTERMEDIARY)


def is_receiving_asset(account: Account) -> bool:
    """Gifts arrive in a bank, cash, Stripe or intermediary account that is open."""
    return account.kind in RECEIVING_KINDS and account.closed_at is None


def donation_fund(session: Session, prisoner: Prisoner | None) -> Account:
    return fund_account_for(session, prisoner) if prisoner is not None else general_fund(session)


def _check(draft: DonationDraft) -> None:
    if draft.method not in DONATION_METHODS:
        raise InvalidEntry("unknown method", field="method", reason="unknown_method")
    if draft.money.minor <= 0:
        raise InvalidEntry("positive amount", field="amount", reason="zero_amount")
    if draft.received_on > utcnow().date():
        raise InvalidEntry("date in the future", field="received_on", reason="date_in_future")
    if not is_receiving_asset(draft.asset):
        raise InvalidEntry("receive into a bank, cash or Stripe account", field="asset", reason="bad_asset")
    if draft.fee is not None:
        if draft.fee.currency != draft.money.currency:
            raise InvalidEntry("fee in another currency", field="fee", reason="currency_mismatch")
        if draft.fee.minor < 0 or draft.fee.minor >= draft.money.minor:
            raise InvalidEntry("fee out of range", field="fee", reason="bad_fee")
    if draft.pledge is not None:
        if draft.pledge.prisoner_id != (draft.prisoner.id if draft.prisoner else None):
            raise InvalidEntry("pledge for another fund", field="pledge", reason="pledge_mismatch")
        if draft.pledge.currency != draft.money.currency:
            raise InvalidEntry(
                "pledge in another currency",
                field="pledge",
                reason="pledge_currency",
                currency=draft.pledge.currency,
            )
        if draft.donor is not None and draft.pledge.donor_id != draft.donor.id:
            raise InvalidEntry("pledge of another donor", field="pledge", reason="pledge_mismatch")


def record_donation(
    session: Session, draft: DonationDraft, *, recorded_by: Recorder | None = None
) -> Donation:
    """Debit the asset, credit the prisoner's fund (or the general fund), take the fee
    from the fund; refused with nothing written on bad input or a repeated idempotency key,
    or money in another currency than the asset account holds (``currency_mismatch``)."""
    _check(draft)
    check_currency(draft.asset, draft.money.currency, "asset")
    fund = donation_fund(session, draft.prisoner)
    fee = draft.fee if draft.fee is not None and draft.fee.minor else None
    net = draft.money - fee if fee is not None else draft.money
    postings = [
        PostingDraft(draft.asset, net, "donation", draft.memo),
        PostingDraft(fund, -draft.money, "donation"),
    ]
    if fee is not None:
        postings.append(PostingDraft(fund, fee, "fee"))
    entry = post_entry(
        session,
        EntryDraft(
            entry_date=draft.received_on,
            description=draft.memo or DESCRIPTIONS[draft.method],
            postings=postings,
            source_type=draft.source_type,
            source_ref=draft.source_ref,
            idempotency_key=draft.idempotency_key,
        ),
        recorded_by=recorded_by,
    )
    donor = draft.donor or (draft.pledge.donor if draft.pledge is not None else None)
    donation = Donation(
        entry_id=entry.id,
        donor=donor,
        pledge=draft.pledge,
        prisoner=draft.prisoner,
        method=draft.method,
        amount_minor=draft.money.minor,
        currency=draft.money.currency,
        received_on=draft.received_on,
    )
    session.add(donation)
    session.flush()
    queue_receipt(session, donation)
    record_audit(
        session,
        "donation.recorded",
        user=recorded_by,
        target=f"entry:{entry.id}",
        fund=fund.name,
        amount=str(draft.money.amount),
        currency=draft.money.currency,
        method=draft.method,
    )
    return donation
