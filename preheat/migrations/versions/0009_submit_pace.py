"""The pace of preheat submissions on each provider instance, shared by all processes.

Revision ID: 0009_pace
Revises: 0008
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa

revision = "0009_pace"
down_revision = "0008"
branch_labels = None
depends_on = None


# Plain ALTER TABLE (SQLite has ADD and DROP COLUMN): a batch copy of the table
# would lose its expression index on lower(name).
def upgrade() -> None:
    op.add_column("preheat_instance", sa.Column("submit_tat", sa.Float(), nullable=True))
    op.add_column("preheat_instance", sa.Column("submit_rate", sa.Float(), nullable=True))


def downgrade() -> None:
    op.drop_column("preheat_instance", "submit_rate")
    op.drop_column("preheat_instance", "submit_tat")
