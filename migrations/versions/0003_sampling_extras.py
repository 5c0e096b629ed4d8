"""Sampling pages: an empty revision, kept as a link in the chain

This revision has always been empty. It was reserved, together with 0004 (follow-up), so that work
on the sampling pages and on the follow-up workflow, done side by side, would add its schema on one
chain instead of two heads. The sampling pages then needed nothing beyond the campaign, draw and
sample unit tables that 0002 had already created, so nothing was ever put here; 0004 was filled.

Do not delete it: a database left at 0003 holds it in alembic_version, 0004 names it as the revision
it follows, and without it Alembic could not resolve the chain (`alembic upgrade` and `downgrade` would
fail). bench/bench_draw_full.py also migrates to 0003 as the sampling schema.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
