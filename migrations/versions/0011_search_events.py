"""Search throttle: the roster searches of the last minute, per user, counted in the database.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-09
"""

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'search_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_search_event_user_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_search_event')),
    )
    op.create_index('ix_search_event_user_at', 'search_event', ['user_id', 'at'], unique=False)


def downgrade():
    op.drop_index('ix_search_event_user_at', table_name='search_event')
    op.drop_table('search_event')
