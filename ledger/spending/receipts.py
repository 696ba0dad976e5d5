"""Receipt files: type checked from content, images re-encoded and PDFs rewritten without
metadata, stored by SHA-256.

Re-encoding matters: a phone photo's EXIF can hold the GPS position where a
coordinator stood and the camera's serial number.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.access.audit import record_audit
from ledger.books.holds import Approval
from ledger.books.kinds import ApprovalStatus
from ledger.books.models import JournalEntry
from ledger.books.posting import Recorder
from ledger.platform.file_modes import private_dir, write_private
from ledger.platform.text import TextError, clean_text
from ledger.spending.models import ApprovalReceipt, Receipt

if TYPE_CHECKING:  # imported where used: pypdf only when a PDF comes in
    from pypdf import PageObject

    from ledger.books.verify import Problem

# Pillow and pypdf are imported when a receipt is stored, not when the app starts (issue #30).
MAX_IMAGE_PIXELS = 40_000_000  # larger is a decompression bomb, not a receipt
_IMAGE_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}


class ReceiptError(ValueError):
    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def sniff_content_type(data: bytes) -> str | None:
    """The file's real type from its first bytes, whatever its name says."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def _sanitised_image(data: bytes, content_type: str) -> bytes:
    from PIL import Image, ImageOps, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        with Image.open(io.BytesIO(data)) as opened:
            opened.load()
            image: Image.Image = ImageOps.exif_transpose(opened)  # keep the photo upright once EXIF is gone
            if content_type == "image/jpeg" and image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            out = io.BytesIO()
            # No exif=, no icc_profile=, no pnginfo=: Pillow writes none of the metadata.
            image.save(
                out, _IMAGE_FORMATS[content_type], **({"quality": 88} if content_type != "image/png" else {})
            )
            return out.getvalue()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ReceiptError("receipt_corrupt") from None


def is_disbursement(session: Session, entry: JournalEntry) -> bool:
    """Receipts prove spending: the entry debits a fund with a spending category and is
    not a reversal (a donation, transfer, conversion or refund has no receipt)."""
    from ledger.books.accounts import FUND_PREFIX
    from ledger.books.kinds import SPENDING_CATEGORIES
    from ledger.books.models import Account, Posting

    if entry.reverses_id is not None:
        return False
    found = session.scalar(
        select(Posting.entry_id)
        .join(Account, Account.id == Posting.account_id)
        .where(
            Posting.entry_id == entry.id,
            Posting.amount_minor > 0,
            Posting.category.in_(SPENDING_CATEGORIES),
            Account.name.startswith(FUND_PREFIX),
        )
        .limit(1)
    )
    return found is not None


# Keys that carry who made a PDF, with what and when, or that run something when it opens.
_PDF_DROPPED_KEYS = ("/Metadata", "/PieceInfo", "/Annots", "/AA", "/LastModified", "/Thumb")


