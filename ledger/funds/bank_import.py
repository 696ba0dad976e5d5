"""Bank statement import: read a CSV of a bank account's statement, match incoming rows to
pledges by their reference code, preview, then record the accepted rows as donations and the
bank's fees (outgoing rows the coordinator marks as fees) as fees charged to a fund, so the
account's balance in the books ends equal to the statement's closing balance.

Columns are found by what the file has: the names the coordinator gave (or the account's
saved ones), else the usual headers of English and Russian bank exports (``HEADER_NAMES``).
A statement without a currency column is in its account's currency; amounts written with a
decimal comma (``1 250,50``) are recognised as such.

Each row's idempotency key is derived from the row's own content (date, amount, currency,
reference, payer) and its occurrence in the file, so importing the same statement twice —
or a later statement that overlaps it — records nothing twice.  Payer names are shown in
the preview to help the coordinator and are never stored.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import hmac
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.access.audit import record_audit
from ledger.books.descriptions import describe
from ledger.books.errors import DuplicateEntry, LedgerError
from ledger.books.models import Account, JournalEntry
from ledger.books.posting import EntryDraft, PostingDraft, Recorder, post_entry
from ledger.funds.donations import DonationDraft, donation_fund, record_donation
from ledger.funds.models import ImportMapping, Pledge
from ledger.funds.pledges import find_reference, pledge_by_reference
from ledger.money import Money, MoneyError, parse_amount, parse_currency
from ledger.platform.database import utcnow

MAX_ROWS = 5000
# Every date format the import reads; an unreadable date's message lists them all (by these
# patterns, named in the reader's language in ledger/edge/messages.py).
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%d.%m.%y")
ENCODINGS = ("utf-8-sig", "cp1251")
# The headers banks commonly give each column (compared in lower case), tried when the named
# column is not in the file.
HEADER_NAMES: dict[str, tuple[str, ...]] = {
    "date": (
        "date",
        "booking date",
        "value date",
        "transaction date",
        "дата",
        "дата операции",
        "дата платежа",
    ),
    "amount": ("amount", "sum", "сумма", "сумма операции", "сумма платежа"),
    "reference": (
        "reference",
        "payment purpose",
        "purpose",
        "description",
        "details",
        "назначение платежа",
        "назначение",
        "описание",
        "комментарий",
    ),
    "currency": ("currency", "валюта"),
    "payer": ("payer", "name", "counterparty", "плательщик", "отправитель", "контрагент"),
}
# Words in an outgoing row's payment purpose that make it the bank's fee (lower case).
FEE_WORDS = ("fee", "charge", "commission", "комиссия", "комиссии", "обслуживание")
# An amount written with a decimal comma: 1 250,50 · -50,00 · 1.250,5
_DECIMAL_COMMA = re.compile(r"^[+-]?[\d\s\u00a0\u202f.]*\d,\d{1,2}$")
_DECIMAL_POINT = re.compile(r"^[+-]?[\d\s\u00a0\u202f,]*\d\.\d{1,2}$")


class StatementError(ValueError):
    """The file as a whole can't be read; ``code`` and ``params`` say why."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class ColumnMapping:
    """Which CSV header holds what.  ``currency`` may be empty when the statement is in one
    currency (``default_currency``)."""

    date: str = "date"
    amount: str = "amount"
    reference: str = "reference"
    currency: str | None = "currency"
    payer: str | None = "payer"
    default_currency: str | None = None
    decimal_comma: bool = False


@dataclass
class StatementRow:
    number: int
    status: str  # matched, unmatched, duplicate, outgoing, error
    # An outgoing row whose purpose reads as the bank's fee (proposed as a fee in the preview).
    fee_suggested: bool = False
    received_on: date | None = None
    money: Money | None = None
    reference_text: str = ""
    payer: str = ""
    pledge: Pledge | None = None
    idempotency_key: str | None = None
    error: tuple[str, dict[str, object]] | None = None
    # The cells as they were written in the file, shown when a row can't be read.
    date_text: str = ""
    amount_text: str = ""
    currency_text: str = ""
    error_field: str | None = None  # date, amount or currency

    @property
    def importable(self) -> bool:
        return self.status in ("matched", "unmatched")

    @property
    def chargeable(self) -> bool:
        """An outgoing row that can be recorded as a bank fee."""
        return self.status == "outgoing" and self.money is not None


@dataclass
class Statement:
    sha256: str
    headers: list[str]
    rows: list[StatementRow] = field(default_factory=list)
    # The columns that read the file (the ones given, or found by their usual headers).
    mapping: ColumnMapping = field(default_factory=ColumnMapping)

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)


