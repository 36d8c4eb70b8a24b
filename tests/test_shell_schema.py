"""The shell's own migrations build exactly the tables its models describe."""
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import text

from app import db
from shell.database import SHELL_MIGRATIONS
from shell.extensions import ShellBase


def test_shell_migrations_match_the_shell_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "include_object": lambda obj, name, kind, reflected, compare_to:
                kind != "table" or name in ShellBase.metadata.tables,
            "compare_type": True})
        assert compare_metadata(context, ShellBase.metadata) == []


def _shell_migrate(app, direction, revision):
    config = Config()
    config.set_main_option("script_location", str(SHELL_MIGRATIONS))
    with app.app_context(), db.engine.begin() as connection:
        config.attributes["connection"] = connection
        direction(config, revision)


def test_existing_users_get_a_generation_each_and_stay_active(app):
    _shell_migrate(app, command.downgrade, "shell_0002")
    with app.app_context():
        db.session.execute(text("DELETE FROM users"))
        db.session.execute(text("INSERT INTO users (id, username, password_hash, is_sysadmin)"
                                " VALUES (1, 'ann', 'x', true), (2, 'ben', 'x', false)"))
        db.session.commit()
    _shell_migrate(app, command.upgrade, "head")
    with app.app_context():
        rows = db.session.execute(text("SELECT is_active, session_generation FROM users")).all()
    assert [active for active, _ in rows] == [True, True]
    assert len({generation for _, generation in rows}) == 2 and all(g for _, g in rows)
