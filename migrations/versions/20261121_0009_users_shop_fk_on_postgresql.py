"""users.current_shop_id foreign key on PostgreSQL

Revision 0001 declared it with use_alter, which Alembic's create_table leaves out on PostgreSQL
(SQLite got it inline). Found by the migrations-vs-models test running on PostgreSQL.

Revision ID: 0009
Revises: 0004b
Create Date: 2026-11-21 20:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0004b'
branch_labels = None
depends_on = None

FK = 'fk_users_current_shop_id_shops'


def _missing() -> bool:
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return False
    return not bind.execute(sa.text("SELECT 1 FROM pg_constraint WHERE conname = :n"), {"n": FK}).first()


def upgrade():
    if _missing():
        # Users pointing at a shop that no longer exists would block the constraint.
        op.execute("UPDATE users SET current_shop_id = NULL WHERE current_shop_id IS NOT NULL "
                   "AND current_shop_id NOT IN (SELECT id FROM shops)")
        op.create_foreign_key(FK, 'users', 'shops', ['current_shop_id'], ['id'], ondelete='SET NULL')


def downgrade():
    pass  # the constraint belongs to revision 0001's schema
