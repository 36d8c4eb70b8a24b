"""The shell's migrations, and what its own pages say while the database is away."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from flask import Flask
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError

from preheat import outage
from preheat.migrate import upgrade as upgrade_preheat

from .extensions import db

SHELL_MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def upgrade_database(app: Flask) -> None:
    """Bring the shell's tables, then Preheat's, to their latest migration."""
    config = Config()
    config.set_main_option("script_location", str(SHELL_MIGRATIONS))
    with app.app_context(), db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    upgrade_preheat(app)


def database_error(error: DBAPIError):
    """Answer 503 while the database is unreachable (login page and the rest of the shell)."""
    outage.recover(error, db.session)
    return outage.unavailable_page()


def register(app: Flask) -> None:
    app.register_error_handler(DBAPIError, database_error)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_write_ahead_log)


def _sqlite_write_ahead_log(dbapi_connection, _record) -> None:
    # Readers (such as a health check in progress) then never block a writer,
    # and a writer waits for another instead of failing at once. In WAL mode,
    # synchronous=NORMAL (SQLite's advice for it) syncs at checkpoints instead
    # of at every commit: the background checks commit one result each, and a
    # crash can lose only the last results, never corrupt the file.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()
