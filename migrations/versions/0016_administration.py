"""Administration: last login and a forced password change per user, a county's local code, and the
settings an administrator stores (with their history).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('user_account', sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('user_account', sa.Column('must_change_password', sa.Boolean(), nullable=False,
                                            server_default=sa.false()))
    op.add_column('county', sa.Column('local_code', sa.String(length=32), nullable=True))
    op.create_table(
        'stored_setting',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('value', sa.JSON(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_by', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['updated_by'], ['user_account.id'],
                                name=op.f('fk_stored_setting_updated_by_user_account')),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_stored_setting')),
    )
    op.create_table(
        'setting_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('before', sa.JSON(), nullable=True),
        sa.Column('after', sa.JSON(), nullable=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_setting_change_user_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_setting_change')),
    )
    op.create_index('ix_setting_change_key', 'setting_change', ['key', 'id'])


def downgrade():
    op.drop_index('ix_setting_change_key', table_name='setting_change')
    op.drop_table('setting_change')
    op.drop_table('stored_setting')
    # Plain ALTER TABLE … DROP COLUMN (SQLite 3.35+), as 0014 does.
    op.drop_column('county', 'local_code')
    op.drop_column('user_account', 'must_change_password')
    op.drop_column('user_account', 'last_login_at')
