"""Statistics and rectification: rectification items

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rectification_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('county_code', sa.String(length=6), nullable=False),
    sa.Column('verification_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('discrepancy_type', sa.String(length=32), nullable=False),
    sa.Column('found', sa.JSON(), nullable=False),
    sa.Column('register', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('rectified_on', sa.Date(), nullable=True),
    sa.Column('rectified_note', sa.Text(), nullable=True),
    sa.Column('rectified_by_id', sa.Integer(), nullable=True),
    sa.Column('rectified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('review_note', sa.Text(), nullable=True),
    sa.Column('reopened_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_rectification_item_campaign_id_campaign')),
    sa.ForeignKeyConstraint(['county_code'], ['county.code'], name=op.f('fk_rectification_item_county_code_county')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_rectification_item_person_id_person')),
    sa.ForeignKeyConstraint(['rectified_by_id'], ['user_account.id'], name=op.f('fk_rectification_item_rectified_by_id_user_account')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['user_account.id'], name=op.f('fk_rectification_item_reviewed_by_id_user_account')),
    sa.ForeignKeyConstraint(['task_id'], ['followup_task.id'], name=op.f('fk_rectification_item_task_id_followup_task')),
    sa.ForeignKeyConstraint(['verification_id'], ['verification_record.id'], name=op.f('fk_rectification_item_verification_id_verification_record')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rectification_item')),
    sa.UniqueConstraint('verification_id', 'discrepancy_type', name=op.f('uq_rectification_item_verification_id'))
    )
    op.create_index('ix_rectification_item_campaign_county', 'rectification_item', ['campaign_id', 'county_code', 'status'], unique=False)


def downgrade():
    op.drop_index('ix_rectification_item_campaign_county', table_name='rectification_item')
    op.drop_table('rectification_item')
