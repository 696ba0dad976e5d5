"""Read-only mode (``LEDGER_READ_ONLY=1``): a server on a PostgreSQL streaming replica serves
the public pages and the API's reads, and refuses every write — and the sign-in, which writes —
with a 503 in the reader's language that links staff to the primary (``LEDGER_PRIMARY_URL``).

The database connection is made read-only too (PostgreSQL: ``default_transaction_read_only``;
SQLite: ``query_only``), so a write that slipped past the check fails instead of landing.
"""

from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template, request
from sqlalchemy import event

from ledger.edge.messages import message_for
from ledger.extensions import db

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Pages that write even when read (signing in records the session and the attempt).
WRITING_PAGES = ("/login",)


def init_read_only(app: Flask) -> None:
    if not app.config.get("READ_ONLY"):
        return
    app.before_request_funcs.setdefault(None, []).insert(0, _refuse_writes)  # before the CSRF check
    with app.app_context():
        event.listen(db.engine, "connect", _read_only_connection)


def _read_only_connection(dbapi_connection, _record) -> None:
    if type(dbapi_connection).__module__.startswith("psycopg"):
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True  # a SET inside a transaction would end with it
        dbapi_connection.execute("SET default_transaction_read_only = on")
        dbapi_connection.autocommit = autocommit
    else:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA query_only = ON")
        cursor.close()


def primary_link() -> str | None:
    """The same address on the primary, for staff (a GET), or the primary's home page."""
    primary = (current_app.config.get("PRIMARY_URL") or "").rstrip("/")
    if not primary:
        return None
    return primary + (request.full_path.rstrip("?") if request.method in SAFE_METHODS else "/")


def _refuse_writes():
    if request.method in SAFE_METHODS and not request.path.startswith(WRITING_PAGES):
        return None
    link = primary_link()
    if request.path.startswith("/api/"):
        error = {"code": "read_only", "message": message_for("read_only"), "field": None, "primary": link}
        return jsonify({"error": error}), 503
    return render_template("errors/read_only.html", message=message_for("read_only"), primary=link), 503
