"""JSON shapes of ledger objects: money as strings with a currency, dates in ISO 8601."""

from __future__ import annotations

from ledger.books.models import JournalEntry
from ledger.money import Money


def money_json(money: Money) -> dict:
    return {"amount": str(money.amount), "currency": money.currency}


def minor_json(minor: int, currency: str) -> dict:
    return money_json(Money.from_minor(minor, currency))


def entry_json(entry: JournalEntry, *, receipts=(), parcel=None) -> dict:
    return {
        "id": entry.id,
        "date": entry.entry_date.isoformat(),
        "description": entry.description,
        "source": entry.source_type,
        "recorded_at": entry.recorded_at.isoformat() + "Z",
        "recorded_by": entry.recorded_by_id,
        "approved_by": entry.approved_by_id,
        "reverses": entry.reverses_id,
        "reversed_by": entry.reversed_by.id if entry.reversed_by else None,
        "advance": entry.is_advance,
        "conversion_rate": entry.conversion_rate,
        "hash": entry.hash,
        "prev_hash": entry.prev_hash,
        "postings": [
            {
                "account": posting.account.name,
                "money": minor_json(posting.amount_minor, posting.currency),
                "category": posting.category,
                "memo": posting.memo,
            }
            for posting in entry.postings
        ],
        "receipts": [receipt_json(receipt) for receipt in receipts],
        "parcel": parcel_json(parcel) if parcel is not None else None,
    }


def receipt_json(receipt) -> dict:
    return {
        "id": receipt.id,
        "sha256": receipt.sha256,
        "content_type": receipt.content_type,
        "size": receipt.size_bytes,
        "uploaded_at": receipt.uploaded_at.isoformat() + "Z",
    }


def parcel_json(parcel) -> dict:
    return {
        "sent_on": parcel.sent_on.isoformat(),
        "tracking_number": parcel.tracking_number,
        "total_grams": parcel.total_grams,
        "facility": parcel.facility.name if parcel.facility else None,
        "kind": parcel.kind,
        "medical": parcel.medical,
        "override_reason": parcel.override_reason,
        "outcome": None
        if parcel.outcome is None
        else {
            "outcome": parcel.outcome.outcome,
            "on": parcel.outcome.occurred_on.isoformat(),
            "note": parcel.outcome.note,
            "inventory_receipt": parcel.outcome.inventory_receipt_id,
            "refund_entry": parcel.outcome.refund_entry_id,
        },
        "items": [
            {
                "name": item.name,
                "quantity": item.quantity,
                "grams": item.grams,
                "cost": minor_json(item.cost_minor, item.currency),
            }
            for item in parcel.items
        ],
    }


def pending_payload(approval) -> dict:
    """The 202 answer of an item that waits for a second person's sign-off."""
    return {"status": "pending", "approval": approval.id}


def approval_json(approval, *, receipts=()) -> dict:
    """An item of the sign-off queue: what, for whom, since when, by whom, what it holds back."""
    return {
        "id": approval.id,
        "kind": approval.kind,
        "status": approval.status,
        "money": minor_json(approval.amount_minor, approval.currency),
        "description": approval.description,
        "prisoner": approval.prisoner.slug if approval.prisoner is not None else None,
        "author": approval.author_id,
        "created_at": approval.created_at.isoformat() + "Z",
        "decided_by": approval.decided_by_id,
        "decided_at": approval.decided_at.isoformat() + "Z" if approval.decided_at else None,
        "reason": approval.reason,
        "entry": approval.entry_id,
        "holds": [
            {"account": hold.account.name, "money": minor_json(hold.amount_minor, hold.currency)}
            for hold in approval.holds
        ],
        "receipts": [receipt_json(receipt) for receipt in receipts],
    }
