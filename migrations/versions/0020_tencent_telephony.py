"""Tencent Cloud telephony: each caller's contact-centre agent id, what a CCC call record says
(ring time, end status), the SMS advance notices and the persons who asked for no more SMS.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('user_account', sa.Column('ccc_user_id', sa.String(length=128), nullable=True))
    op.add_column('call_record', sa.Column('rang_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('call_record', sa.Column('end_status', sa.String(length=32), nullable=True))
    op.create_table(
        'sms_notice',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('task_id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('id_number', sa.String(length=18), nullable=False),
        sa.Column('county_code', sa.String(length=6), nullable=False),
        sa.Column('trigger', sa.String(length=8), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('serial_no', sa.String(length=64), nullable=True),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_by_id', sa.Integer(), nullable=True),
        sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('receipt', sa.String(length=255), nullable=True),
        sa.Column('error_code', sa.String(length=64), nullable=True),
        sa.Column('error_message', sa.Text(), nullable=True),
        sa.Column('reply_text', sa.String(length=500), nullable=True),
        sa.Column('replied_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_sms_notice_campaign_id_campaign')),
        sa.ForeignKeyConstraint(['task_id'], ['followup_task.id'], name=op.f('fk_sms_notice_task_id_followup_task')),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_sms_notice_person_id_person')),
        sa.ForeignKeyConstraint(['county_code'], ['county.code'], name=op.f('fk_sms_notice_county_code_county')),
        sa.ForeignKeyConstraint(['sent_by_id'], ['user_account.id'], name=op.f('fk_sms_notice_sent_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_notice')),
        sa.UniqueConstraint('campaign_id', 'id_number', name=op.f('uq_sms_notice_campaign_id')),
    )
    op.create_index(op.f('ix_sms_notice_campaign_id'), 'sms_notice', ['campaign_id'])
    op.create_index(op.f('ix_sms_notice_task_id'), 'sms_notice', ['task_id'])
    op.create_index(op.f('ix_sms_notice_serial_no'), 'sms_notice', ['serial_no'])
    op.create_table(
        'sms_opt_out',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('id_number', sa.String(length=18), nullable=False),
        sa.Column('notice_id', sa.Integer(), nullable=True),
        sa.Column('reply_text', sa.String(length=500), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['notice_id'], ['sms_notice.id'], name=op.f('fk_sms_opt_out_notice_id_sms_notice')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_opt_out')),
        sa.UniqueConstraint('id_number', name=op.f('uq_sms_opt_out_id_number')),
    )


def downgrade():
    op.drop_table('sms_opt_out')
    op.drop_index(op.f('ix_sms_notice_serial_no'), table_name='sms_notice')
    op.drop_index(op.f('ix_sms_notice_task_id'), table_name='sms_notice')
    op.drop_index(op.f('ix_sms_notice_campaign_id'), table_name='sms_notice')
    op.drop_table('sms_notice')
    op.drop_column('call_record', 'end_status')
    op.drop_column('call_record', 'rang_at')
    op.drop_column('user_account', 'ccc_user_id')
