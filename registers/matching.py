"""Match the registered persons of every current roster against the imported reference records.

The join runs in the database on the indexed ID numbers (person.id_number, register_record.id_number)
and streams the pairs in person order; each person's records go through the pure rules
(registers/rules.py) and the findings are brought up to date: kept by (county, ID number, type), new
ones added, the ones no longer supported made inactive. A match of every county then drops the records
that matched no registered person (reference data is only kept where it concerns one). One
transaction, with its audit entry.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, delete, exists, func, insert, select, update

from auth.scope import acting_user
from core import auditlog
from core.clock import now
from core.extensions import db
from models import Person, RegisterFinding, RegisterImport, RegisterMatch, RegisterRecord, RosterSnapshot
from registers.importing import RegisterError, may_import
from registers.rules import Fact, RuleSettings, findings_for

STREAM_ROWS = 20_000
WRITE_CHUNK = 5_000


def rule_settings() -> RuleSettings:
    """Read the rules' settings of the current app."""
    return RuleSettings(min_months=int(current_app.config["REGISTER_MIN_MONTHS"]),
                        grace_days=int(current_app.config["REGISTER_GRACE_DAYS"]))


def _registered_persons(county: str | None):
    """The registered persons of the current snapshots (one county's with `county`)."""
    query = (select(Person.id, Person.county_code, Person.id_number, Person.registered_on)
             .join(RosterSnapshot, and_(RosterSnapshot.id == Person.snapshot_id, RosterSnapshot.is_current))
             .where(Person.cancelled_on.is_(None)))
    return query if county is None else query.where(Person.county_code == county)


def _pairs(session, county: str | None) -> Iterator:
    """Stream (person, record) pairs of equal ID number, in person order."""
    persons = _registered_persons(county).subquery()
    query = (select(persons.c.id, persons.c.county_code, persons.c.id_number, persons.c.registered_on,
                    RegisterRecord.kind, RegisterRecord.start_on, RegisterRecord.end_on,
                    RegisterRecord.organisation, RegisterRecord.category, RegisterRecord.flexible,
                    RegisterRecord.import_id)
             .join(RegisterRecord, RegisterRecord.id_number == persons.c.id_number)
             .order_by(persons.c.id))
    yield from session.connection().execute(query.execution_options(yield_per=STREAM_ROWS))


def compute_findings(session, settings: RuleSettings, county: str | None = None) -> tuple[dict, int]:
    """Return {(county, ID number, type): (person id, kind, evidence)} and the number of pairs read."""
    found: dict[tuple[str, str, str], tuple[int, str, dict]] = {}
    pairs = 0
    person = None
    facts: list[Fact] = []

    def settle() -> None:
        if person is None:
            return
        for finding in findings_for(person[3], facts, settings):
            found[(person[1], person[2], finding.finding_type)] = (person[0], finding.kind, finding.evidence)

    for row in _pairs(session, county):
        pairs += 1
        if person is None or row[0] != person[0]:
            settle()
            person, facts = row[:4], []
        # Fact's fields in order: kind, start, end, organisation, category, flexible, source_id.
        facts.append(Fact(row[4], row[5], row[6], row[7], row[8], bool(row[9]), row[10]))
    settle()
    return found, pairs


def _store(session, found: dict, match_id: int, county: str | None) -> None:
    """Bring register_finding in line with what the match found (plain Core statements: no ORM bookkeeping)."""
    table = RegisterFinding.__table__
    query = select(table.c.id, table.c.county_code, table.c.id_number, table.c.finding_type, table.c.active,
                   table.c.person_id, table.c.kind, table.c.evidence)
    if county is not None:
        query = query.where(table.c.county_code == county)
    connection = session.connection()
    existing = {(r[1], r[2], r[3]): (r[0], r[4], (r[5], r[6], r[7])) for r in connection.execute(query)}
    moment = now()
    updates, inserts = [], []
    for key, (person_id, kind, evidence) in found.items():
        row = {"person_id": person_id, "kind": kind, "evidence": evidence, "active": True, "match_id": match_id}
        if key in existing:
            ident, active, before = existing[key]
            if not active or before != (person_id, kind, evidence):  # unchanged findings are left alone
                updates.append({"finding_id": ident, **row})
        else:
            inserts.append({"county_code": key[0], "id_number": key[1], "finding_type": key[2],
                            "first_found_at": moment, **row})
    gone = [ident for key, (ident, active, _before) in existing.items() if active and key not in found]
    refresh = (update(table).where(table.c.id == bindparam("finding_id"))
               .values(person_id=bindparam("person_id"), kind=bindparam("kind"), evidence=bindparam("evidence"),
                       active=bindparam("active"), match_id=bindparam("match_id")))
    for start in range(0, len(updates), WRITE_CHUNK):
        connection.execute(refresh, updates[start:start + WRITE_CHUNK])
    for start in range(0, len(inserts), WRITE_CHUNK):
        connection.execute(insert(table), inserts[start:start + WRITE_CHUNK])
    for start in range(0, len(gone), WRITE_CHUNK):
        connection.execute(update(table).where(table.c.id.in_(gone[start:start + WRITE_CHUNK]))
                           .values(active=False, match_id=match_id))


def _drop_unmatched_records(session) -> None:
    """Delete the records no registered person of a current roster matches; count what each import keeps."""
    persons = _registered_persons(None).subquery()
    records = RegisterRecord.__table__
    connection = session.connection()
    connection.execute(delete(records).where(~exists().where(persons.c.id_number == records.c.id_number)))
    kept = dict(connection.execute(select(records.c.import_id, func.count()).group_by(records.c.import_id)).all())
    for batch in session.scalars(select(RegisterImport).where(RegisterImport.status == "imported")):
        batch.status, batch.records_kept = "matched", kept.get(batch.id, 0)


def finding_counts(session, county: str | None = None) -> dict:
    """Return {county: {finding type: persons}} of the active findings."""
    query = (select(RegisterFinding.county_code, RegisterFinding.finding_type, func.count())
             .where(RegisterFinding.active).group_by(RegisterFinding.county_code, RegisterFinding.finding_type))
    if county is not None:
        query = query.where(RegisterFinding.county_code == county)
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for code, finding_type, number in session.execute(query):
        counts[code][finding_type] = number
    return dict(counts)


def run_match(*, user=None, county: str | None = None, settings: RuleSettings | None = None) -> RegisterMatch:
    """Match the current rosters (one county's with `county`) against the imported records."""
    user = acting_user(user)
    if not may_import(user):
        raise RegisterError(403, "forbidden", _("Only coordinators and administrators run the match."))
    settings = settings or rule_settings()
    with db.write_transaction() as session:
        match = RegisterMatch(by_id=getattr(user, "id", None), min_months=settings.min_months,
                              grace_days=settings.grace_days, started_at=now(), counts={})
        session.add(match)
        session.flush()
        found, pairs = compute_findings(session, settings, county)
        _store(session, found, match.id, county)
        if county is None:
            _drop_unmatched_records(session)
        match.records, match.findings = pairs, len(found)
        match.counts = finding_counts(session, county)
        match.finished_at = now()
        auditlog.record("register.match", "register_match", match.id, user=user, county=county or "",
                        pairs=pairs, findings=len(found), min_months=settings.min_months,
                        grace_days=settings.grace_days)
    return match
