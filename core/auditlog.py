"""The append-only audit log: every reveal of a full ID or phone number and every change.

Entries form a hash chain (core/auditchain.py, docs/security.md): each holds the SHA-256 of the entry
before it, so that a changed, removed, moved or slipped-in entry shows when the log is checked.
Here are the table, the hook that links new entries into the chain, the writer and the checker.
"""

import json
from datetime import datetime

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import JSON, ForeignKey, Index, String, event, inspect, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.auditchain import FIELDS, GENESIS, ChainReport, entry_hash, verify_chain
from core.extensions import db
from core.orm import Base, utcnow

# pg_advisory_xact_lock key of the chain's tail: "AUDT" in ASCII (the scheduler's lock is "SPOT").
CHAIN_LOCK_KEY = 0x41554454


class AuditLog(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_object", "object_type", "object_id"),
        # Two entries can never follow the same one: the chain cannot fork, whatever the writers do.
        Index("uq_audit_log_prev_hash", "prev_hash", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    username: Mapped[str] = mapped_column(String(64), default="")  # kept even if the user goes
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32), default="")
    object_id: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    remote_addr: Mapped[str] = mapped_column(String(64), default="")
    prev_hash: Mapped[str] = mapped_column(String(64))  # entry_hash of the entry before; GENESIS first
    entry_hash: Mapped[str] = mapped_column(String(64))  # SHA-256 of this entry's canonical text

    def chain_fields(self) -> dict:
        """Return the fields the entry's hash covers."""
        return {name: getattr(self, name) for name in FIELDS}

    def link(self, last_id: int, last_hash: str) -> None:
        """Make this entry the one after (last_id, last_hash): fill in defaults, its id and both hashes."""
        self.at = self.at or utcnow()
        self.username, self.action = self.username or "", self.action or ""
        self.object_type = self.object_type or ""
        self.object_id = "" if self.object_id is None else str(self.object_id)
        self.remote_addr = self.remote_addr or ""
        # Hash the detail as the database will give it back (tuples become lists, keys strings).
        self.detail = json.loads(json.dumps(self.detail or {}))
        self.id = last_id + 1
        self.prev_hash = last_hash
        self.entry_hash = entry_hash(self.chain_fields())


class AppendOnlyError(RuntimeError):
    """Someone tried to change or delete an audit entry."""


@event.listens_for(AuditLog, "before_update")
@event.listens_for(AuditLog, "before_delete")
def _refuse_change(mapper, connection, target):
    # The database refuses too (triggers in the migrations); this gives a clearer error first.
    raise AppendOnlyError("the audit log is append-only")


def lock_chain_tail(connection) -> tuple[int, str]:
    """Hold the chain's tail until the transaction ends and return its (id, entry_hash).

    On PostgreSQL the lock is taken in a statement of its own, before the read: at read committed
    each statement sees what was committed when it began, so the read that follows a wait sees the
    entry of the writer that held the lock. (SELECT … FOR UPDATE on the last row would not do: after
    the wait it returns the same row, by then no longer the last.) SQLite has one writer at a time,
    and refuses to write from a snapshot older than the last commit.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(_LOCK, {"key": CHAIN_LOCK_KEY})
    row = connection.execute(_TAIL).first()
    return (row.id, row.entry_hash) if row else (0, GENESIS)


# Built once: an audit entry per request should cost a hash and one indexed read, little else.
_LOCK = text("SELECT pg_advisory_xact_lock(:key)")
_TAIL = select(AuditLog.id, AuditLog.entry_hash).order_by(AuditLog.id.desc()).limit(1)


@event.listens_for(Session, "before_flush")
def _chain_new_entries(session, _flush_context, _instances):
    # Every path that adds an entry (auditlog.record, or AuditLog() by hand) goes through a flush.
    new = [obj for obj in session.new if isinstance(obj, AuditLog)]
    if not new:
        return
    last_id, last_hash = lock_chain_tail(session.connection())
    for entry in sorted(new, key=lambda obj: inspect(obj).insert_order):
        entry.link(last_id, last_hash)
        last_id, last_hash = entry.id, entry.entry_hash


def record(action: str, object_type: str = "", object_id="", user=None, **detail) -> AuditLog:
    """Add an audit entry to the current session; it is committed with the change it describes.

    The entry joins the hash chain when the session flushes (the hook above): from then until the
    commit other writers of audit entries wait, so record a long transaction's entry at its end.
    """
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user
    entry = AuditLog(
        user_id=getattr(user, "id", None),
        username=getattr(user, "username", "") or "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        detail=detail,
        remote_addr=(request.remote_addr or "") if has_request_context() else "cli",
    )
    db.session.add(entry)
    return entry


def verify_log(session, batch: int = 5000) -> ChainReport:
    """Check the whole log, in id order, a batch of entries at a time."""
    columns = [AuditLog.__table__.c[name] for name in (*FIELDS, "entry_hash")]
    return verify_chain(_entries(session, columns, batch))


def _entries(session, columns, batch: int):
    last_id = None
    while True:
        stmt = select(*columns).order_by(AuditLog.id).limit(batch)
        if last_id is not None:
            stmt = stmt.where(AuditLog.id > last_id)
        rows = session.execute(stmt).all()
        for row in rows:
            yield row._asdict()
        if len(rows) < batch:
            return
        last_id = rows[-1].id
