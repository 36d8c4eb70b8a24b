"""Scratch PostgreSQL databases for the tests and the benchmarks."""
from __future__ import annotations

import sqlite3
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

VERSION_TABLE = "alembic_version"  # the shell's; Preheat's is preheat_alembic_version


@dataclass(frozen=True)
class Migrated:
    """A SQLite file at the app's migrations, and the revisions its version tables hold."""

    template: Path
    versions: dict


def versions(engine) -> dict:
    """{version table: its revisions} of the database behind `engine`."""
    with engine.connect() as connection:
        found = versions_of(connection, inspect(connection).get_table_names())
    engine.dispose()
    return found


def checkpoint(path: Path) -> None:
    """Fold a WAL-mode SQLite file's log into it, so that the file alone can be copied."""
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()


def empty(engine, migrated_versions: dict | None, attempts: int = 5) -> None:
    """No rows in the PostgreSQL database: truncate its tables when it is at the migrations
    `migrated_versions` says, else (or with None) wipe its schema.

    A background thread of an earlier test's app may still be reading as it ends; if
    PostgreSQL picks the truncation as the loser of a deadlock with it, try again.
    """
    for attempt in range(attempts):
        try:
            return _empty(engine, migrated_versions)
        except OperationalError as error:
            if "deadlock detected" not in str(error) or attempt == attempts - 1:
                raise
            time.sleep(0.2)


def _empty(engine, migrated_versions: dict | None) -> None:
    with engine.begin() as connection:
        tables = inspect(connection).get_table_names()
        at_head = versions_of(connection, tables) == migrated_versions
        data = [name for name in tables if not name.endswith(VERSION_TABLE)]
        if at_head and data:
            names = ", ".join(f'"{name}"' for name in data)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))


def versions_of(connection, tables) -> dict:
    """{version table: its revisions} among `tables`."""
    return {name: sorted(connection.execute(text(f'SELECT version_num FROM "{name}"'))
                         .scalars()) for name in tables if name.endswith(VERSION_TABLE)}


@contextmanager
def scratch_postgres(base_url: str, prefix: str):
    """Create a database of our own next to `base_url`'s; yield its URL; drop it after."""
    base = make_url(base_url)
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
