"""Keyed bindings of the facts beside the journal that the journal itself cannot vouch for
(``ledger.platform.crypto.binding``): a donation's donor and a receipt's entry are bound when the row
is written, whatever code path writes it; ``ledger verify`` recomputes them
(``ledger/checkpoints/beside.py``)."""

from __future__ import annotations

from sqlalchemy import event

from ledger.funds.models import Donation
from ledger.platform.crypto import binding
from ledger.spending.models import Receipt


def donation_binding(entry_id: int | None, donor_id: int | None) -> str | None:
    """The donor link of a donation's entry; None without a donor."""
    return None if donor_id is None else binding("donation-donor", entry_id, donor_id)


def receipt_binding(entry_id: int | None, sha256: str) -> str:
    """A receipt's file (its SHA-256) and the entry it documents."""
    return binding("receipt-entry", entry_id, sha256)


@event.listens_for(Donation, "before_insert")
def _bind_donation(_mapper: object, _connection: object, donation: Donation) -> None:
    donation.donor_binding = donation_binding(donation.entry_id, donation.donor_id)


@event.listens_for(Receipt, "before_insert")
def _bind_receipt(_mapper: object, _connection: object, receipt: Receipt) -> None:
    receipt.binding = receipt_binding(receipt.entry_id, receipt.sha256)
