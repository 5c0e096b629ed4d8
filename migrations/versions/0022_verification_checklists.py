"""The whole verification: each campaign's checklist items, the conclusion per county and item, the
meetings held, and the replaceable DOCX templates of the feedback and the summary report.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def _fk(table, column, target):
    referred = target.split('.')[0]
    return sa.ForeignKeyConstraint([column], [target], name=op.f(f'fk_{table}_{column}_{referred}'))


def upgrade():
    op.create_table('checklist_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=16), nullable=False),
    sa.Column('area', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('text_en', sa.Text(), nullable=False),
    sa.Column('methods', sa.JSON(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    _fk('checklist_item', 'campaign_id', 'campaign.id'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_item')),
    sa.UniqueConstraint('campaign_id', 'key', name=op.f('uq_checklist_item_campaign_id'))
    )
    op.create_index('ix_checklist_item_campaign_id', 'checklist_item', ['campaign_id'], unique=False)
    op.create_table('checklist_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('county_code', sa.String(length=6), nullable=False),
    sa.Column('conclusion', sa.String(length=24), nullable=True),
    sa.Column('findings', sa.Text(), nullable=False),
    sa.Column('ledger_ref', sa.String(length=255), nullable=False),
    sa.Column('responsible_unit', sa.String(length=128), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('checker_id', sa.Integer(), nullable=True),
    sa.Column('checked_on', sa.Date(), nullable=True),
    sa.Column('figures', sa.JSON(), nullable=True),
    sa.Column('signed_off_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('signed_off_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    _fk('checklist_entry', 'campaign_id', 'campaign.id'),
    _fk('checklist_entry', 'item_id', 'checklist_item.id'),
    _fk('checklist_entry', 'county_code', 'county.code'),
    _fk('checklist_entry', 'checker_id', 'user_account.id'),
    _fk('checklist_entry', 'signed_off_by_id', 'user_account.id'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_entry')),
    sa.UniqueConstraint('item_id', 'county_code', name=op.f('uq_checklist_entry_item_id'))
    )
    op.create_index('ix_checklist_entry_campaign_id', 'checklist_entry', ['campaign_id'], unique=False)
    op.create_table('verification_meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('county_code', sa.String(length=6), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('place', sa.String(length=255), nullable=False),
    sa.Column('participants', sa.JSON(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('problems', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    _fk('verification_meeting', 'campaign_id', 'campaign.id'),
    _fk('verification_meeting', 'county_code', 'county.code'),
    _fk('verification_meeting', 'created_by_id', 'user_account.id'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_verification_meeting'))
    )
    op.create_index('ix_verification_meeting_campaign_id', 'verification_meeting', ['campaign_id'], unique=False)
    op.create_table('document_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('storage_key', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    _fk('document_template', 'uploaded_by_id', 'user_account.id'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_template'))
    )
    op.create_index('ix_document_template_kind', 'document_template', ['kind'], unique=False)


def downgrade():
    op.drop_index('ix_document_template_kind', table_name='document_template')
    op.drop_table('document_template')
    op.drop_index('ix_verification_meeting_campaign_id', table_name='verification_meeting')
    op.drop_table('verification_meeting')
    op.drop_index('ix_checklist_entry_campaign_id', table_name='checklist_entry')
    op.drop_table('checklist_entry')
    op.drop_index('ix_checklist_item_campaign_id', table_name='checklist_item')
    op.drop_table('checklist_item')