@dataclass
class ImportResult:
    posted: list[JournalEntry] = field(default_factory=list)
    fees: list[JournalEntry] = field(default_factory=list)
    duplicates: int = 0
    skipped: int = 0
    failed: list[tuple[int, str, dict[str, object]]] = field(default_factory=list)


def _decode(data: bytes) -> str:
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise StatementError("import_encoding")


def _reader(text: str) -> csv.DictReader[str]:
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return csv.DictReader(io.StringIO(text), dialect=dialect)


def _parse_date(text: str) -> date:
    if not text.strip():
        raise MoneyError("import_no_date", formats=DATE_FORMATS)
    for pattern in DATE_FORMATS:
        try:
            # A statement date is a calendar day, with no time of day or zone.
            return datetime.strptime(text.strip(), pattern).replace(tzinfo=UTC).date()
        except ValueError:
            continue
    raise MoneyError("import_bad_date", value=text.strip(), formats=DATE_FORMATS)


# What an amount the parser refuses is explained with: the value as written, and how to write it.
_AMOUNT_REASONS = {"invalid_amount", "ambiguous_amount", "not_decimal"}


def _amount_text(text: str, decimal_comma: bool) -> str:
    cleaned = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if decimal_comma:
        cleaned = cleaned.replace(".", "").replace(",", ".") if "," in cleaned else cleaned
    else:
        cleaned = cleaned.replace(",", "")
    return cleaned


def _row_content(
    asset: Account, received_on: date, money: Money, reference: str, payer: str, *, outgoing: bool = False
) -> bytes:
    return "|".join(
        [
            asset.name,
            received_on.isoformat(),
            ("-" if outgoing else "") + str(money.amount),
            money.currency,
            reference.strip(),
            payer.strip(),
        ]
    ).encode()


def _row_key(key: bytes, content: bytes, occurrence: int) -> str:
    """The row's idempotency key: an HMAC under the instance's import key, so that whoever
    reads the journal (where the key is stored and hashed) cannot confirm a guessed payer
    name by hashing date, amount, reference and name themselves."""
    return f"import:{hmac.new(key, content, hashlib.sha256).hexdigest()[:40]}:{occurrence}"


def _legacy_row_key(content: bytes, occurrence: int) -> str:
    """The unkeyed form rows imported before the import key had: still recognised, so an
    old statement imported again is seen as a duplicate."""
    return f"import:{hashlib.sha256(content).hexdigest()[:40]}:{occurrence}"


def _find_column(name: str | None, role: str, headers: list[str]) -> str | None:
    """The header that holds ``role``: ``name`` as written, then ``name`` in any case, then
    the usual headers for the role; None when the file has none of them."""
    if name and name in headers:
        return name
    by_lower = {header.lower(): header for header in headers}
    if name and name.lower() in by_lower:
        return by_lower[name.lower()]
    for usual in HEADER_NAMES[role]:
        if usual in by_lower:
            return by_lower[usual]
    return None


def resolve_mapping(
    mapping: ColumnMapping, headers: list[str], rows: list[dict[str, str]], asset: Account | None
) -> ColumnMapping:
    """The columns that read this file.  Date, amount and payment purpose must be found
    (``import_missing_columns`` names the ones that aren't); a currency or payer column the
    file doesn't have is left out, and without a currency column the rows are in the
    statement's currency, or else the account's.  Amounts written with a decimal comma
    (and none with a decimal point) are read as such."""
    found = {
        role: _find_column(getattr(mapping, role), role, headers) for role in ("date", "amount", "reference")
    }
    missing = [getattr(mapping, role) or role for role, header in found.items() if header is None]
    if missing:
        raise StatementError("import_missing_columns", columns=", ".join(missing), found=", ".join(headers))
    currency = _find_column(mapping.currency, "currency", headers) if mapping.currency else None
    payer = _find_column(mapping.payer, "payer", headers) if mapping.payer else None
    default_currency = mapping.default_currency
    if not currency and not default_currency:
        default_currency = asset.currency if asset is not None else None
    if not currency and not default_currency:
        raise StatementError("import_no_currency")
    decimal_comma = mapping.decimal_comma
    if not decimal_comma:
        amounts = [row.get(found["amount"] or "", "").strip() for row in rows]
        decimal_comma = any(_DECIMAL_COMMA.match(text) for text in amounts) and not any(
            _DECIMAL_POINT.match(text) for text in amounts
        )
    return dataclasses.replace(
        mapping,
        date=found["date"] or mapping.date,
        amount=found["amount"] or mapping.amount,
        reference=found["reference"] or mapping.reference,
        currency=currency,
        payer=payer,
        default_currency=default_currency,
        decimal_comma=decimal_comma,
    )


