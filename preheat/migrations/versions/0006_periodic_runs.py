"""Periodic work: when each piece is next due.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa

from preheat.models import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "preheat_periodic_run",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("next_run_at", UTCDateTime(), nullable=False),
        sa.Column("last_run_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("name", name="pk_preheat_periodic_run"),
    )


def downgrade() -> None:
    op.drop_table("preheat_periodic_run")
