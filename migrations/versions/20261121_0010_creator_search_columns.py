"""creator search on column arrays: drop the row partitions and the count cube

Searches are answered from NumPy arrays of creator_facts (services/creator_columns.py);
creator_search_rows and creator_cube were only read by the SQL search and cost most of the
side-table build after an import. The word-partition entries of the category dictionary go too.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-21 20:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_table('creator_cube')
    op.drop_table('creator_search_rows')
    # word partitions were dictionary entries starting with the unit separator
    op.execute("DELETE FROM creator_category_bits WHERE bit IS NULL AND category LIKE '" + "\x1f" + "%'")
    op.create_index('ix_creator_facts_language', 'creator_facts', ['language', 'organisation_id'], unique=False)


def downgrade():
    op.drop_index('ix_creator_facts_language', table_name='creator_facts')
    op.create_table('creator_search_rows',
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('region', sa.String(length=2), nullable=False),
        sa.Column('cat', sa.String(length=80), nullable=False),
        sa.Column('followers', sa.BigInteger(), nullable=False),
        sa.Column('creator_id', sa.Integer(), nullable=False),
        sa.Column('engagement_bp', sa.Integer(), nullable=True),
        sa.Column('gmv_cents', sa.BigInteger(), nullable=False),
        sa.Column('gpm_cents', sa.BigInteger(), nullable=True),
        sa.Column('tier', sa.String(length=12), nullable=False),
        sa.Column('female_bp', sa.Integer(), nullable=True),
        sa.Column('age_bp', sa.Integer(), nullable=True),
        sa.Column('us_bp', sa.Integer(), nullable=True),
        sa.Column('fake_risk', sa.Integer(), nullable=False),
        sa.Column('has_email', sa.Boolean(), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=True),
        sa.Column('cat_mask', sa.BigInteger(), nullable=False),
        sa.Column('fb', sa.SmallInteger(), nullable=False),
        sa.Column('eb', sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(['creator_id'], ['creators.id'], name=op.f('fk_creator_search_rows_creator_id_creators'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_creator_search_rows_organisation_id_organisations'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('organisation_id', 'region', 'cat', 'followers', 'creator_id', name=op.f('pk_creator_search_rows')),
        sqlite_with_rowid=False,
    )
    op.create_table('creator_cube',
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('region', sa.String(length=2), nullable=False),
        sa.Column('cat', sa.String(length=80), nullable=False),
        sa.Column('cat2', sa.String(length=80), nullable=False),
        sa.Column('tier', sa.String(length=12), nullable=False),
        sa.Column('fb', sa.SmallInteger(), nullable=False),
        sa.Column('eb', sa.SmallInteger(), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_creator_cube_organisation_id_organisations'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('organisation_id', 'region', 'cat', 'cat2', 'tier', 'fb', 'eb', name=op.f('pk_creator_cube')),
        sqlite_with_rowid=False,
    )
    # the dropped tables' contents are derived: the next search rebuilds them
    op.execute("DELETE FROM creator_search_state")
