"""Registries, where the images to preheat live, and projects, their namespaces.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa

from preheat.models import NAME_CHECK_POSTGRESQL, NAME_CHECK_SQLITE, UTCDateTime
from preheat.models.registries import PROJECT_NAME_CHECK_POSTGRESQL, PROJECT_NAME_CHECK_SQLITE
from preheat.natural_sort import KEY_MAX

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

KEY_TYPE = sa.String(KEY_MAX).with_variant(sa.String(KEY_MAX, collation="C"), "postgresql")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    _create_registries(dialect)
    _create_projects(dialect)


def _create_registries(dialect: str) -> None:
    checks = [
        sa.CheckConstraint("type IN ('docker-registry')", name="type"),
        sa.CheckConstraint("length(name) BETWEEN 1 AND 128", name="name_length"),
        sa.CheckConstraint("description IS NULL OR length(description) <= 1000",
                           name="description_length"),
        sa.CheckConstraint("auth_mode IN ('NONE', 'BASIC')", name="auth_mode"),
        sa.CheckConstraint("health_status IN ('unknown', 'healthy', 'unhealthy')",
                           name="health_status"),
    ]
    pattern = {"postgresql": NAME_CHECK_POSTGRESQL, "sqlite": NAME_CHECK_SQLITE}.get(dialect)
    if pattern:
        checks.append(sa.CheckConstraint(pattern, name="name_pattern"))
    op.create_table(
        "preheat_registry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("name_key", KEY_TYPE, nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("url", sa.String(1024), nullable=False),
        sa.Column("public_url", sa.String(1024), nullable=True),
        sa.Column("auth_mode", sa.String(16), nullable=False),
        sa.Column("auth_secret", sa.Text(), nullable=True),
        sa.Column("insecure", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("health_status", sa.String(16), nullable=False),
        sa.Column("health_reason", sa.Text(), nullable=True),
        sa.Column("health_http_status", sa.Integer(), nullable=True),
        sa.Column("health_latency_ms", sa.Integer(), nullable=True),
        sa.Column("health_checked_at", UTCDateTime(), nullable=True),
        sa.Column("health_claimed_until", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_preheat_registry"),
        *checks,
    )
    op.create_index("uq_preheat_registry_name_ci", "preheat_registry",
                    [sa.text("lower(name)")], unique=True)
    op.create_index("uq_preheat_registry_url", "preheat_registry", ["url"], unique=True)
    op.create_index("ix_preheat_registry_name_key", "preheat_registry", ["name_key"])


def _create_projects(dialect: str) -> None:
    checks = [sa.CheckConstraint("length(name) BETWEEN 1 AND 255", name="name_length")]
    pattern = {"postgresql": PROJECT_NAME_CHECK_POSTGRESQL,
               "sqlite": PROJECT_NAME_CHECK_SQLITE}.get(dialect)
    if pattern:
        checks.append(sa.CheckConstraint(pattern, name="name_pattern"))
    op.create_table(
        "preheat_project",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("registry_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("repo_count", sa.Integer(), nullable=True),
        sa.Column("repos_counted_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["registry_id"], ["preheat_registry.id"],
                                name="fk_preheat_project_registry_id_preheat_registry",
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name="pk_preheat_project"),
        *checks,
    )
    op.create_index("uq_preheat_project_name", "preheat_project", ["name"], unique=True)
    op.create_index("ix_preheat_project_registry_id", "preheat_project", ["registry_id"])


def downgrade() -> None:
    op.drop_index("ix_preheat_project_registry_id", table_name="preheat_project")
    op.drop_index("uq_preheat_project_name", table_name="preheat_project")
    op.drop_table("preheat_project")
    op.drop_index("ix_preheat_registry_name_key", table_name="preheat_registry")
    op.drop_index("uq_preheat_registry_url", table_name="preheat_registry")
    op.drop_index("uq_preheat_registry_name_ci", table_name="preheat_registry")
    op.drop_table("preheat_registry")
