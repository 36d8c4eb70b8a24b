"""Provider instances and the policies that reference them.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa

from preheat.models import NAME_CHECK_POSTGRESQL, NAME_CHECK_SQLITE, UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    name_pattern = {"postgresql": NAME_CHECK_POSTGRESQL, "sqlite": NAME_CHECK_SQLITE}
    checks = [
        sa.CheckConstraint("length(name) BETWEEN 1 AND 128", name="name_length"),
        sa.CheckConstraint("description IS NULL OR length(description) <= 1000",
                           name="description_length"),
        sa.CheckConstraint("auth_mode IN ('NONE', 'BASIC', 'OAUTH')", name="auth_mode"),
        sa.CheckConstraint("health_status IN ('unknown', 'healthy', 'unhealthy')",
                           name="health_status"),
    ]
    if dialect in name_pattern:
        checks.append(sa.CheckConstraint(name_pattern[dialect], name="name_pattern"))
    op.create_table(
        "preheat_instance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("vendor", sa.String(32), nullable=False),
        sa.Column("endpoint", sa.String(1024), nullable=False),
        sa.Column("auth_mode", sa.String(16), nullable=False),
        sa.Column("auth_secret", sa.Text(), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("insecure", sa.Boolean(), nullable=False),
        sa.Column("setup_timestamp", UTCDateTime(), nullable=False),
        sa.Column("health_status", sa.String(16), nullable=False),
        sa.Column("health_reason", sa.Text(), nullable=True),
        sa.Column("health_http_status", sa.Integer(), nullable=True),
        sa.Column("health_latency_ms", sa.Integer(), nullable=True),
        sa.Column("health_checked_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_preheat_instance"),
        *checks,
    )
    op.create_index("uq_preheat_instance_name_ci", "preheat_instance",
                    [sa.text("lower(name)")], unique=True)
    op.create_index("uq_preheat_instance_endpoint", "preheat_instance", ["endpoint"],
                    unique=True)
    op.create_index("uq_preheat_instance_default", "preheat_instance", ["is_default"],
                    unique=True, postgresql_where=sa.text("is_default"),
                    sqlite_where=sa.text("is_default"))
    op.create_table(
        "preheat_policy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["instance_id"], ["preheat_instance.id"],
                                name="fk_preheat_policy_instance_id_preheat_instance",
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name="pk_preheat_policy"),
        sa.CheckConstraint("length(name) BETWEEN 1 AND 128", name="name_length"),
    )
    op.create_index("ix_preheat_policy_instance_id", "preheat_policy", ["instance_id"])


def downgrade() -> None:
    op.drop_index("ix_preheat_policy_instance_id", table_name="preheat_policy")
    op.drop_table("preheat_policy")
    op.drop_index("uq_preheat_instance_default", table_name="preheat_instance")
    op.drop_index("uq_preheat_instance_endpoint", table_name="preheat_instance")
    op.drop_index("uq_preheat_instance_name_ci", table_name="preheat_instance")
    op.drop_table("preheat_instance")
