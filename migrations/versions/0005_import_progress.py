"""Import batches keep their header row and a heartbeat.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (no batch copy): import_batch is referenced by other tables.
    op.add_column('import_batch', sa.Column('headers', sa.JSON(), nullable=False, server_default='[]'))
    op.add_column('import_batch', sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    op.drop_column('import_batch', 'heartbeat_at')
    op.drop_column('import_batch', 'headers')
