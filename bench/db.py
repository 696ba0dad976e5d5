"""Fresh, migrated databases for the benchmark: SQLite files or a PostgreSQL URL."""
from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import create_engine, text

from ledger import create_app
from ledger.extensions import db


def sqlite_url(directory: Path, name: str) -> str:
    path = directory / f"{name}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def _empty_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


def migrated_app(url: str, instance: Path) -> Flask:
    """An app on a brand-new database at ``url``, migrated by the real Alembic revisions."""
    from flask_migrate import upgrade

    if url.startswith("postgresql"):
        _empty_postgres(url)
    instance.mkdir(parents=True, exist_ok=True)
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url}, instance_path=str(instance))
    with app.app_context():
        upgrade(revision="heads")
        db.session.remove()
    return app
