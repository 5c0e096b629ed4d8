"""Snapshot counts: how many persons a snapshot holds and how many of them are registered (not
cancelled), counted once when it becomes current, so that the home page reads one row per county
instead of counting every person of the province.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('roster_snapshot', sa.Column('person_count', sa.Integer(), nullable=True))
    op.add_column('roster_snapshot', sa.Column('registered_count', sa.Integer(), nullable=True))
    op.execute("""
        UPDATE roster_snapshot SET
            person_count = (SELECT count(*) FROM person WHERE person.snapshot_id = roster_snapshot.id),
            registered_count = (SELECT count(*) FROM person WHERE person.snapshot_id = roster_snapshot.id
                                AND person.cancelled_on IS NULL)
    """)


def downgrade():
    # Plain ALTER TABLE … DROP COLUMN (SQLite 3.35+): a batch copy of the table would rewrite its other
    # columns' foreign keys in a form an older migration's downgrade cannot drop.
    op.drop_column('roster_snapshot', 'registered_count')
    op.drop_column('roster_snapshot', 'person_count')