def read_statement(
    session: Session, data: bytes, mapping: ColumnMapping, asset: Account, *, key: bytes
) -> Statement:
    """Parse and match every row; nothing is written.  ``key`` is the instance's import
    key (``IMPORT_KEY``), which the rows' idempotency keys are made with."""
    if not data.strip():
        raise StatementError("import_empty")
    reader = _reader(_decode(data))
    headers = [h.strip() for h in (reader.fieldnames or [])]
    rows = []
    for number, raw in enumerate(reader, start=1):
        if number > MAX_ROWS:
            raise StatementError("import_too_many_rows", max=MAX_ROWS)
        rows.append({(k or "").strip(): (v or "") for k, v in raw.items() if isinstance(v, str)})
    mapping = resolve_mapping(mapping, headers, rows, asset)
    statement = Statement(sha256=hashlib.sha256(data).hexdigest(), headers=headers, mapping=mapping)
    seen: Counter[bytes] = Counter()
    for number, row in enumerate(rows, start=1):
        statement.rows.append(_read_row(session, number, row, mapping, asset, seen, key))
    if not statement.rows:
        raise StatementError("import_empty")
    return statement


def _read_row(
    session: Session,
    number: int,
    row: dict[str, str],
    mapping: ColumnMapping,
    asset: Account,
    seen: Counter[bytes],
    key: bytes,
) -> StatementRow:
    reference = row.get(mapping.reference, "")[:500]
    payer = row.get(mapping.payer, "")[:200] if mapping.payer else ""
    result = StatementRow(
        number=number,
        status="error",
        reference_text=reference,
        payer=payer,
        date_text=row.get(mapping.date, "").strip()[:80],
        amount_text=row.get(mapping.amount, "").strip()[:80],
        currency_text=row.get(mapping.currency, "").strip()[:80] if mapping.currency else "",
    )
    try:
        result.error_field = "date"
        result.received_on = _parse_date(result.date_text)
        result.error_field = "currency"
        if mapping.currency:
            if not result.currency_text:
                raise MoneyError("import_no_currency_value")
            try:
                currency = parse_currency(result.currency_text.upper())
            except MoneyError:
                raise MoneyError("import_bad_currency", value=result.currency_text) from None
        else:
            currency = parse_currency(mapping.default_currency)
        result.error_field = "amount"
        text = _amount_text(result.amount_text, mapping.decimal_comma)
        outgoing = text.startswith("-")
        try:
            result.money = parse_amount(text.lstrip("+-"), currency)
        except MoneyError as error:
            if error.code == "missing_amount":
                raise MoneyError("import_no_amount") from None
            if error.code in _AMOUNT_REASONS:
                code = "import_bad_amount_comma" if mapping.decimal_comma else "import_bad_amount"
                raise MoneyError(code, value=result.amount_text) from None
            raise
    except MoneyError as error:
        result.error = (error.code, dict(error.params))
        return result
    result.error_field = None
    if asset.currency is not None and result.money.currency != asset.currency:
        # A EUR row in the RUB account's statement: shown as an error, never imported.
        result.error_field = "currency"
        result.error = (
            "currency_mismatch",
            {"account": asset.name, "expected": asset.currency, "currency": result.money.currency},
        )
        return result
    content = _row_content(asset, result.received_on, result.money, reference, payer, outgoing=outgoing)
    seen[content] += 1
    result.idempotency_key = _row_key(key, content, seen[content])
    known = (result.idempotency_key, _legacy_row_key(content, seen[content]))
    if session.scalar(select(JournalEntry.id).where(JournalEntry.idempotency_key.in_(known))):
        result.status = "duplicate"
        return result
    if outgoing:
        # Money that left the account: a bank fee when the coordinator says so (proposed for
        # a purpose that reads as one); anything else was recorded as spending and is skipped.
        result.status = "outgoing"
        result.fee_suggested = any(word in reference.lower() for word in FEE_WORDS)
        return result
    pledge = pledge_by_reference(session, find_reference(reference))
    if pledge is not None and pledge.currency == result.money.currency:
        result.pledge = pledge
        result.status = "matched"
    else:
        result.status = "unmatched"
    return result


@dataclass(frozen=True)
class _Fee:
    """An outgoing row the coordinator marked as the bank's fee, and the fund it is charged to."""

    row: StatementRow
    fund: Account
    money: Money
    on: date


