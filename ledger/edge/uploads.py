"""Receipt and inventory uploads from a request, for the pages and the API alike.

The domain's ``attach_*`` functions check and store the file (``ledger.spending.receipts``);
this reads at most one byte more than the limit (so a larger file is refused without
reading it all) and gives them where to store it and who uploaded it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import current_app
from flask_login import current_user
from werkzeug.datastructures import FileStorage

from ledger.extensions import db


def attach_upload(attach: Callable[..., Any], target: Any, upload: FileStorage) -> Any:
    """``attach(session, target, data, …)`` with the uploaded file, the instance's receipt
    folder and size limit, and the signed-in user."""
    limit = current_app.config["RECEIPT_MAX_BYTES"]
    return attach(
        db.session,
        target,
        upload.read(limit + 1),
        original_name=upload.filename,
        storage_root=Path(current_app.instance_path) / "receipts",
        max_bytes=limit,
        uploaded_by=current_user,
    )
