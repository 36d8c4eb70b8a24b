"""Running Preheat's own Alembic history inside any Flask application."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from flask import Flask

SCRIPT_LOCATION = Path(__file__).parent / "migrations"
VERSION_TABLE = "preheat_alembic_version"


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Autogenerate must never touch a table that is not ours."""
    table_name = _table_name(obj, name, type_)
    return table_name.startswith("preheat_") and table_name != VERSION_TABLE


def exclude_preheat_tables(obj, name, type_, reflected, compare_to) -> bool:
    """A host's include_object: its autogenerate then never touches our tables.

    Flask-Migrate: `Migrate(app, db, include_object=exclude_preheat_tables)`.
    """
    return not _table_name(obj, name, type_).startswith("preheat_")


def _table_name(obj, name, type_) -> str:
    table_name = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", "")
    return str(table_name or "")


def alembic_config(connection=None) -> Config:
    """An Alembic config for our history, bound to `connection` if given."""
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision of Preheat's history."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def upgrade(app: Flask, revision: str = "head") -> None:
    """Bring Preheat's tables in the app's database up to `revision`."""
    _run(app, command.upgrade, revision)


def downgrade(app: Flask, revision: str) -> None:
    """Take Preheat's tables back to `revision` ("base" removes them)."""
    _run(app, command.downgrade, revision)


def _run(app: Flask, step, revision: str) -> None:
    with app.app_context():
        engine = app.extensions["preheat"].db.engine
        with engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            # A table SQLite alters by copying would otherwise take the rows of the
            # tables referencing it along when its old copy is dropped. The pragma
            # only takes effect outside a transaction.
            _sqlite_foreign_keys(connection, sqlite, "OFF")
            try:
                with connection.begin():
                    step(alembic_config(connection), revision)
                    if sqlite:
                        _check_foreign_keys(connection)
            finally:
                _sqlite_foreign_keys(connection, sqlite, "ON")


def _sqlite_foreign_keys(connection, sqlite: bool, setting: str) -> None:
    if sqlite:
        connection.exec_driver_sql(f"PRAGMA foreign_keys={setting}")
        connection.commit()


def _check_foreign_keys(connection) -> None:
    """Refuse (and so roll back) a SQLite migration that left a reference dangling."""
    dangling = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if dangling:
        tables = sorted({str(row[0]) for row in dangling})
        raise RuntimeError(f"The migration left rows of {', '.join(tables)} referring to"
                           " rows that do not exist; nothing was changed.")
