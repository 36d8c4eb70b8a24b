"""Preheat's Alembic history and the portal's Flask-Migrate history leave each other alone."""
import json

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text

from preheat import migrate as preheat_migrate
from preheat.models import Base, Instance
from tests.helpers import release
from tests.host_portal import create_app
from tests.host_portal.models import Member, db

# Migrations do not depend on CSRF: one portal flavour is enough.
pytestmark = pytest.mark.parametrize("host_csrf", [True])

PORTAL_TABLES = {"alembic_version", "members", "project_maintainers", "released_images",
                 "bulletins"}
PREHEAT_TABLES = {"preheat_alembic_version", *Base.metadata.tables}


def tables(app, prefix: str = "") -> dict:
    """Each table whose name starts with `prefix`, as the database describes it."""
    with app.app_context():
        inspector = inspect(db.engine)
        # As text: reflected types and index clauses compare by identity, their text by value.
        return {name: json.dumps([inspector.get_columns(name), inspector.get_indexes(name),
                                  inspector.get_foreign_keys(name),
                                  inspector.get_unique_constraints(name)],
                                 default=str, sort_keys=True)
                for name in inspector.get_table_names() if name.startswith(prefix)}


def portal_state(app) -> tuple:
    """The portal's tables, its version row and its members."""
    with app.app_context():
        version = db.session.execute(text("SELECT version_num FROM alembic_version")).all()
        members = db.session.execute(select(Member.email, Member.role)).all()
    portal = {name: shape for name, shape in tables(app).items() if name in PORTAL_TABLES}
    return portal, version, members


def test_preheat_migrations_leave_the_portals_tables_and_version_alone(app):
    before = portal_state(app)
    assert set(before[0]) == PORTAL_TABLES and before[1] == [("0003",)]
    preheat_migrate.downgrade(app, "base")
    assert set(tables(app, "preheat_")) == {"preheat_alembic_version"}
    assert portal_state(app) == before
    preheat_migrate.upgrade(app)
    assert set(tables(app, "preheat_")) == PREHEAT_TABLES
    assert portal_state(app) == before


def test_portal_migrations_leave_preheats_tables_and_rows_alone(app, session):
    session.add(Instance(name="df", vendor="dragonfly", endpoint="http://df", auth_mode="NONE"))
    session.commit()
    before = tables(app, "preheat_")
    with app.app_context():
        flask_migrate.downgrade(revision="base")
        assert not (PORTAL_TABLES - {"alembic_version"}) & set(inspect(db.engine).get_table_names())
        flask_migrate.upgrade()
    assert tables(app, "preheat_") == before
    session.expire_all()
    assert session.scalars(select(Instance.name)).all() == ["df"]


def test_neither_history_wants_to_change_the_others_tables(app):
    with app.app_context(), db.engine.connect() as connection:
        portal_view = MigrationContext.configure(connection, opts={
            "include_object": preheat_migrate.exclude_preheat_tables, "compare_type": True})
        assert compare_metadata(portal_view, db.metadata) == []
        unfiltered = MigrationContext.configure(connection, opts={"compare_type": True})
        dropped = {diff[1].name for diff in compare_metadata(unfiltered, db.metadata)
                   if diff[0] == "remove_table"}
    assert dropped == PREHEAT_TABLES, \
        "without the filter the portal's autogenerate would drop Preheat's tables"


@pytest.mark.parametrize("order", [["preheat", "portal"], ["portal", "preheat"]])
def test_flask_cli_runs_both_histories_in_either_order(portal_config, order):
    app = create_app(portal_config)
    commands = {"preheat": ["preheat", "db", "upgrade"], "portal": ["db", "upgrade"]}
    try:
        for name in order:
            result = app.test_cli_runner().invoke(args=commands[name])
            assert result.exit_code == 0, result.output
        assert set(tables(app)) == PORTAL_TABLES | PREHEAT_TABLES
        with app.app_context():
            ours = db.session.execute(text("SELECT version_num FROM preheat_alembic_version"))
            assert ours.scalar() == preheat_migrate.head_revision()
            assert db.session.execute(text("SELECT version_num FROM alembic_version")).all() \
                == [("0003",)]
    finally:
        release(app)