def post_statement(
    session: Session,
    statement: Statement,
    asset: Account,
    decisions: dict[int, Account | None],
    *,
    recorded_by: Recorder | None = None,
) -> ImportResult:
    """Record the rows the coordinator accepted.

    ``decisions`` maps a row number to the fund it goes to (None or absent: skip).  A
    matched row goes to its pledge's fund with the pledge linked, unless the coordinator
    chose another fund.  An outgoing row with a fund is the bank's fee, charged to that fund
    (recorded after the gifts, which may be what pays for it).  Each row is recorded at most
    once, ever.
    """
    if asset.kind != "bank" or asset.closed_at is not None:
        raise StatementError("import_bad_asset")
    result = ImportResult()
    fees: list[_Fee] = []
    for row in statement.rows:
        if row.status == "duplicate":
            result.duplicates += 1
            continue
        fund = decisions.get(row.number)
        if row.chargeable and fund is not None and row.money is not None and row.received_on is not None:
            fees.append(_Fee(row, fund, row.money, row.received_on))
            continue
        if not row.importable or fund is None or row.received_on is None or row.money is None:
            result.skipped += 1
            continue
        pledge = (
            row.pledge
            if row.pledge is not None and donation_fund(session, row.pledge.prisoner).id == fund.id
            else None
        )
        prisoner = fund.prisoner
        try:
            with session.begin_nested():
                donation = record_donation(
                    session,
                    DonationDraft(
                        received_on=row.received_on,
                        money=row.money,
                        asset=asset,
                        method="bank",
                        prisoner=prisoner,
                        pledge=pledge,
                        idempotency_key=row.idempotency_key,
                        source_type="import",
                        source_ref=f"statement:{statement.sha256[:16]}:{row.number}",
                    ),
                    recorded_by=recorded_by,
                )
        except DuplicateEntry:
            result.duplicates += 1
        except LedgerError as error:
            params = dict(error.params)
            code = str(params.pop("reason", error.code))
            result.failed.append((row.number, code, params))
        else:
            result.posted.append(donation.entry)
    for fee in fees:
        try:
            with session.begin_nested():
                result.fees.append(_record_fee(session, statement, fee, asset, recorded_by))
        except DuplicateEntry:
            result.duplicates += 1
        except LedgerError as error:
            params = dict(error.params)
            code = str(params.pop("reason", error.code))
            result.failed.append((fee.row.number, code, params))
    record_audit(
        session,
        "import.posted",
        user=recorded_by,
        target=f"statement:{statement.sha256[:16]}",
        asset=asset.name,
        posted=len(result.posted),
        fees=len(result.fees),
        duplicates=result.duplicates,
        skipped=result.skipped,
        failed=len(result.failed),
    )
    return result


def _record_fee(
    session: Session, statement: Statement, fee: _Fee, asset: Account, recorded_by: Recorder | None
) -> JournalEntry:
    """The bank's fee: debit the fund it is charged to, credit the bank account (category
    ``fee``, as a processor's fee on a gift).  The fund must cover it, as any spending."""
    return post_entry(
        session,
        EntryDraft(
            entry_date=fee.on,
            description=describe("bank_fee"),
            postings=[PostingDraft(fee.fund, fee.money, "fee"), PostingDraft(asset, -fee.money, "fee")],
            source_type="import",
            source_ref=f"statement:{statement.sha256[:16]}:{fee.row.number}",
            idempotency_key=fee.row.idempotency_key,
        ),
        recorded_by=recorded_by,
    )


# ---- saved column mappings, per bank account ---------------------------------------------------


def saved_mapping(session: Session, asset: Account) -> ColumnMapping | None:
    """The columns last used to import into ``asset``, or None before its first import."""
    row = session.get(ImportMapping, asset.id)
    if row is None:
        return None
    return ColumnMapping(
        date=row.date_column,
        amount=row.amount_column,
        reference=row.reference_column,
        currency=row.currency_column,
        payer=row.payer_column,
        default_currency=row.default_currency,
        decimal_comma=row.decimal_comma,
    )


def accounts_with_saved_mappings(session: Session) -> set[str]:
    """The names of the accounts that have saved columns."""
    return set(
        session.scalars(select(Account.name).join(ImportMapping, ImportMapping.account_id == Account.id))
    )


def save_mapping(
    session: Session, asset: Account, mapping: ColumnMapping, *, actor: Recorder | None = None
) -> ImportMapping:
    """Keep ``mapping`` as ``asset``'s columns for the next import (replacing the last ones)."""
    if asset.kind != "bank":
        raise StatementError("import_bad_asset")
    row = session.get(ImportMapping, asset.id)
    if row is None:
        row = ImportMapping(account_id=asset.id)
        session.add(row)
    row.date_column = mapping.date
    row.amount_column = mapping.amount
    row.reference_column = mapping.reference
    row.currency_column = mapping.currency
    row.payer_column = mapping.payer
    row.default_currency = mapping.default_currency
    row.decimal_comma = bool(mapping.decimal_comma)
    row.updated_at = utcnow()
    row.updated_by_id = getattr(actor, "id", None)
    session.flush()
    return row
