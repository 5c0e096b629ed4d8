"""Person record digest: the import stores a 64-bit digest of each person's compared fields, so that the
next import of the county compares its file with the current roster by reading three columns instead of
every field. Empty for persons written before (the import computes theirs when it needs them).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('person', sa.Column('record_digest', sa.BigInteger(), nullable=True))


def downgrade():
    # Plain ALTER TABLE … DROP COLUMN (SQLite 3.35+), as 0014 does: no batch copy of the person table.
    op.drop_column('person', 'record_digest')
