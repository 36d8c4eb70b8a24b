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
        with engine.begin() as connection:
            step(alembic_config(connection), revision)
