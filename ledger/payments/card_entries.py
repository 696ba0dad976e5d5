"""Ledger entries for money that moves through Stripe, one per balance transaction.

Every entry's idempotency key is ``stripe:<txn id>``: a charge reported by
checkout.session.completed, charge.succeeded and invoice.paid is recorded once.
Amounts come from the balance transaction (gross, fee, net in the currency Stripe
settled in); the fund is credited or debited in the charge's currency, and when
Stripe settled in another currency the difference goes through ``equity:conversion``
so every currency balances and ``assets:stripe`` matches Stripe's balance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_EVEN, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.access.audit import record_audit
from ledger.books.accounts import STRIPE, get_or_create_account, trading_account
from ledger.books.descriptions import describe
from ledger.books.errors import DuplicateEntry, InvalidEntry
from ledger.books.models import Account, JournalEntry
from ledger.books.posting import EntryDraft, PostingDraft, Recorder, post_entry
from ledger.funds.donations import DonationDraft, donation_fund, record_donation
from ledger.funds.donor_mail import queue_receipt
from ledger.funds.kinds import GENERAL
from ledger.funds.models import Donation, Donor, Pledge, Prisoner
from ledger.money import Money, minor_units
from ledger.payments.stripe_api import StripeJson, from_stripe_amount


class StripeDataError(InvalidEntry):
    """Stripe sent or returned something the ledger cannot record as it is."""

    code = "stripe_data"


@dataclass(frozen=True)
class Attribution:
    """Where a card gift goes: a prisoner's fund (or the general fund), a pledge, a donor."""

    prisoner: Prisoner | None = None
    pledge: Pledge | None = None
    donor: Donor | None = None


def checkout_metadata(*, prisoner: Prisoner | None, pledge: Pledge | None, donor: Donor) -> dict[str, str]:
    """What we tell Stripe about a gift: ids only, never a name or an email."""
    metadata = {"fund": prisoner.slug if prisoner is not None else GENERAL, "donor": str(donor.id)}
    if pledge is not None:
        metadata["pledge"] = pledge.reference
    return metadata


def attribution_from_metadata(session: Session, metadata: StripeJson | None) -> Attribution | None:
    """The fund, pledge and donor named by our metadata; None when it is not ours."""
    metadata = metadata if isinstance(metadata, dict) else {}
    if "fund" not in metadata and "pledge" not in metadata:
        return None
    pledge = None
    if metadata.get("pledge"):
        pledge = session.scalar(select(Pledge).where(Pledge.reference == str(metadata["pledge"])))
    if pledge is not None:
        return Attribution(prisoner=pledge.prisoner, pledge=pledge, donor=pledge.donor)
    prisoner = None
    slug = metadata.get("fund")
    if slug and slug != GENERAL:
        prisoner = session.scalar(select(Prisoner).where(Prisoner.slug == str(slug)))
    donor = None
    donor_id = str(metadata.get("donor") or "")
    if donor_id.isdigit():
        donor = session.get(Donor, int(donor_id))
    return Attribution(prisoner=prisoner, donor=donor)


def idempotency_key_for(transaction_id: str) -> str:
    return f"stripe:{transaction_id}"


def entry_for_transaction(session: Session, transaction_id: str) -> JournalEntry | None:
    return session.scalar(
        select(JournalEntry).where(JournalEntry.idempotency_key == idempotency_key_for(transaction_id))
    )


def _date_of(timestamp: object) -> date:
    if not isinstance(timestamp, int):
        raise StripeDataError("missing timestamp", field="created")
    return datetime.fromtimestamp(timestamp, UTC).date()


def _transaction(charge_or_refund: StripeJson) -> StripeJson | None:
    transaction = charge_or_refund.get("balance_transaction")
    if transaction is None:
        return None
    if not isinstance(transaction, dict):
        raise StripeDataError("balance transaction not expanded", field="balance_transaction")
    return transaction


@dataclass(frozen=True)
class Settlement:
    """A balance transaction in ledger money: ``amount`` and ``net`` signed (positive when
    money came into Stripe), ``fee`` what Stripe kept, all in the settlement currency."""

    transaction_id: str
    amount: Money
    fee: Money
    net: Money
    on: date

    @classmethod
    def of(cls, transaction: StripeJson) -> Settlement:
        currency = transaction.get("currency") or ""
        settlement = cls(
            transaction_id=str(transaction.get("id") or ""),
            amount=from_stripe_amount(transaction.get("amount"), currency),
            fee=from_stripe_amount(transaction.get("fee"), currency),
            net=from_stripe_amount(transaction.get("net"), currency),
            on=_date_of(transaction.get("created")),
        )
        if not settlement.transaction_id.startswith("txn_"):
            raise StripeDataError("not a balance transaction", field="balance_transaction")
        if settlement.amount - settlement.fee != settlement.net:
            raise StripeDataError("net is not amount minus fee", field="balance_transaction")
        return settlement


