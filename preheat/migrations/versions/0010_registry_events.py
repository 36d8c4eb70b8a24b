"""Registries' push notifications, and each registry's sealed webhook secret.

Revision ID: 0010_events
Revises: 0009_pace
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa

from preheat.models import UTCDateTime

revision = "0010_events"
down_revision = "0009_pace"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN: a batch copy of the table on SQLite would lose its lower(name) index.
    op.add_column("preheat_registry", sa.Column("webhook_secret", sa.Text(), nullable=True))
    op.add_column("preheat_registry",
                  sa.Column("webhook_secret_hint", sa.String(4), nullable=True))
    op.add_column("preheat_registry", sa.Column("webhook_secret_at", UTCDateTime(), nullable=True))
    op.create_table(
        "preheat_registry_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registry_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(128), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("repository", sa.String(255), nullable=False),
        sa.Column("tag", sa.String(128), nullable=True),
        sa.Column("digest", sa.String(80), nullable=True),
        sa.Column("media_type", sa.String(128), nullable=True),
        sa.Column("actor", sa.String(128), nullable=True),
        sa.Column("occurred_at", UTCDateTime(), nullable=True),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("execution_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["registry_id"], ["preheat_registry.id"],
                                name="fk_preheat_registry_event_registry_id_preheat_registry",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["execution_id"], ["preheat_execution.id"],
                                name="fk_preheat_registry_event_execution_id_preheat_execution",
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_preheat_registry_event"),
        sa.CheckConstraint("status IN ('pending', 'processed', 'ignored')", name="status"),
    )
    op.create_index("uq_preheat_registry_event_registry_id", "preheat_registry_event",
                    ["registry_id", "event_id"], unique=True)
    op.create_index("ix_preheat_registry_event_status_received", "preheat_registry_event",
                    ["status", "received_at"])


def downgrade() -> None:
    op.drop_table("preheat_registry_event")
    # DROP COLUMN as both databases spell it (SQLite since 3.35).
    for name in ("webhook_secret_at", "webhook_secret_hint", "webhook_secret"):
        op.execute(f"ALTER TABLE preheat_registry DROP COLUMN {name}")
