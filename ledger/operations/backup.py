"""Backup and restore of the whole database as one consistent, portable snapshot.

The snapshot is gzip-compressed JSON lines: a header, then one line per row,
table by table in dependency order.  It is read inside a single transaction
(REPEATABLE READ on PostgreSQL, a read transaction on SQLite), so it is
consistent even while coordinators keep recording.  Because it is logical, a
SQLite backup restores into PostgreSQL and back.  A restore goes only into an
empty, migrated database and is verified before it is committed.
"""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Date, DateTime, LargeBinary, MetaData, Table, func, inspect, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from ledger.books.verify import verify_ledger
from ledger.platform.database import Base
from ledger.platform.file_modes import open_private, private_dir, write_private

FORMAT = "solidarity-ledger-backup"
VERSION = 1
# Filled by the migrations themselves; a restore keeps the target's rows.
# (The backup's schema is the target's: the vocabularies, categories and source_types, are
# the same rows.)
SEEDED = {"currencies", "categories", "source_types", "ledger_head", "content_version"}
# Seeded by a migration but edited by admins: the backup's rows replace the seeded ones.
REPLACED = {"parcel_rules", "letter_services", "commissary_limits"}


class BackupError(Exception):
    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


# Held only for the hour of a bank statement's preview (encrypted, and openable only with the
# preview page's token): never copied into a backup that would outlive it.
TRANSIENT = {"statement_previews"}


# A line of a backup, as JSON gives it back: its values are read by the table's columns.
BackupRecord = dict[str, Any]


def _tables(metadata: MetaData = Base.metadata) -> list[Table]:
    return [table for table in metadata.sorted_tables if table.name not in TRANSIENT]


