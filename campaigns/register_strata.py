"""Strata by the cross-register checks: which persons had an active register finding when a draw was made.

A match brings register_finding up to date in place (registers/matching.py: a finding is kept by county,
ID number and type, made inactive when no longer supported), so the findings of a past match cannot be read
back. A draw stratified by register finding therefore stores the "county:ID number" of every person of its
counties with an active finding of any type (table draw_finding_person), and their count, SHA-256 digest and
the match they came from in its frame definition: it re-verifies from that list, whatever later matches do.

The findings are read from models directly: registers/ is a sibling area that campaigns/ does not import.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from campaigns.service import ServiceError
from core.database import bulk_insert
from models import DrawFindingPerson, RegisterFinding, RegisterMatch
from sampling.errors import Finding


def latest_match(session) -> RegisterMatch | None:
    """Return the latest finished register match, or None when none has ever run."""
    return session.scalar(select(RegisterMatch).where(RegisterMatch.finished_at.is_not(None))
                          .order_by(RegisterMatch.id.desc()).limit(1))


def require_match(session) -> RegisterMatch:
    """Return the latest register match, refusing register-finding strata when none has run."""
    match = latest_match(session)
    if match is None:
        raise ServiceError("no_register_match", _(
            "No register match has been run yet, so every person would fall in the stratum without a finding. "
            "Import the reference registers and run the match first (Registers page), or choose other strata."),
            409)
    return match


def finding_persons(session, counties: list[str]) -> list[str]:
    """Return "county:ID number" of every person of the counties with an active finding, sorted."""
    rows = session.execute(select(RegisterFinding.county_code, RegisterFinding.id_number)
                           .where(RegisterFinding.active, RegisterFinding.county_code.in_(counties or ["-"]))
                           .distinct())
    return sorted(f"{county}:{number}" for county, number in rows)


def digest(persons: list[str]) -> str:
    """Return the SHA-256 of the sorted "county:ID number" lines, each ending in a newline."""
    return hashlib.sha256("".join(f"{p}\n" for p in sorted(persons)).encode()).hexdigest()


def fix_findings(session, counties: list[str]) -> tuple[dict, list[str]]:
    """Read the findings a draw is about to use: the frame definition's record of them, and the list."""
    match = require_match(session)
    persons = finding_persons(session, counties)
    record = {"match_id": match.id, "matched_at": match.finished_at.isoformat() if match.finished_at else None,
              "persons": len(persons), "digest": digest(persons)}
    return record, persons


def draw_facts(draw) -> dict | None:
    """Return what a draw's page says of its register-finding strata: the match's time and the factor."""
    record = (draw.frame_definition or {}).get("register_findings")
    if not record:
        return None
    matched_at = record.get("matched_at")
    return {"matched_at": datetime.fromisoformat(matched_at) if matched_at else None,
            "oversample": (draw.design or {}).get("oversample", 1.0)}


def store(session, draw_id: int, persons: list[str]) -> None:
    """Store a draw's finding list, one row per person (COPY on PostgreSQL)."""
    rows = ((draw_id, *person.split(":", 1)) for person in persons)
    bulk_insert(session.connection(), "draw_finding_person", ("draw_id", "county_code", "id_number"), rows)


def stored_persons(session, draw_id: int) -> list[str]:
    """Return the finding list stored with a draw, as sorted "county:ID number"."""
    rows = session.execute(select(DrawFindingPerson.county_code, DrawFindingPerson.id_number)
                           .where(DrawFindingPerson.draw_id == draw_id))
    return sorted(f"{county}:{number}" for county, number in rows)


def check_stored(record: dict | None, persons: list[str]) -> Finding | None:
    """Compare a stored finding list with its record in the frame definition; a Finding when they differ."""
    record = record or {}
    derived = digest(persons)
    if record.get("digest") == derived and record.get("persons") == len(persons):
        return None
    return Finding("finding_list_mismatch", {"recorded": len(persons), "digest": record.get("digest") or "-",
                                             "derived": derived})
