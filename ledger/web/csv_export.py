"""CSV downloads, streamed row by row, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

from flask import Response, stream_with_context

_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


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
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow([str(h) for h in header])
        # A byte-order mark first: Excel reads a UTF-8 file without one as the local code page
        # and shows Cyrillic as mojibake; LibreOffice and csv readers with utf-8-sig skip it.
        yield "\ufeff" + buffer.getvalue()
        for row in rows:
            buffer.seek(0)
            buffer.truncate()
            writer.writerow([_cell(value) for value in row])
            yield buffer.getvalue()

    return Response(
        stream_with_context(generate()),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
