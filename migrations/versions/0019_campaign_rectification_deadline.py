"""Campaign rectification deadline: the date by which the counties must have rectified the campaign's
items (整改期限). An item's due date follows it; an item is overdue once it is still open after it.

Revision ID: 0019
Revises: 0016
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('campaign', sa.Column('rectification_deadline', sa.Date(), nullable=True))


def downgrade():
    # Plain ALTER TABLE … DROP COLUMN (SQLite 3.35+), as 0014 does: no batch copy of the table.
    op.drop_column('campaign', 'rectification_deadline')
