"""Projects a host's image source knows have no registry of Preheat's.

Revision ID: 0011_hosted
Revises: 0010_events
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa

revision = "0011_hosted"
down_revision = "0010_events"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # On SQLite this copies the table (its checks and indexes come along); the
    # foreign keys pointing at it are kept because migrations run with them off.
    with op.batch_alter_table("preheat_project") as batch:
        batch.alter_column("registry_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    connection = op.get_bind()
    if connection.scalar(sa.text("SELECT count(*) FROM preheat_project"
                                 " WHERE registry_id IS NULL")):
        raise RuntimeError("Projects of the host's image source have no registry; delete"
                           " them (and their policies), then downgrade again.")
    with op.batch_alter_table("preheat_project") as batch:
        batch.alter_column("registry_id", existing_type=sa.Integer(), nullable=False)
