"""The standalone app's instance folder and SQLite files: readable by their owner only.

They hold the password hashes of the shell's users (and, beside them, the
key files), so nobody else on the host may read them.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine

# SQLite gives its journal, WAL and shared-memory files the database file's mode.
SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


def private_folder(path: str) -> None:
    """Create `path` for its owner only (0700); an existing folder is left as it is."""
    folder = Path(path)
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder.chmod(0o700)  # whatever the umask made of it


def keep_sqlite_files_private(engine: Engine) -> None:
    """Create the SQLite database file 0600 before SQLite does, and tighten old ones."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:" \
            or database.startswith("file:"):
        return
    path = Path(database)

    @event.listens_for(engine, "do_connect")
    def _private(*_args):
        if not path.exists():
            try:
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            except FileExistsError:  # another process made it first; tightened below
                pass
        for suffix in SQLITE_COMPANIONS:
            _tighten(Path(f"{path}{suffix}"))


def _tighten(path: Path) -> None:
    """Take group and other permissions away from a file we own, if it has any."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return
    if info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) & 0o077:
        path.chmod(stat.S_IMODE(info.st_mode) & 0o700)
