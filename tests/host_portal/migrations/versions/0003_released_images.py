"""released images

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 06:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('released_images',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_name', sa.String(length=255), nullable=False),
    sa.Column('repository', sa.String(length=255), nullable=False),
    sa.Column('tag', sa.String(length=128), nullable=False),
    sa.Column('digest', sa.String(length=100), nullable=False),
    sa.Column('media_type', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('repository', 'tag')
    )
    op.create_index(op.f('ix_released_images_project_name'), 'released_images',
                    ['project_name'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_released_images_project_name'), table_name='released_images')
    op.drop_table('released_images')
