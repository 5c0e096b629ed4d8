"""Person search indexes: the roster search over every county counts its matches from an index that holds
every column it reads (registered persons: snapshot, name, ID number, phone), with no table access; a
search by full phone number seeks an index on the phone.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None

# cancelled_on, always NULL in the first index, is listed because SQLite counts an index as covering only
# when it holds every column the query names, those of the index's own WHERE included; the id is in every
# SQLite index (the rowid), and PostgreSQL's includes it.
INDEXES = (
    ('ix_person_registered_search', ['snapshot_id', 'name', 'id_number', 'phone', 'cancelled_on'],
     {'sqlite_where': sa.text('cancelled_on IS NULL'), 'postgresql_where': sa.text('cancelled_on IS NULL'),
      'postgresql_include': ['id']}),
    ('ix_person_phone', ['phone'], {}),
)


def upgrade():
    # A plain CREATE INDEX, inside the migration's transaction, not CREATE INDEX CONCURRENTLY on PostgreSQL:
    # it blocks writes to person (reads go on) while it builds, about 2 s at 1,000,000 persons, and person
    # is written only by imports, restores and their flag updates, which wait for it rather than fail.
    # CONCURRENTLY cannot run in a transaction: the upgrade would no longer be all or nothing, and a
    # build that fails half-way leaves an invalid index behind to be dropped by hand.
    for name, columns, options in INDEXES:
        op.create_index(name, 'person', columns, unique=False, **options)
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite' and bind.execute(
            sa.text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first():
        # A database that has statistics gets the new indexes' too: without them SQLite guesses that a
        # snapshot's entries are few, and pages a common name through the search index and a sort
        # (160 ms at 1,000,000 persons) instead of walking ix_person_county_name in order (2 ms).
        for name, *_rest in INDEXES:
            op.execute(f'ANALYZE {name}')


def downgrade():
    for name, *_rest in reversed(INDEXES):
        op.drop_index(name, table_name='person')
