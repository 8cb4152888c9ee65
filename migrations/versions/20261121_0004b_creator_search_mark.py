"""creator search: number of creators stamped exactly at the sync watermark

Revision ID: 0004b
Revises: 0007
Create Date: 2026-11-21 18:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0004b'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('creator_search_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('at_mark', sa.Integer(), nullable=False, server_default='0'))


def downgrade():
    with op.batch_alter_table('creator_search_state', schema=None) as batch_op:
        batch_op.drop_column('at_mark')