def _fee_in(currency: str, settlement: Settlement, original: Money) -> Money:
    """The fee in the charge's currency, at the rate Stripe actually converted at."""
    if settlement.fee.is_zero():
        return Money.from_minor(0, currency)
    quantum = Decimal(1).scaleb(-minor_units(currency))
    converted = settlement.fee.amount * abs(original.amount) / abs(settlement.amount.amount)
    return Money(converted.quantize(quantum, rounding=ROUND_HALF_EVEN), currency)


def _rate_text(original: Money, settlement: Settlement) -> str:
    rate = (abs(settlement.amount.amount) / abs(original.amount)).quantize(
        Decimal("0.0000000001"), rounding=ROUND_HALF_EVEN
    )
    return format(rate.normalize(), "f")


def settlement_postings(
    session: Session, *, fund: Account, original: Money, settlement: Settlement, category: str
) -> tuple[list[PostingDraft], str | None]:
    """Postings for money that moved between a fund and ``assets:stripe``.

    ``original`` is the fund's side in the charge currency, signed as the fund's
    posting (a gift is negative: a credit).  Same currency: fund, fee, Stripe.  Other
    currency: the fund moves in the charge currency (fee converted at Stripe's rate),
    Stripe in the settlement currency, and ``equity:conversion`` balances each.
    """
    stripe_account = get_or_create_account(session, STRIPE, label="Stripe balance")
    if original.currency == settlement.net.currency:
        fund_side = [(fund, -settlement.amount, category), (fund, settlement.fee, "fee")]
        postings = [PostingDraft(stripe_account, settlement.net, category)]
        postings += [PostingDraft(a, m, c) for a, m, c in fund_side if not m.is_zero()]
        return postings, None
    fee = _fee_in(original.currency, settlement, original)
    fund_total = original + fee
    trading = trading_account(session)
    postings = [
        PostingDraft(stripe_account, settlement.net, category),
        PostingDraft(trading, -settlement.net, "conversion"),
        PostingDraft(trading, -fund_total, "conversion"),
        PostingDraft(fund, original, category),
        PostingDraft(fund, fee, "fee"),
    ]
    return [p for p in postings if not p.money.is_zero()], _rate_text(original, settlement)


def record_charge(
    session: Session, charge: StripeJson, attribution: Attribution, *, source_ref: str | None = None
) -> Donation | None:
    """Record a succeeded charge (balance transaction expanded) as a card donation, once.

    Returns the Donation (the existing one when the charge was recorded before), or
    None while Stripe has no balance transaction for it yet.
    """
    if charge.get("status") != "succeeded" or not charge.get("paid"):
        return None
    transaction = _transaction(charge)
    if transaction is None:
        return None
    settlement = Settlement.of(transaction)
    existing = entry_for_transaction(session, settlement.transaction_id)
    if existing is not None:
        return session.scalar(select(Donation).where(Donation.entry_id == existing.id))
    gross = from_stripe_amount(charge.get("amount"), charge.get("currency") or "")
    pledge = attribution.pledge
    if pledge is not None and pledge.currency != gross.currency:
        pledge = None  # a gift in another currency than promised: keep it, unlinked
    key = idempotency_key_for(settlement.transaction_id)
    try:
        if gross.currency == settlement.amount.currency:
            if settlement.amount != gross:
                raise StripeDataError("charge and balance transaction differ", field="amount")
            return record_donation(
                session,
                DonationDraft(
                    received_on=settlement.on,
                    money=gross,
                    asset=get_or_create_account(session, STRIPE),
                    method="card",
                    prisoner=attribution.prisoner,
                    donor=attribution.donor,
                    pledge=pledge,
                    fee=settlement.fee,
                    idempotency_key=key,
                    source_type="stripe",
                    source_ref=source_ref,
                ),
            )
        return _record_converted_charge(session, gross, settlement, attribution, pledge, key, source_ref)
    except DuplicateEntry as duplicate:  # a concurrent delivery recorded it first
        return session.scalar(select(Donation).where(Donation.entry_id == duplicate.entry.id))


def _record_converted_charge(
    session: Session,
    gross: Money,
    settlement: Settlement,
    attribution: Attribution,
    pledge: Pledge | None,
    key: str,
    source_ref: str | None,
) -> Donation:
    fund = donation_fund(session, attribution.prisoner)
    postings, rate = settlement_postings(
        session, fund=fund, original=-gross, settlement=settlement, category="donation"
    )
    entry = post_entry(
        session,
        EntryDraft(
            entry_date=settlement.on,
            description=describe("card_donation"),
            postings=postings,
            source_type="stripe",
            source_ref=source_ref,
            idempotency_key=key,
            conversion_rate=rate,
        ),
    )
    donation = Donation(
        entry_id=entry.id,
        donor=attribution.donor or (pledge.donor if pledge else None),
        pledge=pledge,
        prisoner=attribution.prisoner,
        method="card",
        amount_minor=gross.minor,
        currency=gross.currency,
        received_on=settlement.on,
    )
    session.add(donation)
    session.flush()
    queue_receipt(session, donation)
    record_audit(
        session,
        "donation.recorded",
        target=f"entry:{entry.id}",
        fund=fund.name,
        amount=str(gross.amount),
        currency=gross.currency,
        method="card",
        settled=str(settlement.net),
        rate=rate,
    )
    return donation


