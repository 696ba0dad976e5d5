"""CSV downloads, streamed row by row, safe to open in a spreadsheet.

Every download is plain CSV (``,`` between cells, ``.`` in numbers: what scripts and auditors
read; its URL and bytes don't depend on who asks).  With ``?sheet=<locale>`` the same rows come
in that locale's spreadsheet conventions, when they differ: for Russian, ``;`` between cells and
``,`` in decimal numbers, which Excel in a Russian locale splits and reads as numbers."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from decimal import Decimal

from babel import Locale, UnknownLocaleError
from babel.numbers import get_decimal_symbol
from flask import Response, request, stream_with_context

_NUMBER = re.compile(r"-?[0-9]+([.,][0-9]+)?")
_DECIMAL = re.compile(r"-?[0-9]+\.[0-9]+")
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


def sheet_decimal_comma(locale: str | None) -> bool:
    """True when ``locale``'s spreadsheets write decimals with a comma (and so split on ``;``)."""
    if not locale or len(locale) > 20:
        return False
    try:
        return get_decimal_symbol(Locale.parse(locale.replace("-", "_"))) == ","
    except (UnknownLocaleError, ValueError, TypeError):
        return False


def _comma_decimal(value: object) -> object:
    """A decimal number (text like ``-12.50``, or a Decimal) with a decimal comma."""
    if isinstance(value, Decimal):
        value = str(value)
    if isinstance(value, str) and "." in value and _DECIMAL.fullmatch(value):
        return value.replace(".", ",")
    return value


def csv_response(filename: str, header: Iterable[object], rows: Iterable[Iterable[object]]) -> Response:
    """Stream ``rows`` under a translated ``header`` as an attachment called ``filename``
    (in the spreadsheet conventions of ``?sheet=<locale>`` when asked, see above)."""
    local = sheet_decimal_comma(request.args.get("sheet"))
    if local:
        filename = filename.removesuffix(".csv") + f"-{request.args['sheet'][:2].lower()}.csv"

    def generate():
        buffer = io.StringIO()
        # A byte-order mark first: Excel reads a UTF-8 file without one as the local code page
        # and shows Cyrillic as mojibake; LibreOffice and csv readers with utf-8-sig skip it.
        buffer.write("\ufeff")
        writer = csv.writer(buffer, delimiter=";" if local else ",", lineterminator="\r\n")
        writer.writerow([str(h) for h in header])
        count = 0
        for row in rows:
            if local:
                row = [_comma_decimal(value) for value in row]
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
