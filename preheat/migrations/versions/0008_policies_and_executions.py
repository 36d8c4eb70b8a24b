"""Policies belong to a project and carry filters and a trigger; executions and tasks.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01

Policies could not be created before this revision (nothing offered it), so
a table that holds some was filled by hand: the upgrade refuses, saying so,
rather than guess which project they belong to.
"""
from alembic import op
import sqlalchemy as sa

from preheat.models import NAME_CHECK_POSTGRESQL, NAME_CHECK_SQLITE, UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

STATUS = "status IN ('Pending', 'Running', 'Success', 'Error', 'Stopped')"
TRIGGER = "trigger IN ('manual', 'scheduled', 'event_based')"


def upgrade() -> None:
    connection = op.get_bind()
    held = connection.execute(sa.text("SELECT count(*) FROM preheat_policy")).scalar()
    if held:
        raise RuntimeError(f"preheat_policy holds {held} row(s) made by hand before policies"
                           " belonged to projects; delete them, then upgrade again.")
    _extend_policies(connection.dialect.name)
    _create_executions()
    _create_tasks()


def _extend_policies(dialect: str) -> None:
    pattern = {"postgresql": NAME_CHECK_POSTGRESQL, "sqlite": NAME_CHECK_SQLITE}.get(dialect)
    with op.batch_alter_table("preheat_policy") as batch:
        batch.add_column(sa.Column("project_id", sa.Integer(), nullable=False))
        for name, column in (("repositories", sa.String(1024)), ("tags", sa.String(1024)),
                             ("trigger", sa.String(16)), ("options", sa.Text())):
            batch.add_column(sa.Column(name, column, nullable=False))
        batch.add_column(sa.Column("schedule", sa.String(128), nullable=True))
        batch.add_column(sa.Column("timezone", sa.String(64), nullable=True))
        batch.add_column(sa.Column("next_run_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("updated_at", UTCDateTime(), nullable=False))
        batch.create_foreign_key("fk_preheat_policy_project_id_preheat_project",
                                 "preheat_project", ["project_id"], ["id"], ondelete="RESTRICT")
        batch.create_check_constraint("trigger", TRIGGER)
        if pattern:
            batch.create_check_constraint("name_pattern", pattern)
    op.create_index("ix_preheat_policy_project_id", "preheat_policy", ["project_id"])
    op.create_index("ix_preheat_policy_next_run_at", "preheat_policy", ["next_run_at"])
    op.create_index("uq_preheat_policy_project_name_ci", "preheat_policy",
                    ["project_id", sa.text("lower(name)")], unique=True)


def _create_executions() -> None:
    op.create_table(
        "preheat_execution",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("status_message", sa.Text(), nullable=True),
        sa.Column("trigger", sa.String(16), nullable=False),
        sa.Column("trigger_detail", sa.Text(), nullable=True),
        sa.Column("retry_of", sa.Integer(), nullable=True),
        sa.Column("stop_requested", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("start_time", UTCDateTime(), nullable=True),
        sa.Column("end_time", UTCDateTime(), nullable=True),
        sa.Column("claimed_until", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["policy_id"], ["preheat_policy.id"],
                                name="fk_preheat_execution_policy_id_preheat_policy",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["retry_of"], ["preheat_execution.id"],
                                name="fk_preheat_execution_retry_of_preheat_execution",
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_preheat_execution"),
        sa.CheckConstraint(STATUS, name="status"),
        sa.CheckConstraint(TRIGGER, name="trigger"),
    )
    op.create_index("ix_preheat_execution_policy_id", "preheat_execution", ["policy_id"])
    op.create_index("ix_preheat_execution_status_claimed", "preheat_execution",
                    ["status", "claimed_until"])


def _create_tasks() -> None:
    op.create_table(
        "preheat_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("execution_id", sa.Integer(), nullable=False),
        sa.Column("repository", sa.String(255), nullable=False),
        sa.Column("tag", sa.String(128), nullable=False),
        sa.Column("digest", sa.String(80), nullable=True),
        sa.Column("media_type", sa.String(128), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("status_message", sa.Text(), nullable=True),
        sa.Column("provider_job_id", sa.String(128), nullable=True),
        sa.Column("run_count", sa.Integer(), nullable=False),
        sa.Column("peers", sa.Text(), nullable=True),
        sa.Column("log", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("start_time", UTCDateTime(), nullable=True),
        sa.Column("end_time", UTCDateTime(), nullable=True),
        sa.Column("due_at", UTCDateTime(), nullable=True),
        sa.Column("poll_interval", sa.Float(), nullable=True),
        sa.Column("claimed_until", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["execution_id"], ["preheat_execution.id"],
                                name="fk_preheat_task_execution_id_preheat_execution",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_preheat_task"),
        sa.CheckConstraint(STATUS, name="status"),
    )
    op.create_index("ix_preheat_task_execution_id", "preheat_task", ["execution_id"])
    op.create_index("ix_preheat_task_status_due", "preheat_task", ["status", "due_at"])


def downgrade() -> None:
    op.drop_table("preheat_task")
    op.drop_table("preheat_execution")
    op.drop_index("uq_preheat_policy_project_name_ci", table_name="preheat_policy")
    op.drop_index("ix_preheat_policy_next_run_at", table_name="preheat_policy")
    op.drop_index("ix_preheat_policy_project_id", table_name="preheat_policy")
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table("preheat_policy") as batch:
        batch.drop_constraint(op.f("ck_preheat_policy_trigger"), type_="check")
        if dialect in ("postgresql", "sqlite"):
            batch.drop_constraint(op.f("ck_preheat_policy_name_pattern"), type_="check")
        batch.drop_constraint(op.f("fk_preheat_policy_project_id_preheat_project"),
                              type_="foreignkey")
        for name in ("project_id", "repositories", "tags", "trigger", "options", "schedule",
                     "timezone", "next_run_at", "updated_at"):
            batch.drop_column(name)
