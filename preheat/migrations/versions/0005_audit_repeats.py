"""Repeated refusals share one audit entry with a count.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("preheat_audit_log", sa.Column("count", sa.Integer(), nullable=False,
                                                 server_default=sa.text("1")))
    # NULL for every entry that is not a refusal: NULLs never collide in a unique index.
    op.add_column("preheat_audit_log", sa.Column("repeat_key", sa.String(64), nullable=True))
    op.create_index("uq_preheat_audit_log_repeat_key", "preheat_audit_log", ["repeat_key"],
                    unique=True)


def downgrade() -> None:
    op.drop_index("uq_preheat_audit_log_repeat_key", table_name="preheat_audit_log")
    op.drop_column("preheat_audit_log", "repeat_key")
    op.drop_column("preheat_audit_log", "count")
