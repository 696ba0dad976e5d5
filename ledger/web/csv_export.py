"""CSV downloads, streamed row by row, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

from flask import Response, stream_with_context

_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_RISKY = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    # A cell starting with = + - @ is run as a formula by spreadsheets (CSV injection);
    # numbers stay numbers, any other such text gets a leading apostrophe.
    if (
        isinstance(value, str)
        and value[:1] in ("=", "+", "-", "@", "\t", "\r")
        and not _NUMBER.fullmatch(value)
    ):
        return "'" + value
    return "" if value is None else value


def csv_response(filename: str, header: Iterable[object], rows: Iterable[Iterable[object]]) -> Response:
    """Stream ``rows`` under a translated ``header`` as an attachment called ``filename``."""

    def generate():
        buffer = io.StringIO()
        # A byte-order mark first: Excel reads a UTF-8 file without one as the local code page
        # and shows Cyrillic as mojibake; LibreOffice and csv readers with utf-8-sig skip it.
        buffer.write("\ufeff")
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow([str(h) for h in header])
        count = 0
        for row in rows:
            # _cell() only for text that starts like a formula: most cells are not.
            writer.writerow(
                [_cell(value) if isinstance(value, str) and value[:1] in _RISKY else value for value in row]
            )
            count += 1
            if count == 500:  # a chunk of rows per write, not one per row
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
                count = 0
        yield buffer.getvalue()

    return Response(
        stream_with_context(generate()),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