def record_outflow(
    session: Session,
    *,
    donation: Donation,
    transaction: StripeJson,
    original: Money,
    description: str,
    category: str = "refund",
    source_ref: str | None = None,
    recorded_by: Recorder | None = None,
    as_advance: bool = False,
) -> JournalEntry | None:
    """Record a refund or dispute movement of a recorded card donation, once.

    ``original`` is the amount in the charge currency, unsigned; the direction comes
    from the balance transaction (negative: money left Stripe).  Raises
    InsufficientFunds when the fund can't cover it, unless an admin records it as an
    advance.  Returns None when it was recorded before.
    """
    settlement = Settlement.of(transaction)
    if entry_for_transaction(session, settlement.transaction_id) is not None:
        return None
    sign = 1 if settlement.amount.minor < 0 else -1
    fund = donation_fund(session, donation.prisoner)
    if original.currency != donation.currency:
        raise StripeDataError("refund in another currency than the charge", field="currency")
    postings, rate = settlement_postings(
        session,
        fund=fund,
        original=Money(original.amount * sign, original.currency),
        settlement=settlement,
        category=category,
    )
    try:
        entry = post_entry(
            session,
            EntryDraft(
                entry_date=settlement.on,
                description=description,
                postings=postings,
                source_type="stripe",
                source_ref=source_ref,
                idempotency_key=idempotency_key_for(settlement.transaction_id),
                conversion_rate=rate,
                is_advance=as_advance,
            ),
            recorded_by=recorded_by,
        )
    except DuplicateEntry:
        return None
    record_audit(
        session,
        "stripe.outflow_recorded" if sign > 0 else "stripe.inflow_recorded",
        user=recorded_by,
        target=f"entry:{entry.id}",
        fund=fund.name,
        description=description,
        amount=str(original.amount),
        currency=original.currency,
        advance=as_advance,
    )
    return entry


def record_payout(
    session: Session, payout: StripeJson, *, bank_account: str, source_ref: str | None = None
) -> JournalEntry | None:
    """A paid payout moves its amount from ``assets:stripe`` to the bank account, once."""
    transaction_id = payout.get("balance_transaction")
    if isinstance(transaction_id, dict):
        transaction_id = transaction_id.get("id")
    if not isinstance(transaction_id, str) or not transaction_id.startswith("txn_"):
        raise StripeDataError("payout without balance transaction", field="balance_transaction")
    if entry_for_transaction(session, transaction_id) is not None:
        return None
    money = from_stripe_amount(payout.get("amount"), payout.get("currency") or "")
    if money.minor <= 0:
        raise StripeDataError("payout amount must be positive", field="amount")
    bank = get_or_create_account(session, bank_account, currency=money.currency)
    on = _date_of(payout.get("arrival_date") or payout.get("created"))
    on = min(on, datetime.now(UTC).date())
    try:
        entry = post_entry(
            session,
            EntryDraft(
                entry_date=on,
                description=describe("stripe_payout"),
                postings=[
                    PostingDraft(bank, money, "transfer"),
                    PostingDraft(get_or_create_account(session, STRIPE), -money, "transfer"),
                ],
                source_type="stripe",
                source_ref=source_ref,
                idempotency_key=idempotency_key_for(transaction_id),
            ),
        )
    except DuplicateEntry:
        return None
    record_audit(
        session,
        "stripe.payout_recorded",
        target=f"entry:{entry.id}",
        account=bank.name,
        amount=str(money.amount),
        currency=money.currency,
    )
    return entry


def record_payout_return(
    session: Session, payout: StripeJson, *, bank_account: str, source_ref: str | None = None
) -> JournalEntry | None:
    """A payout that failed after it was recorded as paid: the money is back in Stripe.

    Recorded once, under the failure's balance transaction; nothing when the payout was
    never recorded (its two balance transactions cancel out).
    """
    paid_id = _transaction_id(payout.get("balance_transaction"))
    returned_id = _transaction_id(payout.get("failure_balance_transaction"))
    if paid_id is None or returned_id is None or entry_for_transaction(session, paid_id) is None:
        return None
    if entry_for_transaction(session, returned_id) is not None:
        return None
    money = from_stripe_amount(payout.get("amount"), payout.get("currency") or "")
    try:
        entry = post_entry(
            session,
            EntryDraft(
                entry_date=datetime.now(UTC).date(),
                description=describe("stripe_payout_returned"),
                postings=[
                    PostingDraft(get_or_create_account(session, STRIPE), money, "transfer"),
                    PostingDraft(
                        get_or_create_account(session, bank_account, currency=money.currency),
                        -money,
                        "transfer",
                    ),
                ],
                source_type="stripe",
                source_ref=source_ref,
                idempotency_key=idempotency_key_for(returned_id),
            ),
        )
    except DuplicateEntry:
        return None
    record_audit(
        session,
        "stripe.payout_returned",
        target=f"entry:{entry.id}",
        account=bank_account,
        amount=str(money.amount),
        currency=money.currency,
    )
    return entry


def _transaction_id(value: object) -> str | None:
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and value.startswith("txn_") else None
