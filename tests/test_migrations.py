"""Migrations build exactly the schema the models describe, and only our tables."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from app import db
from preheat import migrate
from preheat.models import Base


def test_migrated_schema_matches_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "include_object": migrate.include_object, "compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_downgrade_removes_only_our_tables(app):
    migrate.downgrade(app, "base")
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
    assert "users" in tables
    assert not {t for t in tables if t.startswith("preheat_")} - {"preheat_alembic_version"}
    migrate.upgrade(app)
