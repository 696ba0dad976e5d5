"""The organisation's bank details per currency: what a donor who pledges a transfer is told
to pay to.  Admins keep them (the donor settings page, ``PUT /api/v1/settings/bank-details``,
``flask bank-details``); a currency without them takes no transfer pledges."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.access.audit import record_audit
from ledger.books.errors import InvalidEntry, LedgerError
from ledger.books.posting import Recorder
from ledger.funds.models import BankDetails
from ledger.money import MoneyError, parse_currency
from ledger.platform.database import utcnow
from ledger.platform.text import TextError, clean_text

MAX_LINE = 200
MAX_TEXT = 2000


class NoBankDetails(LedgerError):
    """Nothing is kept for that currency."""

    code = "not_found"


def bank_details_for(session: Session, currency: str) -> BankDetails | None:
    return session.get(BankDetails, currency)


def all_bank_details(session: Session) -> list[BankDetails]:
    return list(session.scalars(select(BankDetails).order_by(BankDetails.currency)))


def pledge_currencies(session: Session) -> list[str]:
    """Currencies donors can pledge a transfer in: those the admins gave bank details for."""
    return list(session.scalars(select(BankDetails.currency).order_by(BankDetails.currency)))


def clean_details(value: object, field: str) -> str:
    """Lines of free text (an IBAN, a beneficiary, a purpose of payment), each cleaned as any
    text is: control characters refused, so nothing can be hidden in what donors copy."""
    if not isinstance(value, str):
        raise InvalidEntry("invalid_text", field=field, reason="invalid_text")
    try:
        lines = [clean_text(line, max_length=MAX_LINE) for line in value.replace("\r\n", "\n").split("\n")]
    except TextError as error:
        raise InvalidEntry(error.code, field=field, reason=error.code, **error.params) from None
    text = "\n".join(lines).strip()
    if not text:
        raise InvalidEntry("required", field=field, reason="required")
    if len(text) > MAX_TEXT:
        raise InvalidEntry("too_long", field=field, reason="too_long", max=MAX_TEXT)
    return text


def _currency(value: object) -> str:
    try:
        return parse_currency(value)
    except MoneyError as error:
        raise InvalidEntry(error.code, field="currency", reason=error.code, **error.params) from None


def save_bank_details(
    session: Session, currency: object, *, details_en: object, details_ru: object, actor: Recorder | None
) -> BankDetails:
    """Set the details for ``currency`` in both languages (new, or replacing what was there).

    Refused with InvalidEntry (nothing changed) for an unknown currency or text that is
    empty, too long or holds control characters."""
    code = _currency(currency)
    texts = {
        "details_en": clean_details(details_en, "details_en"),
        "details_ru": clean_details(details_ru, "details_ru"),
    }
    row = session.get(BankDetails, code)
    if row is None:
        row = BankDetails(currency=code, **texts)
        session.add(row)
    else:
        row.details_en, row.details_ru = texts["details_en"], texts["details_ru"]
    row.updated_at = utcnow()
    row.updated_by_id = getattr(actor, "id", None)
    record_audit(session, "bank_details.saved", user=actor, target=f"currency:{code}")
    session.flush()
    return row


def delete_bank_details(session: Session, currency: str, *, actor: Recorder | None) -> None:
    """Stop transfer pledges in ``currency``; pledges made before keep their reference."""
    row = session.get(BankDetails, currency)
    if row is None:
        raise NoBankDetails("no bank details", field="currency", currency=currency)
    session.delete(row)
    record_audit(session, "bank_details.deleted", user=actor, target=f"currency:{currency}")
    session.flush()
