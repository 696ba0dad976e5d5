"""Recording what was spent for a prisoner: food, clothing, parcels, commissary, letters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.access.audit import record_audit
from ledger.books.accounts import check_currency, find_account, fund_account_for
from ledger.books.descriptions import describe
from ledger.books.errors import InvalidEntry
from ledger.books.holds import Approval

# SPENDING_CATEGORIES is re-exported: the labels and the API contract import it from here.
from ledger.books.kinds import SPENDING_CATEGORIES as SPENDING_CATEGORIES
from ledger.books.kinds import ApprovalKind, AssetKind
from ledger.books.models import Account, JournalEntry
from ledger.books.posting import EntryDraft, PostingDraft, Recorder, lock_ledger, post_entry
from ledger.funds.lifecycle import ensure_reachable
from ledger.funds.models import Prisoner
from ledger.funds.prisoners import prisoner_by_slug
from ledger.money import Money
from ledger.platform.database import utcnow
from ledger.platform.text import TextError, clean_text
from ledger.signoff.requests import request_approval
from ledger.signoff.thresholds import needs_approval
from ledger.spending.kinds import PARCEL_KINDS, ParcelKind
from ledger.spending.models import Parcel, ParcelItem, Receipt
from ledger.spending.parcel_quota import check_parcel

# Money is paid out of a bank account, someone's cash, or through an intermediary.
PAYING_KINDS = (AssetKind.BANK, AssetKind.CASH, AssetKind.INTERMEDIARY)
MAX_PARCEL_ITEMS = 100


@dataclass(frozen=True)
class ParcelItemDraft:
    name: object  # free text from a form or JSON, checked by record_parcel
    quantity: int
    grams: int
    cost: Money


@dataclass(frozen=True)
class ParcelDraft:
    sent_on: date
    items: list[ParcelItemDraft] = field(default_factory=list)
    tracking_number: str | None = None
    total_grams: int | None = None
    kind: str = ParcelKind.PARCEL  # or "small_parcel" (бандероль)
    medical: bool = False  # sent on a medical conclusion (УИК ст. 90 ч. 3)
    # Why a parcel beyond the quota or the weight limit is allowed (improved conditions,
    # a decision of the facility, a medical conclusion); without it such a parcel is refused.
    override_reason: str | None = None

    def to_payload(self) -> dict[str, Any]:
        """The parcel as a pending disbursement stores it (JSON, costs in minor units)."""
        return {
            "sent_on": self.sent_on.isoformat(),
            "tracking_number": self.tracking_number,
            "total_grams": self.total_grams,
            "kind": self.kind,
            "medical": self.medical,
            "override_reason": self.override_reason,
            "items": [
                {
                    "name": item.name,
                    "quantity": item.quantity,
                    "grams": item.grams,
                    "cost_minor": item.cost.minor,
                }
                for item in self.items
            ],
        }

    @classmethod
    def from_payload(cls, data: Mapping[str, Any], currency: str) -> ParcelDraft:
        """The parcel of a pending disbursement, as it was submitted (payloads stored before
        parcel kinds existed have no ``kind``: a parcel)."""
        return cls(
            sent_on=date.fromisoformat(data["sent_on"]),
            tracking_number=data.get("tracking_number"),
            total_grams=data.get("total_grams"),
            kind=data.get("kind", ParcelKind.PARCEL),
            medical=bool(data.get("medical")),
            override_reason=data.get("override_reason"),
            items=[
                ParcelItemDraft(
                    name=item["name"],
                    quantity=item["quantity"],
                    grams=item["grams"],
                    cost=Money.from_minor(item["cost_minor"], currency),
                )
                for item in data.get("items") or []
            ],
        )


@dataclass(frozen=True)
class RecordSpending:
    """The command to record money spent for a prisoner (with a parcel's details when it paid for one).

    Built by one parser per input form: the page's form (ledger/web/spending.py), the JSON
    body (ledger/api/spending.py), a stored approval (``from_payload``); carried out by
    ``record_spending()`` alone.
    """

    prisoner: Prisoner
    money: Money
    category: str
    paid_from: Account
    spent_on: date
    memo: str | None = None
    parcel: ParcelDraft | None = None
    idempotency_key: str | None = None

    @classmethod
    def named(
        cls,
        session: Session,
        *,
        prisoner: object,
        paid_from: object,
        money: Money,
        category: str,
        spent_on: date,
        memo: str | None = None,
        parcel: ParcelDraft | None = None,
    ) -> RecordSpending:
        """The command with the prisoner by slug and the account paid from by name, found the
        same way for every edge; InvalidEntry (``unknown_prisoner``, ``bad_paid_from``) when not."""
        found = prisoner_by_slug(session, prisoner) if isinstance(prisoner, str) else None
        if found is None:
            raise InvalidEntry("no such prisoner", field="prisoner", reason="unknown_prisoner")
        account = find_account(session, paid_from)
        if account is None:
            raise InvalidEntry("pay from a bank or cash account", field="paid_from", reason="bad_paid_from")
        return cls(
            prisoner=found,
            money=money,
            category=category,
            paid_from=account,
            spent_on=spent_on,
            memo=memo,
            parcel=parcel,
        )

    def to_payload(self) -> dict[str, Any]:
        """What a pending item stores to record it once signed off (ids, ISO dates)."""
        return {
            "prisoner_id": self.prisoner.id,
            "category": self.category,
            "paid_from_id": self.paid_from.id,
            "spent_on": self.spent_on.isoformat(),
            "memo": self.memo,
            "idempotency_key": self.idempotency_key,
            "parcel": self.parcel.to_payload() if self.parcel is not None else None,
        }

    @classmethod
    def from_payload(cls, session: Session, data: Mapping[str, Any], money: Money) -> RecordSpending:
        """The command a pending item stored (``to_payload``); its amount is the item's."""
        parcel = data.get("parcel")
        return cls(
            prisoner=session.get_one(Prisoner, data["prisoner_id"]),
            money=money,
            category=data["category"],
            paid_from=session.get_one(Account, data["paid_from_id"]),
            spent_on=date.fromisoformat(data["spent_on"]),
            memo=data.get("memo"),
            parcel=ParcelDraft.from_payload(parcel, money.currency) if parcel is not None else None,
            idempotency_key=data.get("idempotency_key"),
        )


def spending_assets(session: Session) -> list[Account]:
    """Open accounts money can be paid from: bank accounts, cash, intermediaries."""
    return list(
        session.scalars(
            select(Account)
            .where(
                Account.kind.in_(PAYING_KINDS),
                Account.closed_at.is_(None),
                # Commissary money on its way to personal accounts (ledger/commissary/) pays nothing.
                ~Account.name.startswith("assets:in-transit:"),
            )
            .order_by(Account.name)
        )
    )


def _text(value: object, field_name: str, max_length: int = 500, required: bool = False) -> str | None:
    try:
        return clean_text(value, max_length=max_length, required=required) or None
    except TextError as error:
        raise InvalidEntry(error.code, field=field_name, reason=error.code, **error.params) from None


def _validate_parcel(parcel: ParcelDraft, money: Money) -> tuple[int, list[tuple[str, ParcelItemDraft]]]:
    if parcel.kind not in PARCEL_KINDS:
        raise InvalidEntry("unknown parcel kind", field="parcel", reason="unknown_parcel_kind")
    if not isinstance(parcel.medical, bool):
        raise InvalidEntry("medical is true or false", field="parcel", reason="invalid_boolean")
    if not parcel.items and not parcel.total_grams:
        raise InvalidEntry("parcel needs items or a weight", field="parcel", reason="parcel_empty")
    if len(parcel.items) > MAX_PARCEL_ITEMS:
        raise InvalidEntry(
            "too many items", field="parcel", reason="parcel_too_many_items", max=MAX_PARCEL_ITEMS
        )
    items = []
    total_cost = 0
    for item in parcel.items:
        name = _text(item.name, "parcel", max_length=200, required=True) or ""
        if (
            not isinstance(item.quantity, int)
            or isinstance(item.quantity, bool)
            or not 0 < item.quantity <= 10_000
        ):
            raise InvalidEntry("bad quantity", field="parcel", reason="parcel_bad_quantity")
        if not isinstance(item.grams, int) or isinstance(item.grams, bool) or not 0 <= item.grams <= 100_000:
            raise InvalidEntry("bad weight", field="parcel", reason="parcel_bad_weight")
        if item.cost.currency != money.currency or item.cost.minor < 0:
            raise InvalidEntry(
                "item cost currency", field="parcel", reason="parcel_item_currency", currency=money.currency
            )
        total_cost += item.cost.minor
        items.append((name, item))
    if total_cost > money.minor:
        raise InvalidEntry(
            "items cost more than the amount",
            field="parcel",
            reason="parcel_items_exceed_amount",
            items=Money.from_minor(total_cost, money.currency),
            amount=money,
        )
    items_grams = sum(item.grams * item.quantity for _, item in items)
    if parcel.total_grams and isinstance(parcel.total_grams, int) and items_grams > parcel.total_grams:
        # The items can't weigh more than the parcel that holds them: one of the weights is a typo.
        raise InvalidEntry(
            "items weigh more than the parcel",
            field="parcel",
            reason="parcel_items_exceed_weight",
            items_grams=items_grams,
            grams=parcel.total_grams,
        )
    grams = parcel.total_grams if parcel.total_grams else items_grams
    if not isinstance(grams, int) or not 0 < grams <= 1_000_000:
        raise InvalidEntry("bad total weight", field="parcel", reason="parcel_bad_weight")
    return grams, items


def record_disbursement(
    session: Session,
    *,
    prisoner: Prisoner,
    money: Money,
    category: str,
    paid_from: Account,
    spent_on: date,
    memo: str | None = None,
    parcel: ParcelDraft | None = None,
    recorded_by: Recorder | None = None,
    idempotency_key: str | None = None,
    approved_by: Recorder | None = None,
) -> JournalEntry | Approval:
    """``record_spending()`` with the command's fields as arguments (letters, scripts, tests)."""
    command = RecordSpending(
        prisoner=prisoner,
        money=money,
        category=category,
        paid_from=paid_from,
        spent_on=spent_on,
        memo=memo,
        parcel=parcel,
        idempotency_key=idempotency_key,
    )
    return record_spending(session, command, recorded_by=recorded_by, approved_by=approved_by)


def record_spending(
    session: Session,
    command: RecordSpending,
    *,
    recorded_by: Recorder | None = None,
    approved_by: Recorder | None = None,
) -> JournalEntry | Approval:
    """Debit the prisoner's fund with ``category`` and credit the asset paid from.

    Refused (nothing written) when the fund can't cover it in that currency, when the
    asset is not a bank or cash account, while the prisoner's whereabouts are unknown
    (PrisonerUnreachable), or when a parcel is beyond the parcel rules' quota or weight
    (ParcelQuotaExceeded, ParcelTooHeavy) and no ``override_reason`` says why it is allowed.
    At or above the currency's approval threshold it is not posted but returned as a
    pending ``Approval`` that holds the money back, unless ``approved_by`` (the second
    person, when the item is signed off) is given; the checks run again then.
    """
    prisoner, money, category, paid_from = (
        command.prisoner,
        command.money,
        command.category,
        command.paid_from,
    )
    spent_on, parcel, idempotency_key = command.spent_on, command.parcel, command.idempotency_key
    if category not in SPENDING_CATEGORIES:
        raise InvalidEntry("unknown category", field="category", reason="unknown_category", category=category)
    if not isinstance(paid_from, Account) or paid_from.kind not in PAYING_KINDS or paid_from.closed_at:
        raise InvalidEntry("pay from a bank or cash account", field="paid_from", reason="bad_paid_from")
    if money.minor <= 0:
        raise InvalidEntry("positive amount", field="amount", reason="zero_amount")
    check_currency(paid_from, money.currency, "paid_from")
    if spent_on > utcnow().date():
        raise InvalidEntry("date in the future", field="spent_on", reason="date_in_future")
    memo = _text(command.memo, "memo")
    if parcel is not None and category != "parcels":
        raise InvalidEntry(
            "parcel details need the parcels category", field="category", reason="parcel_needs_category"
        )
    grams, items = _validate_parcel(parcel, money) if parcel is not None else (0, [])
    tracking = _text(parcel.tracking_number, "parcel", max_length=64) if parcel is not None else None
    override = (
        _text(parcel.override_reason, "override_reason", max_length=500) if parcel is not None else None
    )
    ensure_reachable(session, prisoner)
    if parcel is not None and override is None:
        # Under the ledger's write lock, held until commit: two parcels recorded at once
        # cannot both pass a quota with room for one.
        lock_ledger(session)
        check_parcel(
            session, prisoner, kind=parcel.kind, medical=parcel.medical, sent_on=parcel.sent_on, grams=grams
        )

    fund = fund_account_for(session, prisoner)
    postings = [PostingDraft(fund, money, category, memo), PostingDraft(paid_from, -money, category)]
    description = memo or describe("spending", category=category)
    if approved_by is None and needs_approval(session, money):
        return request_approval(
            session,
            kind=ApprovalKind.DISBURSEMENT,
            money=money,
            postings=postings,
            description=description,
            payload=replace(command, memo=memo).to_payload(),
            author=recorded_by,
            prisoner=prisoner,
        )
    entry = post_entry(
        session,
        EntryDraft(
            entry_date=spent_on,
            description=description,
            postings=postings,
            idempotency_key=idempotency_key,
        ),
        recorded_by=recorded_by,
        approved_by=approved_by,
    )
    if parcel is not None:
        record = Parcel(
            entry_id=entry.id,
            prisoner_id=prisoner.id,
            facility_id=prisoner.facility_id,
            sent_on=parcel.sent_on,
            tracking_number=tracking,
            total_grams=grams,
            kind=parcel.kind,
            medical=parcel.medical,
            override_reason=override,
        )
        session.add(record)
        session.flush()
        session.add_all(
            ParcelItem(
                parcel_id=record.id,
                name=name,
                quantity=item.quantity,
                grams=item.grams,
                cost_minor=item.cost.minor,
                currency=item.cost.currency,
            )
            for name, item in items
        )
    record_audit(
        session,
        "disbursement.recorded",
        user=recorded_by,
        target=f"entry:{entry.id}",
        prisoner=prisoner.slug,
        amount=str(money.amount),
        currency=money.currency,
        category=category,
        override=override is not None,
        **({"approved_by": approved_by.id} if approved_by is not None else {}),
    )
    session.flush()
    return entry


def entry_attachments(session: Session, entry: JournalEntry) -> tuple[list[Receipt], Parcel | None]:
    """An entry's receipts and, for a parcel, its details."""
    receipts = list(session.scalars(select(Receipt).where(Receipt.entry_id == entry.id).order_by(Receipt.id)))
    parcel = session.scalar(select(Parcel).where(Parcel.entry_id == entry.id))
    return receipts, parcel
