"""Users can be deactivated, and every session names its user's session generation.

Revision ID: shell_0003
Revises: shell_0002
Create Date: 2026-12-01
"""
import secrets

from alembic import op
import sqlalchemy as sa

revision = "shell_0003"
down_revision = "shell_0002"
branch_labels = None
depends_on = None

users = sa.table("users", sa.column("id", sa.Integer), sa.column("session_generation", sa.String))


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("is_active", sa.Boolean(), nullable=False,
                                   server_default=sa.true()))
        batch.add_column(sa.Column("session_generation", sa.String(64), nullable=True))
    # A generation of its own for each user: cookies issued before this
    # migration carry none and so end here, which is what we want.
    connection = op.get_bind()
    for (user_id,) in connection.execute(sa.select(users.c.id)).all():
        connection.execute(users.update().where(users.c.id == user_id)
                           .values(session_generation=secrets.token_urlsafe(32)))
    with op.batch_alter_table("users") as batch:
        batch.alter_column("session_generation", existing_type=sa.String(64), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_generation")
        batch.drop_column("is_active")
