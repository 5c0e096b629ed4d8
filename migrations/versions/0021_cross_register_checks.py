"""Cross-register checks: imported reference registers, their records, match runs and findings.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'register_import',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(20), nullable=False),
        sa.Column('label', sa.String(64), nullable=True),
        sa.Column('filename', sa.String(255), nullable=False),
        sa.Column('fingerprint', sa.String(64), nullable=False),
        sa.Column('size_bytes', sa.Integer(), nullable=False),
        sa.Column('stored_path', sa.String(500), nullable=True),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('status', sa.String(12), nullable=False),
        sa.Column('rows_total', sa.Integer(), nullable=False),
        sa.Column('rows_valid', sa.Integer(), nullable=False),
        sa.Column('rows_rejected', sa.Integer(), nullable=False),
        sa.Column('problems', sa.JSON(), nullable=False),
        sa.Column('problem_count', sa.Integer(), nullable=False),
        sa.Column('records_kept', sa.Integer(), nullable=True),
        sa.Column('purged_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'],
                                name='fk_register_import_uploaded_by_id_user_account'),
        sa.PrimaryKeyConstraint('id', name='pk_register_import'),
    )
    op.create_table(
        'register_record',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('import_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(20), nullable=False),
        sa.Column('source_row', sa.Integer(), nullable=True),
        sa.Column('id_number', sa.String(18), nullable=False),
        sa.Column('start_on', sa.Date(), nullable=False),
        sa.Column('end_on', sa.Date(), nullable=True),
        sa.Column('organisation', sa.String(128), nullable=True),
        sa.Column('category', sa.String(64), nullable=True),
        sa.Column('flexible', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.ForeignKeyConstraint(['import_id'], ['register_import.id'], ondelete='CASCADE',
                                name='fk_register_record_import_id_register_import'),
        sa.PrimaryKeyConstraint('id', name='pk_register_record'),
    )
    op.create_index('ix_register_record_id_number', 'register_record', ['id_number'])
    op.create_index('ix_register_record_import', 'register_record', ['import_id'])
    op.create_table(
        'register_match',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('by_id', sa.Integer(), nullable=True),
        sa.Column('min_months', sa.Integer(), nullable=False),
        sa.Column('grace_days', sa.Integer(), nullable=False),
        sa.Column('records', sa.Integer(), nullable=False),
        sa.Column('findings', sa.Integer(), nullable=False),
        sa.Column('counts', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['by_id'], ['user_account.id'], name='fk_register_match_by_id_user_account'),
        sa.PrimaryKeyConstraint('id', name='pk_register_match'),
    )
    op.create_table(
        'register_finding',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('county_code', sa.String(6), nullable=False),
        sa.Column('id_number', sa.String(18), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('finding_type', sa.String(32), nullable=False),
        sa.Column('kind', sa.String(20), nullable=False),
        sa.Column('evidence', sa.JSON(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('first_found_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('match_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['county_code'], ['county.code'], name='fk_register_finding_county_code_county'),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'], name='fk_register_finding_person_id_person'),
        sa.ForeignKeyConstraint(['match_id'], ['register_match.id'],
                                name='fk_register_finding_match_id_register_match'),
        sa.PrimaryKeyConstraint('id', name='pk_register_finding'),
        sa.UniqueConstraint('county_code', 'id_number', 'finding_type', name='uq_register_finding_county_code'),
    )
    op.create_index('ix_register_finding_county_active', 'register_finding',
                    ['county_code', 'active', 'finding_type'])
    op.create_index('ix_register_finding_person', 'register_finding', ['person_id'])


def downgrade():
    op.drop_index('ix_register_finding_person', table_name='register_finding')
    op.drop_index('ix_register_finding_county_active', table_name='register_finding')
    op.drop_table('register_finding')
    op.drop_table('register_match')
    op.drop_index('ix_register_record_import', table_name='register_record')
    op.drop_index('ix_register_record_id_number', table_name='register_record')
    op.drop_table('register_record')
    op.drop_table('register_import')
