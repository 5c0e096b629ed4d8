"""Audit chain: each audit entry holds the hash of the one before; REPLACE and TRUNCATE refused.

Entries already there are chained in id order. After this revision the database refuses an entry
that does not go after the last one and hold its hash (so SQLite's REPLACE INTO, which deletes
without firing delete triggers, can no longer rewrite an entry), refuses TRUNCATE on PostgreSQL
(row triggers do not see it), and a unique index on prev_hash keeps the chain from forking.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

import hashlib
import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

REFUSAL = "audit_log is append-only: a new entry goes after the last one and holds its hash"

# The chain as this revision writes it, copied here so that the revision does not change when the
# app's code does: the fields hashed, the prev_hash of the first entry, and the hash of an entry.
GENESIS = "0" * 64
FIELDS = ("id", "at", "user_id", "username", "action", "object_type", "object_id", "detail", "remote_addr",
          "prev_hash")


def entry_hash(entry: dict) -> str:
    """Return the SHA-256 (hex) of the entry's fields as JSON (keys sorted, no spaces, non-ASCII as is).

    The time is written as UTC ISO 8601 with microseconds; SQLite gives it back without an offset, and
    what it holds there is UTC.
    """
    fields = {name: entry[name] for name in FIELDS}
    at = fields["at"]
    if isinstance(at, datetime):
        at = at.replace(tzinfo=UTC) if at.tzinfo is None else at
        fields["at"] = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    text = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


AUDIT = sa.table(
    'audit_log', sa.column('id', sa.Integer), sa.column('at', sa.DateTime(timezone=True)),
    sa.column('user_id', sa.Integer), sa.column('username', sa.String), sa.column('action', sa.String),
    sa.column('object_type', sa.String), sa.column('object_id', sa.String), sa.column('detail', sa.JSON),
    sa.column('remote_addr', sa.String), sa.column('prev_hash', sa.String), sa.column('entry_hash', sa.String),
)


def _sqlite() -> bool:
    return op.get_bind().dialect.name == 'sqlite'


def upgrade():
    _refuse_update_and_delete(False)
    op.add_column('audit_log', sa.Column('prev_hash', sa.String(length=64), nullable=True))
    op.add_column('audit_log', sa.Column('entry_hash', sa.String(length=64), nullable=True))
    _chain_existing_entries()
    with op.batch_alter_table('audit_log', schema=None) as batch_op:  # SQLite: copies the table
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('entry_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index('uq_audit_log_prev_hash', ['prev_hash'], unique=True)
    _refuse_update_and_delete(True)
    _append_only_at_the_end()


def _chain_existing_entries(batch: int = 5000):
    """Give every entry already there its prev_hash and entry_hash, in id order."""
    bind = op.get_bind()
    columns = [AUDIT.c[name] for name in FIELDS if name != 'prev_hash']
    last_id, last_hash = None, GENESIS
    while True:
        stmt = sa.select(*columns).order_by(AUDIT.c.id).limit(batch)
        if last_id is not None:
            stmt = stmt.where(AUDIT.c.id > last_id)
        rows = bind.execute(stmt).all()
        updates = []
        for row in rows:
            entry = row._asdict() | {'prev_hash': last_hash}
            last_id, last_hash = row.id, entry_hash(entry)
            updates.append({'row_id': row.id, 'prev': entry['prev_hash'], 'hash': last_hash})
        if updates:
            bind.execute(AUDIT.update().where(AUDIT.c.id == sa.bindparam('row_id'))
                         .values(prev_hash=sa.bindparam('prev'), entry_hash=sa.bindparam('hash')), updates)
        if len(rows) < batch:
            return


def _refuse_update_and_delete(on: bool):
    """Switch the refusal of UPDATE and DELETE (revision 0001) off to chain the old entries, then on."""
    if not _sqlite():
        op.execute(f"ALTER TABLE audit_log {'ENABLE' if on else 'DISABLE'} TRIGGER audit_log_append_only")
        return
    for event in ('UPDATE', 'DELETE'):
        if on:  # the batch copy of the table took its triggers with it
            op.execute(f"""
                CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log
                BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END
            """)
        else:
            op.execute(f"DROP TRIGGER audit_log_no_{event.lower()}")


def _append_only_at_the_end():
    """Refuse an entry that is not after the last one and linked to it; on PostgreSQL refuse TRUNCATE."""
    if _sqlite():
        op.execute(f"""
            CREATE TRIGGER audit_log_append_at_end BEFORE INSERT ON audit_log
            WHEN NEW.id IS NULL OR NEW.id <= coalesce((SELECT max(id) FROM audit_log), 0)
              OR NEW.prev_hash IS NOT coalesce(
                   (SELECT entry_hash FROM audit_log ORDER BY id DESC LIMIT 1), '{GENESIS}')
            BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END
        """)
        return
    op.execute(f"""
        CREATE FUNCTION audit_log_check_append() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            last_id integer;
            last_hash varchar;
        BEGIN
            SELECT id, entry_hash INTO last_id, last_hash FROM audit_log ORDER BY id DESC LIMIT 1;
            IF NEW.id <= coalesce(last_id, 0) OR NEW.prev_hash IS DISTINCT FROM coalesce(last_hash, '{GENESIS}')
            THEN
                RAISE EXCEPTION '{REFUSAL}';
            END IF;
            RETURN NEW;
        END $$
    """)
    op.execute("""
        CREATE TRIGGER audit_log_append_at_end BEFORE INSERT ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_check_append()
    """)
    op.execute("""
        CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()
    """)


def downgrade():
    if _sqlite():
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_at_end")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_at_end ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_check_append()")
    _refuse_update_and_delete(False)
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('uq_audit_log_prev_hash')
        batch_op.drop_column('entry_hash')
        batch_op.drop_column('prev_hash')
    _refuse_update_and_delete(True)
