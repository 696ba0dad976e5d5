"""Rendered public pages, remembered per process for anonymous visitors.

A page is stored under its path and query, the reader's language, the latest signed
checkpoint (anonymous readers see the books as of it, not the live head: docs/privacy.md)
and the content version (ledger/reports/content_version.py): a new checkpoint or a changed profile
makes new keys, so a stale page is never served, and a new entry changes nothing a visitor
could notice.  Signed-in readers, pages that touch the
session (a flash message, a new cookie) and anything but a 200 are never stored.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec

from flask import Response, current_app, make_response, request, session
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import Dialect, exc, select

from ledger.checkpoints.models import Checkpoint
from ledger.extensions import db
from ledger.reports.content_version import ContentVersion

P = ParamSpec("P")

MAX_PAGES = 512


class PageCache:
    def __init__(self, size: int = MAX_PAGES) -> None:
        self.size = size
        self.pages: OrderedDict[tuple, tuple[bytes, str]] = OrderedDict()

    def get(self, key: tuple) -> tuple[bytes, str] | None:
        page = self.pages.get(key)
        if page is not None:
            self.pages.move_to_end(key)
        return page

    def put(self, key: tuple, page: tuple[bytes, str]) -> None:
        self.pages[key] = page
        self.pages.move_to_end(key)
        while len(self.pages) > self.size:
            self.pages.popitem(last=False)


def _latest(column):
    return select(column).order_by(Checkpoint.sequence.desc()).limit(1).scalar_subquery()


_VERSIONS = select(
    _latest(Checkpoint.sequence),
    _latest(Checkpoint.signature),
    select(ContentVersion.version).where(ContentVersion.id == 1).scalar_subquery(),
)


_COMPILED: dict[str, str] = {}


def _versions_sql(dialect: Dialect) -> str:
    sql = _COMPILED.get(dialect.name)
    if sql is None:
        sql = _COMPILED[dialect.name] = str(
            _VERSIONS.compile(dialect=dialect, compile_kwargs={"literal_binds": True})
        )
    return sql


def _versions() -> tuple:
    """(latest checkpoint's number and signature, content version).

    One statement, compiled once, on a pooled DB-API connection: through the ORM session
    (its begin, the statement's compilation, the teardown) the check cost four times as much
    as running it, and a cached page served 52 % of the trivial endpoint's requests (#17)."""
    engine = db.engine
    sql = _versions_sql(engine.dialect)
    dbapi_error = engine.dialect.loaded_dbapi.Error
    try:
        sequence, signature, version = _read_versions(engine, sql)
    except dbapi_error as error:  # as SQLAlchemy itself raises it: the app's 503 page handles it
        raise exc.DBAPIError.instance(sql, None, error, dbapi_error, dialect=engine.dialect) from error
    return ((sequence, signature) if sequence is not None else None, version)


def _read_versions(engine, sql: str) -> tuple:
    connection = engine.raw_connection()
    # On PostgreSQL, outside a transaction: no BEGIN, and no ROLLBACK when the connection goes
    # back to the pool (two of the check's three round trips; the pool's ping is the third).
    driver: Any = connection.driver_connection
    outside = engine.dialect.name == "postgresql" and not driver.autocommit
    try:
        if outside:
            driver.autocommit = True
        cursor = connection.cursor()
        cursor.execute(sql)
        row = cursor.fetchone() or (None, None, None)
        cursor.close()
    finally:
        if outside:
            driver.autocommit = False
        connection.close()  # back to the pool
    return tuple(row)


def cached_public_page(view: Callable[P, ResponseReturnValue]) -> Callable[P, ResponseReturnValue]:
    """Serve ``view`` from the cache for anonymous GET requests when nothing changed."""

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> ResponseReturnValue:
        cache: PageCache | None = current_app.extensions.get("page_cache")
        if cache is None or request.method != "GET" or current_user.is_authenticated or "_flashes" in session:
            return view(*args, **kwargs)
        key = (request.full_path, str(get_locale()), *_versions())
        page = cache.get(key)
        if page is not None:
            body, content_type = page
            return Response(body, status=200, content_type=content_type)
        response = make_response(view(*args, **kwargs))
        if response.status_code == 200 and not session.modified and not response.direct_passthrough:
            cache.put(key, (response.get_data(), response.content_type))
        return response

    return wrapper


def init_page_cache(app) -> None:
    if app.config.get("PAGE_CACHE", True):
        app.extensions["page_cache"] = PageCache(app.config.get("PAGE_CACHE_SIZE", MAX_PAGES))
