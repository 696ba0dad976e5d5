"""Uploads are read into memory, never spooled to a temporary file.

Werkzeug writes an upload over 500 KB to a temporary file; a bank statement names donors, and
a deleted file's blocks stay on the disk.  ``MAX_CONTENT_LENGTH`` bounds what one request may
hold in memory.
"""

from __future__ import annotations

import typing as t
from io import BytesIO

from flask import Request


class InMemoryUploadsRequest(Request):
    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> t.IO[bytes]:
        return BytesIO()
