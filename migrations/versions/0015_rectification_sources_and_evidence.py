"""Rectification items from any source, and evidence files.

A rectification item so far always came from a spot-check verification record. Register comparisons
and checklist conclusions raise items too: `source` says where an item comes from, `source_ref` which
finding or entry (made once per source and reference), `summary` the problem in words and
`responsible_unit` who must act; the verification, task and person become optional.

`attachment` holds the evidence files attached to items and entries: stored by SHA-256 in the shared
storage folder, with the size and the type found by reading the content.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

OPTIONAL_LINKS = ('verification_id', 'task_id', 'person_id')


def upgrade():
    op.add_column('rectification_item', sa.Column('source', sa.String(length=16), nullable=False,
                                                  server_default='spot_check'))
    op.add_column('rectification_item', sa.Column('source_ref', sa.String(length=64), nullable=True))
    op.add_column('rectification_item', sa.Column('summary', sa.Text(), nullable=True))
    op.add_column('rectification_item', sa.Column('responsible_unit', sa.String(length=128), nullable=True))
    # The links become optional. On SQLite this copies the table; nothing refers to rectification_item,
    # and 0006's downgrade drops the whole table, so the copy breaks no older downgrade.
    with op.batch_alter_table('rectification_item') as batch:
        for column in OPTIONAL_LINKS:
            batch.alter_column(column, existing_type=sa.Integer(), nullable=True)
        batch.create_unique_constraint('uq_rectification_item_source_ref', ['source', 'source_ref'])

    op.create_table(
        'attachment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('owner_type', sa.String(length=32), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=False),
        sa.Column('county_code', sa.String(length=6), nullable=True),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('storage_key', sa.String(length=255), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('removed_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['county_code'], ['county.code'], name=op.f('fk_attachment_county_code_county')),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'],
                                name=op.f('fk_attachment_uploaded_by_id_user_account')),
        sa.ForeignKeyConstraint(['removed_by_id'], ['user_account.id'],
                                name=op.f('fk_attachment_removed_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_attachment')),
    )
    op.create_index('ix_attachment_owner', 'attachment', ['owner_type', 'owner_id'], unique=False)


def downgrade():
    op.drop_index('ix_attachment_owner', table_name='attachment')
    op.drop_table('attachment')
    # Items without a verification record cannot exist before this revision.
    op.execute("DELETE FROM rectification_item WHERE verification_id IS NULL OR task_id IS NULL "
               "OR person_id IS NULL")
    with op.batch_alter_table('rectification_item') as batch:
        batch.drop_constraint('uq_rectification_item_source_ref', type_='unique')
        for column in OPTIONAL_LINKS:
            batch.alter_column(column, existing_type=sa.Integer(), nullable=False)
    op.drop_column('rectification_item', 'responsible_unit')
    op.drop_column('rectification_item', 'summary')
    op.drop_column('rectification_item', 'source_ref')
    op.drop_column('rectification_item', 'source')
