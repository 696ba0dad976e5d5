"""Files at rest readable by their owner only: the SQLite database (donors' emails), the
instance folder's secrets and signing keys, stored receipts, and backups.

Everything the app creates is created owner-only (files 0600, folders 0700) whatever the
umask; ``ledger verify`` warns about anything there that others can read or write.
"""

from __future__ import annotations

import os
import stat
from io import BufferedWriter
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def private_dir(path: str | Path) -> Path:
    """Create ``path`` (and missing parents) as owner-only folders; existing ones are left alone."""
    path = Path(path)
    missing = []
    for candidate in (path, *path.parents):
        if candidate.exists():
            break
        missing.append(candidate)
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:
            continue
        os.chmod(folder, PRIVATE_DIR)  # mkdir's mode is masked by the umask
    return path


def open_private(path: str | Path, flags: int = os.O_WRONLY | os.O_CREAT | os.O_TRUNC) -> BufferedWriter:
    """A binary file opened for writing, created 0600 (an existing file becomes 0600 too)."""
    fd = os.open(path, flags, PRIVATE_FILE)
    os.fchmod(fd, PRIVATE_FILE)
    return os.fdopen(fd, "wb")


def write_private(path: str | Path, data: bytes) -> None:
    with open_private(path) as handle:
        handle.write(data)


def sqlite_path(database_url: str) -> Path | None:
    """The file of a ``sqlite:///…`` URL; None for memory databases and other engines."""
    prefix = "sqlite:///"
    if not database_url.startswith(prefix):
        return None
    name = database_url[len(prefix) :].split("?", 1)[0]
    if name.startswith("file:"):  # a URI filename (``?uri=true``)
        name = name[len("file:") :]
    return Path(name) if name and name != ":memory:" else None


def ensure_private_database(database_url: str) -> None:
    """Create the SQLite file owner-only before SQLite does (SQLite gives its WAL and shared-
    memory files the database file's mode)."""
    path = sqlite_path(database_url)
    if path is None or path.exists() or "?" in database_url:
        return  # URI options (read-only, shared cache…) are SQLite's to honour: create nothing
    private_dir(path.parent)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    except FileExistsError:
        pass


def loose_modes(instance_path: str | Path, database_url: str) -> list[tuple[Path, int]]:
    """Every file or folder that others than the owner may read or write: the instance folder
    and everything in it, and the SQLite database with its WAL files. (path, mode) pairs."""
    candidates: list[Path] = []
    instance = Path(instance_path)
    if instance.exists():
        candidates.append(instance)
        candidates += sorted(instance.rglob("*"))
    database = sqlite_path(database_url)
    if database is not None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            candidate = Path(f"{database}{suffix}")
            if candidate.exists() and candidate not in candidates:
                candidates.append(candidate)
    loose = []
    for path in candidates:
        try:
            info = path.lstat()
        except FileNotFoundError:
            continue
        if stat.S_ISLNK(info.st_mode):
            continue
        if info.st_mode & 0o077:
            loose.append((path, stat.S_IMODE(info.st_mode)))
    return loose
