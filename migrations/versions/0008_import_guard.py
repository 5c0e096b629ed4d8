"""Import guard: one current snapshot per county, per-county counts, restorable snapshots.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    # Two imports committed at once could leave two current snapshots of a county: keep the newest.
    op.execute(
        "UPDATE roster_snapshot SET is_current = false WHERE is_current AND id < "
        "(SELECT max(newer.id) FROM roster_snapshot newer "
        " WHERE newer.county_code = roster_snapshot.county_code AND newer.is_current)"
    )
    op.create_index('uq_roster_snapshot_one_current', 'roster_snapshot', ['county_code'], unique=True,
                    sqlite_where=sa.text('is_current'), postgresql_where=sa.text('is_current'))
    # Plain ADD COLUMN (no batch copy): both tables are referenced by others.
    if op.get_bind().dialect.name == 'sqlite':  # Alembic cannot add a foreign key there; SQLite can
        op.execute("ALTER TABLE roster_snapshot ADD COLUMN restored_from_id INTEGER CONSTRAINT "
                   "fk_roster_snapshot_restored_from_id_roster_snapshot REFERENCES roster_snapshot (id)")
    else:
        op.add_column('roster_snapshot', sa.Column('restored_from_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_roster_snapshot_restored_from_id_roster_snapshot'), 'roster_snapshot',
                              'roster_snapshot', ['restored_from_id'], ['id'])
    op.add_column('import_batch', sa.Column('county_counts', sa.JSON(), nullable=False, server_default='{}'))
    op.add_column('import_batch', sa.Column('base_snapshots', sa.JSON(), nullable=False, server_default='{}'))
    op.add_column('import_batch', sa.Column('runner', sa.String(length=80), nullable=True))


def downgrade():
    op.drop_column('import_batch', 'runner')
    op.drop_column('import_batch', 'base_snapshots')
    op.drop_column('import_batch', 'county_counts')
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(op.f('fk_roster_snapshot_restored_from_id_roster_snapshot'), 'roster_snapshot',
                           type_='foreignkey')
    op.drop_column('roster_snapshot', 'restored_from_id')
    op.drop_index('uq_roster_snapshot_one_current', table_name='roster_snapshot')