def _drop_traces(page: PageObject) -> None:
    """Remove the dropped keys from a page and everything it refers to (its resources:
    fonts, image XObjects with their own XMP), without climbing to its /Parent."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    seen: set[int] = set()
    todo: list[object] = [page]
    while todo:
        node = todo.pop()
        if isinstance(node, IndirectObject):
            node = node.get_object()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, DictionaryObject):
            for key in _PDF_DROPPED_KEYS:
                node.pop(key, None)
            todo += [value for key, value in node.items() if key != "/Parent"]
        elif isinstance(node, ArrayObject):
            todo += list(node)


def _sanitised_pdf(data: bytes) -> bytes:
    """The pages only, written anew by pypdf: no document information (/Author, /Creator,
    /Producer, dates), no XMP metadata streams anywhere, no annotations (their /T is an
    author's name), no JavaScript, forms, attachments or open actions."""
    from pypdf import PdfReader, PdfWriter

    if b"%%EOF" not in data[-2048:]:
        raise ReceiptError("receipt_corrupt")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ReceiptError("receipt_corrupt")
        if not reader.pages:
            raise ReceiptError("receipt_corrupt")
        writer = PdfWriter()
        for page in reader.pages:
            _drop_traces(page)  # before copying: what is dropped is never written
            writer.add_page(page)
        writer.metadata = None  # no /Info dictionary at all, not even pypdf's /Producer
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()
    except ReceiptError:
        raise
    except Exception:  # pypdf reports a malformed file in many ways; each means "not a receipt"
        raise ReceiptError("receipt_corrupt") from None


def attach_receipt(
    session: Session,
    entry: JournalEntry,
    data: bytes,
    *,
    original_name: str | None,
    storage_root: Path,
    max_bytes: int,
    uploaded_by: Recorder | None = None,
) -> Receipt:
    """Check, sanitise and store a receipt for ``entry``; the caller commits.

    Raises ReceiptError (receipt_empty, receipt_too_large, receipt_type,
    receipt_corrupt, receipt_duplicate, receipt_not_spending) and then nothing is stored.
    """
    if not is_disbursement(session, entry):
        raise ReceiptError("receipt_not_spending")
    if not data:
        raise ReceiptError("receipt_empty")
    if len(data) > max_bytes:
        raise ReceiptError("receipt_too_large", max_mb=max_bytes // (1024 * 1024))
    content_type = sniff_content_type(data)
    if content_type is None:
        raise ReceiptError("receipt_type")
    stored = (
        _sanitised_pdf(data) if content_type == "application/pdf" else _sanitised_image(data, content_type)
    )
    digest = hashlib.sha256(stored).hexdigest()
    if session.scalar(select(Receipt.id).where(Receipt.entry_id == entry.id, Receipt.sha256 == digest)):
        raise ReceiptError("receipt_duplicate")
    try:
        name = clean_text(Path(original_name or "").name, max_length=200) or None
    except TextError:
        name = None
    receipt = Receipt(
        entry_id=entry.id,
        sha256=digest,
        content_type=content_type,
        size_bytes=len(stored),
        original_name=name,
        uploaded_by_id=getattr(uploaded_by, "id", None),
    )
    session.add(receipt)
    session.flush()
    path = storage_root / receipt.storage_name
    if not path.exists():
        private_dir(path.parent)
        partial = path.with_suffix(path.suffix + f".{os.getpid()}.partial")
        write_private(partial, stored)
        partial.replace(path)
    record_audit(
        session,
        "receipt.attached",
        user=uploaded_by,
        target=f"entry:{entry.id}",
        sha256=digest,
        content_type=content_type,
        size=len(stored),
    )
    return receipt


def _prepared(data: bytes, original_name: str | None, max_bytes: int) -> tuple[bytes, str, str, str | None]:
    """The file as it will be stored, its type, its SHA-256 and a clean original name."""
    if not data:
        raise ReceiptError("receipt_empty")
    if len(data) > max_bytes:
        raise ReceiptError("receipt_too_large", max_mb=max_bytes // (1024 * 1024))
    content_type = sniff_content_type(data)
    if content_type is None:
        raise ReceiptError("receipt_type")
    stored = (
        _sanitised_pdf(data) if content_type == "application/pdf" else _sanitised_image(data, content_type)
    )
    digest = hashlib.sha256(stored).hexdigest()
    try:
        name = clean_text(Path(original_name or "").name, max_length=200) or None
    except TextError:
        name = None
    return stored, content_type, digest, name


def _write(path: Path, stored: bytes) -> None:
    if not path.exists():
        private_dir(path.parent)
        partial = path.with_suffix(path.suffix + f".{os.getpid()}.partial")
        write_private(partial, stored)
        partial.replace(path)


def attach_approval_receipt(
    session: Session,
    approval: Approval,
    data: bytes,
    *,
    original_name: str | None,
    storage_root: Path,
    max_bytes: int,
    uploaded_by: Recorder | None = None,
) -> ApprovalReceipt:
    """A receipt for an item still waiting for sign-off (same checks as ``attach_receipt``).

    When the item is signed off its receipts become the entry's; a decided item takes none.
    """
    if approval.status != ApprovalStatus.PENDING:
        raise ReceiptError("approval_not_pending")
    stored, content_type, digest, name = _prepared(data, original_name, max_bytes)
    if session.scalar(
        select(ApprovalReceipt.id).where(
            ApprovalReceipt.approval_id == approval.id, ApprovalReceipt.sha256 == digest
        )
    ):
        raise ReceiptError("receipt_duplicate")
    receipt = ApprovalReceipt(
        approval_id=approval.id,
        sha256=digest,
        content_type=content_type,
        size_bytes=len(stored),
        original_name=name,
        uploaded_by_id=getattr(uploaded_by, "id", None),
    )
    session.add(receipt)
    session.flush()
    _write(storage_root / receipt.storage_name, stored)
    record_audit(
        session,
        "receipt.attached",
        user=uploaded_by,
        target=f"approval:{approval.id}",
        sha256=digest,
        content_type=content_type,
        size=len(stored),
    )
    return receipt


def verify_receipts(session: Session, storage_root: Path) -> list[Problem]:
    """``ledger verify``'s check of the stored files: every receipt's file exists, is as long
    as recorded, hashes to the SHA-256 in its row, and that SHA-256 is the one the audit log
    recorded when it was attached. Returns ``ledger.books.verify.Problem`` items."""
    from ledger.access.models import AuditEvent
    from ledger.books.verify import Problem

    attached: dict[str, set[str]] = {}
    for target, details in session.execute(
        select(AuditEvent.target, AuditEvent.details).where(AuditEvent.action == "receipt.attached")
    ):
        try:
            digest = json.loads(details or "{}").get("sha256")
        except ValueError:
            digest = None
        attached.setdefault(target or "", set()).add(str(digest))
    problems = []
    rows = session.execute(select(Receipt).order_by(Receipt.id).execution_options(yield_per=500)).scalars()
    for receipt in rows:
        where = f"receipt #{receipt.id} ({receipt.storage_name})"
        path = storage_root / receipt.storage_name
        if not path.is_file():
            problems.append(Problem("receipt_missing", f"{where}: the file is missing", receipt.entry_id))
            continue
        digest = hashlib.sha256()
        size = 0
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
                size += len(chunk)
        if digest.hexdigest() != receipt.sha256 or size != receipt.size_bytes:
            problems.append(
                Problem(
                    "receipt_changed",
                    f"{where}: the file's SHA-256 differs from the recorded one",
                    receipt.entry_id,
                )
            )
        recorded = attached.get(f"entry:{receipt.entry_id}")
        if recorded is not None and receipt.sha256 not in recorded:
            problems.append(
                Problem(
                    "receipt_row_changed",
                    f"{where}: the audit log recorded another SHA-256",
                    receipt.entry_id,
                )
            )
    return problems


def receipt_path(storage_root: Path, receipt: Receipt) -> Path:
    return storage_root / receipt.storage_name


def receipts_count_by_entry(session: Session, entry_ids: list[int]) -> dict[int, int]:
    """How many receipts each entry has: public pages only say that one exists."""
    if not entry_ids:
        return {}
    rows = session.execute(
        select(Receipt.entry_id, func.count())
        .where(Receipt.entry_id.in_(entry_ids))
        .group_by(Receipt.entry_id)
    )
    return {entry_id: count for entry_id, count in rows}
