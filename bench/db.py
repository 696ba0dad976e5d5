"""Fresh, migrated databases for the benchmark: SQLite files, or databases created
on the PostgreSQL server that a base URL points at."""

from __future__ import annotations

from pathlib import Path
from typing import cast

from flask import Flask
from sqlalchemy import create_engine, event, make_url, text
from sqlalchemy.orm import Session, scoped_session

from ledger import create_app
from ledger.extensions import db


def end_session() -> None:
    """End the app context's session: ``db.session`` is a ``scoped_session`` at run time,
    typed as the ``Session`` the domain takes (ledger/extensions.py)."""
    cast("scoped_session[Session]", db.session).remove()


def fresh_url(base: str | None, name: str, workdir: Path) -> str:
    """A URL for an empty database called ``name`` (dropped first if it exists)."""
    if base is None or base.startswith("sqlite"):
        path = workdir / f"{name}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "bench_{name}"'))
        connection.execute(text(f'CREATE DATABASE "bench_{name}"'))
    engine.dispose()
    return make_url(base).set(database=f"bench_{name}").render_as_string(hide_password=False)


def migrated_app(url: str, instance: Path, *, sqlite_synchronous: str | None = None) -> Flask:
    """An app on the empty database at ``url``, migrated by the real Alembic revisions.

    ``sqlite_synchronous="NORMAL"`` is a benchmark-only setting: with WAL it skips the
    fsync at every commit (a power cut may lose the last commits, never corrupt the
    file).  The app itself keeps SQLite's default, FULL.
    """
    from flask_migrate import upgrade

    instance.mkdir(parents=True, exist_ok=True)
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url}, instance_path=str(instance))
    with app.app_context():
        upgrade(revision="heads")
        end_session()
        if sqlite_synchronous and url.startswith("sqlite"):
            mode = {"NORMAL": "NORMAL", "FULL": "FULL", "OFF": "OFF"}[sqlite_synchronous]

            @event.listens_for(db.engine, "connect")
            def _synchronous(dbapi_connection, connection_record) -> None:
                dbapi_connection.execute(f"PRAGMA synchronous={mode}")

            db.engine.dispose()
    return app


def dispose(app: Flask) -> None:
    with app.app_context():
        end_session()
        db.engine.dispose()
