"""Migrations build exactly the schema the models describe, and only our tables."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import delete, func, insert, inspect, select
from sqlalchemy.exc import IntegrityError

from app import db
from preheat import migrate
from preheat.executions import runs
from preheat.models import Base, Execution, Policy, Project, utcnow
from preheat.services import policies, projects
from tests.helpers import add_instances, add_projects, add_registries


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


def test_projects_lose_their_required_registry_keeping_policies_and_their_checks(app):
    migrate.downgrade(app, "0010_events")
    add_instances(app, {"vendor": "kraken", "name": "df", "endpoint": "http://127.0.0.1:9"})
    add_projects(app, *add_registries(app, {"name": "hub", "url": "http://127.0.0.1:9"}),
                 "library")
    with app.app_context():
        session = app.extensions["preheat"].db.session
        policy = policies.create(session, projects.get_by_name(session, "library"),
                                 {"name": "warm", "instance_id": 1})
        runs.start(session, policy)
        session.commit()
    migrate.upgrade(app)
    with app.app_context(), db.engine.connect() as connection:
        assert connection.scalar(select(Policy.name).join(Policy.project)
                                 .where(Project.name == "library")) == "warm"
        assert connection.scalar(select(func.count(Execution.id))) == 1
        connection.execute(insert(Project).values(name="portal", created_at=utcnow(),
                                                  updated_at=utcnow()))
        with pytest.raises(IntegrityError):  # the name checks came through the copy
            connection.execute(insert(Project).values(name="Not A Name", created_at=utcnow(),
                                                      updated_at=utcnow()))
        connection.rollback()
        with pytest.raises(IntegrityError):  # and so did the policies' reference to it
            connection.execute(delete(Project).where(Project.name == "library"))


def test_downgrading_refuses_while_a_project_has_no_registry(app):
    with app.app_context():
        session = app.extensions["preheat"].db.session
        session.add(Project(name="portal"))
        session.commit()
    with pytest.raises(RuntimeError, match="no registry"):
        migrate.downgrade(app, "0010_events")
    with app.app_context(), db.engine.connect() as connection:
        assert connection.exec_driver_sql(
            f"SELECT version_num FROM {migrate.VERSION_TABLE}").scalar() == \
            migrate.head_revision()
        assert connection.scalar(select(Project.name)) == "portal"
