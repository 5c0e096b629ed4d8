"""One claim per caller: a caller holds at most one case that is not closed.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-09
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

OPEN_CLAIM = "claimed_by_id IS NOT NULL AND status <> 'closed'"


def upgrade():
    # Parallel "next" calls could leave a caller holding several cases: keep the latest claim of each.
    op.execute(
        "UPDATE followup_task SET claimed_by_id = NULL, claimed_at = NULL "
        f"WHERE {OPEN_CLAIM} AND id <> (SELECT newer.id FROM followup_task newer "
        " WHERE newer.claimed_by_id = followup_task.claimed_by_id AND newer.status <> 'closed' "
        " ORDER BY newer.claimed_at DESC, newer.id DESC LIMIT 1)"
    )
    op.create_index('uq_followup_task_one_claim', 'followup_task', ['claimed_by_id'], unique=True,
                    sqlite_where=sa.text(OPEN_CLAIM), postgresql_where=sa.text(OPEN_CLAIM))


def downgrade():
    op.drop_index('uq_followup_task_one_claim', table_name='followup_task')
