"""The ID-number index holds the county too: the cross-county flag asks, for each new person, whether
another county registers the same ID number, and the same person in the county's earlier snapshots
is now told apart in the index instead of by reading its row.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-03
"""

from alembic import op

revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade():
    # Plain DROP and CREATE in the migration's transaction (not CONCURRENTLY on PostgreSQL), as 0025
    # explains: about 2 s at 1,000,000 persons, during which imports wait.
    op.drop_index('ix_person_id_number', table_name='person')
    op.create_index('ix_person_id_number', 'person', ['id_number', 'county_code'], unique=False)


def downgrade():
    op.drop_index('ix_person_id_number', table_name='person')
    op.create_index('ix_person_id_number', 'person', ['id_number'], unique=False)
