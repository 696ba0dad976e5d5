"""URL converters shared by the pages and the API."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

MAX_ROW_ID = 2**63 - 1  # the largest id a 64-bit INTEGER column (SQLite, PostgreSQL BIGINT) holds


class RowIdConverter(IntegerConverter):
    """``<int:…>`` in every route: a whole number from 0 to ``MAX_ROW_ID``.  A larger one is a
    404 like any id that names nothing, not an overflow error from the database driver."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ROW_ID)
        super().__init__(url_map, *args, **kwargs)
