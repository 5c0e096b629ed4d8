"""Draw finding persons: a draw stratified by register finding stores the (county, ID number) of every
person with an active finding when it was made, so that it re-verifies as drawn after later matches have
changed the findings.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'draw_finding_person',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('draw_id', sa.Integer(), nullable=False),
        sa.Column('county_code', sa.String(6), nullable=False),
        sa.Column('id_number', sa.String(18), nullable=False),
        sa.ForeignKeyConstraint(['draw_id'], ['draw.id'], name='fk_draw_finding_person_draw_id_draw'),
        sa.PrimaryKeyConstraint('id', name='pk_draw_finding_person'),
    )
    op.create_index('ix_draw_finding_person_draw_id', 'draw_finding_person', ['draw_id'], unique=False)


def downgrade():
    op.drop_index('ix_draw_finding_person_draw_id', table_name='draw_finding_person')
    op.drop_table('draw_finding_person')
