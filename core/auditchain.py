"""The audit log's hash chain: each entry's canonical text and hash, and the check of a whole log.

Plain functions on plain values (no Flask, no database), so that an auditor can read them beside
docs/security.md and re-check a log with a few lines of Python of their own.
"""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

GENESIS = "0" * 64  # the prev_hash of the first entry
FIELDS = ("id", "at", "user_id", "username", "action", "object_type", "object_id", "detail", "remote_addr",
          "prev_hash")


def utc_text(at: datetime) -> str:
    """Write a time as UTC ISO 8601 with microseconds, e.g. 2026-05-01T01:30:00.000000Z."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_text(entry: dict) -> str:
    """Return the entry's canonical text: its fields as JSON, keys sorted, no spaces, non-ASCII as is."""
    fields = {name: entry[name] for name in FIELDS}
    fields["at"] = utc_text(fields["at"]) if isinstance(fields["at"], datetime) else fields["at"]
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def entry_hash(entry: dict) -> str:
    """Return the SHA-256 (hex) of the entry's canonical text in UTF-8."""
    return hashlib.sha256(canonical_text(entry).encode("utf-8")).hexdigest()


@dataclass
class ChainReport:
    """What checking a log found: intact, or the first broken entry and why."""

    entries: int = 0
    last_hash: str = GENESIS
    first_broken: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.first_broken is None

    def as_dict(self) -> dict:
        """Return the report as `flask audit verify --json` prints it."""
        if self.ok:
            return {"ok": True, "entries": self.entries, "last_hash": self.last_hash}
        return {"ok": False, "first_broken": self.first_broken, "reason": self.reason,
                "message": REASONS[self.reason], "entries_checked": self.entries}


REASONS = {
    "changed": "its fields no longer give its stored hash: it was changed, or moved to another id",
    "unlinked": "it does not follow the entry before it: an entry before it was removed or moved",
    "inserted": "it was put between two entries that follow each other",
}


def verify_chain(entries: Iterable[dict]) -> ChainReport:
    """Check entries given in id order: each hashes to its entry_hash and follows the one before it."""
    report = ChainReport()
    before_previous = previous = None  # (id, entry_hash) of the last two entries checked
    for entry in entries:
        if entry_hash(entry) != entry["entry_hash"]:
            return _broken(report, entry["id"], "changed")
        expected = previous[1] if previous else GENESIS
        if entry["prev_hash"] != expected:
            # An entry that follows the one two back means the one between them was slipped in.
            if previous and entry["prev_hash"] == (before_previous[1] if before_previous else GENESIS):
                return _broken(report, previous[0], "inserted")
            return _broken(report, entry["id"], "unlinked")
        before_previous, previous = previous, (entry["id"], entry["entry_hash"])
        report.entries += 1
        report.last_hash = entry["entry_hash"]
    return report


def _broken(report: ChainReport, entry_id: int, reason: str) -> ChainReport:
    report.first_broken, report.reason = entry_id, reason
    return report
