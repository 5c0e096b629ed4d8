"""Sessions and login throttle: a session version per user, throttle counters per key.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-09
"""

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('user_account', sa.Column('session_version', sa.Integer(), nullable=False, server_default='1'))
    op.create_table(
        'login_throttle',
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('last_failure_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('blocked_until', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_login_throttle')),
    )


def downgrade():
    op.drop_table('login_throttle')
    with op.batch_alter_table('user_account') as batch_op:
        batch_op.drop_column('session_version')
