"""Receipt files: type checked from content, images re-encoded without metadata, stored by SHA-256.

Re-encoding matters: a phone photo's EXIF can hold the GPS position where a
coordinator stood and the camera's serial number.
"""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.access.audit import record_audit
from ledger.books.holds import Approval
from ledger.books.models import JournalEntry
from ledger.spending.models import ApprovalReceipt, Receipt
from ledger.text import TextError, clean_text

Image.MAX_IMAGE_PIXELS = 40_000_000  # larger is a decompression bomb, not a receipt
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
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            image = ImageOps.exif_transpose(image)  # keep the photo upright once EXIF is gone
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


def _checked_pdf(data: bytes) -> bytes:
    if b"%%EOF" not in data[-2048:]:
        raise ReceiptError("receipt_corrupt")
    return data


def attach_receipt(
    session: Session,
    entry: JournalEntry,
    data: bytes,
    *,
    original_name: str | None,
    storage_root: Path,
    max_bytes: int,
    uploaded_by=None,
) -> Receipt:
    """Check, sanitise and store a receipt for ``entry``; the caller commits.

    Raises ReceiptError (receipt_empty, receipt_too_large, receipt_type,
    receipt_corrupt, receipt_duplicate) and then nothing is stored.
    """
    stored, content_type, digest, name = _prepared(data, original_name, max_bytes)
    if session.scalar(select(Receipt.id).where(Receipt.entry_id == entry.id, Receipt.sha256 == digest)):
        raise ReceiptError("receipt_duplicate")
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
    _write(storage_root / receipt.storage_name, stored)
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
    stored = _checked_pdf(data) if content_type == "application/pdf" else _sanitised_image(data, content_type)
    digest = hashlib.sha256(stored).hexdigest()
    try:
        name = clean_text(Path(original_name or "").name, max_length=200) or None
    except TextError:
        name = None
    return stored, content_type, digest, name


def _write(path: Path, stored: bytes) -> None:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(path.suffix + f".{os.getpid()}.partial")
        partial.write_bytes(stored)
        partial.replace(path)


def attach_approval_receipt(
    session: Session,
    approval: Approval,
    data: bytes,
    *,
    original_name: str | None,
    storage_root: Path,
    max_bytes: int,
    uploaded_by=None,
) -> ApprovalReceipt:
    """A receipt for an item still waiting for sign-off (same checks as ``attach_receipt``).

    When the item is signed off its receipts become the entry's; a decided item takes none.
    """
    if approval.status != "pending":
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
