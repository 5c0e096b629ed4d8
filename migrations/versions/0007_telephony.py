"""Telephony: call records of Twilio click-to-call

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'call_record',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('task_id', sa.Integer(), nullable=False),
        sa.Column('caller_id', sa.Integer(), nullable=False),
        sa.Column('attempt_id', sa.Integer(), nullable=True),
        sa.Column('provider', sa.String(length=16), nullable=False),
        sa.Column('call_sid', sa.String(length=64), nullable=True),
        sa.Column('placed', sa.Boolean(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('person_status', sa.String(length=16), nullable=True),
        sa.Column('suggested_disposition', sa.String(length=24), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('duration_seconds', sa.Integer(), nullable=True),
        sa.Column('person_duration_seconds', sa.Integer(), nullable=True),
        sa.Column('recording_sid', sa.String(length=64), nullable=True),
        sa.Column('recording_url', sa.String(length=500), nullable=True),
        sa.Column('error_code', sa.String(length=32), nullable=True),
        sa.Column('error_message', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['attempt_id'], ['attempt.id'], name=op.f('fk_call_record_attempt_id_attempt')),
        sa.ForeignKeyConstraint(['caller_id'], ['user_account.id'], name=op.f('fk_call_record_caller_id_user_account')),
        sa.ForeignKeyConstraint(['task_id'], ['followup_task.id'], name=op.f('fk_call_record_task_id_followup_task')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_call_record')),
        sa.UniqueConstraint('call_sid', name=op.f('uq_call_record_call_sid')),
    )
    op.create_index(op.f('ix_call_record_task_id'), 'call_record', ['task_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_call_record_task_id'), table_name='call_record')
    op.drop_table('call_record')
