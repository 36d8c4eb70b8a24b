"""Health check claims, so that several processes never check one instance at once.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa

from preheat.models import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("preheat_instance",
                  sa.Column("health_claimed_until", UTCDateTime(), nullable=True))


def downgrade() -> None:
    op.drop_column("preheat_instance", "health_claimed_until")
