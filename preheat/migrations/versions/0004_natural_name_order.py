"""The natural sort key of instance names (bulk-2 before bulk-10).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa

from preheat.natural_sort import KEY_MAX, natural_key

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

KEY_TYPE = sa.String(KEY_MAX).with_variant(sa.String(KEY_MAX, collation="C"), "postgresql")


def upgrade() -> None:
    # Added NOT NULL with a placeholder default, because SQLite can only make a
    # column NOT NULL by copying the whole table, which would lose the
    # expression index on lower(name). Every row gets its key right below.
    op.add_column("preheat_instance", sa.Column("name_key", KEY_TYPE, nullable=False,
                                                server_default=""))
    # The key is computed in Python, as the application computes it on every save.
    instances = sa.table("preheat_instance", sa.column("id", sa.Integer),
                         sa.column("name", sa.String), sa.column("name_key", sa.String))
    connection = op.get_bind()
    for row in connection.execute(sa.select(instances.c.id, instances.c.name)).all():
        connection.execute(instances.update().where(instances.c.id == row.id)
                           .values(name_key=natural_key(row.name)))
    if connection.dialect.name != "sqlite":
        op.alter_column("preheat_instance", "name_key", existing_type=KEY_TYPE,
                        server_default=None)
    op.create_index("ix_preheat_instance_name_key", "preheat_instance", ["name_key"])


def downgrade() -> None:
    op.drop_index("ix_preheat_instance_name_key", table_name="preheat_instance")
    op.drop_column("preheat_instance", "name_key")