def _encode(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _decode(column: Column[Any], value: Any) -> object:
    if value is None:
        return None
    if isinstance(column.type, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(column.type, Date):
        return date.fromisoformat(value)
    if isinstance(column.type, LargeBinary):
        return base64.b64decode(value)
    return value


def _snapshot_lines(connection: Connection) -> Iterator[bytes]:
    revision = connection.execute(text("SELECT version_num FROM alembic_version ORDER BY 1")).scalars().all()
    header = {"format": FORMAT, "version": VERSION, "alembic": revision, "dialect": connection.dialect.name}
    yield json.dumps(header).encode() + b"\n"
    for table in _tables():
        order = list(table.primary_key.columns) or list(table.columns)
        result = connection.execution_options(yield_per=5000).execute(select(table).order_by(*order))
        for row in result:
            record = {"t": table.name, "r": {key: _encode(value) for key, value in row._mapping.items()}}
            yield json.dumps(record, ensure_ascii=False).encode() + b"\n"


def _file_lines(files_root: Path | None) -> Iterator[bytes]:
    """Stored files (receipts) travel with the rows that point at them."""
    if files_root is None or not files_root.is_dir():
        return
    for file in sorted(p for p in files_root.rglob("*") if p.is_file()):
        record = {
            "f": file.relative_to(files_root).as_posix(),
            "d": base64.b64encode(file.read_bytes()).decode(),
        }
        yield json.dumps(record).encode() + b"\n"


def write_backup(engine: Engine, path: str | Path, files_root: Path | None = None) -> dict[str, int]:
    """Write a consistent snapshot of every table (and the files under ``files_root``)
    to ``path`` as gzip JSON lines."""
    counts: dict[str, int] = {}
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            if connection.dialect.name == "sqlite":
                # Start the read transaction now: every SELECT below sees this snapshot.
                connection.execute(text("SELECT count(*) FROM journal_entries"))
            tmp = Path(f"{path}.partial")
            # Owner-only from its first byte: a backup holds donors' emails.
            with open_private(tmp) as raw, gzip.GzipFile(fileobj=raw, mode="wb") as out:
                for line in _snapshot_lines(connection):
                    out.write(line)
                    if line.startswith(b'{"t": '):
                        name = json.loads(line)["t"]
                        counts[name] = counts.get(name, 0) + 1
                for line in _file_lines(files_root):
                    out.write(line)
                    counts["files"] = counts.get("files", 0) + 1
            tmp.replace(path)
    return counts


def _read(path: str | Path) -> Iterator[BackupRecord]:
    try:
        with gzip.open(path, "rb") as handle:
            for line in handle:
                yield json.loads(line)
    except (OSError, EOFError, json.JSONDecodeError) as error:
        raise BackupError("backup_unreadable", reason=str(error)) from None


def restore_backup(session: Session, path: str | Path, files_root: Path | None = None) -> dict[str, int]:
    """Load a snapshot into this empty, migrated database, verify it, and flush.

    The caller commits; on any error it rolls back and nothing stays (files are
    written only after the rows verified, and never over an existing file).
    """
    lines = _read(path)
    header = next(lines, None)
    if not header or header.get("format") != FORMAT or header.get("version") != VERSION:
        raise BackupError("backup_unreadable", reason="not a solidarity ledger backup")
    connection = session.connection()
    ours = sorted(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())
    if sorted(header.get("alembic") or []) != ours:
        raise BackupError("backup_schema_mismatch", backup=header.get("alembic"), database=ours)
    tables = {table.name: table for table in _tables()}
    table: Table | None
    for table in tables.values():
        if table.name in SEEDED or table.name in REPLACED:
            continue
        if session.scalar(select(func.count()).select_from(table)):
            raise BackupError("restore_target_not_empty", table=table.name)

    counts: dict[str, int] = {}
    batch: list[dict[str, object]] = []
    current: Table | None = None

    def flush_batch() -> None:
        if batch and current is not None:
            connection.execute(current.insert(), batch)
            batch.clear()

    files: list[tuple[str, bytes]] = []
    for record in lines:
        if "f" in record:
            files.append((record["f"], base64.b64decode(record["d"])))
            continue
        table = tables.get(record.get("t", ""))
        if table is None:
            raise BackupError("backup_unreadable", reason=f"unknown table {record.get('t')}")
        if table is not current:
            flush_batch()
            current = table
            if table.name in REPLACED:
                connection.execute(table.delete())
        row = {name: _decode(table.columns[name], value) for name, value in record["r"].items()}
        if table.name in SEEDED and table.name != "ledger_head":
            continue  # the migrations seeded them (the content version only invalidates caches)
        if table.name == "ledger_head":
            connection.execute(
                table.update()
                .where(table.c.id == row["id"])
                .values(entry_count=row["entry_count"], head_hash=row["head_hash"])
            )
            continue
        batch.append(row)
        counts[table.name] = counts.get(table.name, 0) + 1
        if len(batch) >= 2000:
            flush_batch()
    flush_batch()
    if connection.dialect.name == "postgresql":
        _reset_sequences(connection)
    session.expire_all()
    result = verify_ledger(session)
    if not result.ok:
        raise BackupError("restore_failed_verification", problem=str(result.problems[0]))
    if files:
        if files_root is None:
            raise BackupError("backup_unreadable", reason="the backup holds files but no folder was given")
        root = files_root.resolve()
        for relative, content in files:
            target = (root / relative).resolve()
            if root not in target.parents:
                raise BackupError("backup_unreadable", reason=f"unsafe file path {relative}")
            private_dir(target.parent)
            if not target.exists():
                write_private(target, content)
        counts["files"] = len(files)
    return counts


def _reset_sequences(connection: Connection) -> None:
    """Serial columns continue after the restored ids."""
    inspector = inspect(connection)
    for table in _tables():
        if len(table.primary_key.columns) != 1:
            continue
        column = next(iter(table.primary_key.columns))
        sequence = connection.execute(
            text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column.name}
        ).scalar()
        if sequence and inspector.has_table(table.name):
            highest = select(func.coalesce(func.max(column), 0)).scalar_subquery()
            connection.execute(select(func.setval(sequence, highest + 1, False)))
