"""Read the findings: per-county counts and shares, a county's list (masked), one person's findings,
a reveal of one full ID number (audited) and the XLSX export (masked, audited).

Every read takes the county it is for; the callers (registers/access.py) have checked that the user
may see it, and a county-scoped user is never given another county's findings.
"""

from __future__ import annotations

import io

from flask_babel import gettext as _
from sqlalchemy import func, select

from config.registers import FINDING_CODES
from core import auditlog
from core.downloads import attachment, file_name
from core.extensions import db
from core.i18n import label, lang
from core.privacy import mask_id_number
from core.spreadsheets import streaming_workbook, write_cells
from models import County, Person, RegisterFinding, RosterSnapshot

PAGE_SIZE = 50


def county_summaries(counties: list[str] | None) -> list[dict]:
    """Return per county: registered persons, persons with any finding, and each type's count and share."""
    registered_query = (select(County.code, func.coalesce(RosterSnapshot.registered_count, 0))
                        .outerjoin(RosterSnapshot, (RosterSnapshot.county_code == County.code)
                                   & RosterSnapshot.is_current)
                        .where(County.active).order_by(County.code))
    by_type_query = (select(RegisterFinding.county_code, RegisterFinding.finding_type, func.count())
                     .where(RegisterFinding.active)
                     .group_by(RegisterFinding.county_code, RegisterFinding.finding_type))
    any_query = (select(RegisterFinding.county_code, func.count(func.distinct(RegisterFinding.id_number)))
                 .where(RegisterFinding.active).group_by(RegisterFinding.county_code))
    if counties is not None:
        registered_query = registered_query.where(County.code.in_(counties))
        by_type_query = by_type_query.where(RegisterFinding.county_code.in_(counties))
        any_query = any_query.where(RegisterFinding.county_code.in_(counties))
    by_type: dict[str, dict[str, int]] = {}
    for code, finding_type, number in db.session.execute(by_type_query):
        by_type.setdefault(code, {})[finding_type] = number
    with_any = dict(db.session.execute(any_query).all())
    names = {c.code: c.name(lang()) for c in db.session.scalars(select(County))}
    rows = []
    for code, registered in db.session.execute(registered_query):
        counts = by_type.get(code, {})
        rows.append({
            "county": code, "name": names.get(code, code), "registered": registered,
            "with_any": with_any.get(code, 0), "share_any": _share(with_any.get(code, 0), registered),
            "types": {t: {"count": counts.get(t, 0), "share": _share(counts.get(t, 0), registered)}
                      for t in FINDING_CODES},
        })
    return rows


def _share(count: int, registered: int) -> float | None:
    """Return count / registered, or None without registered persons."""
    return round(count / registered, 6) if registered else None


def register_share(county: str) -> dict:
    """Return one county's registered persons, those with any active finding and their share."""
    rows = county_summaries([county])
    if not rows:
        return {"registered": 0, "with_any": 0, "share_any": None}
    return {key: rows[0][key] for key in ("registered", "with_any", "share_any")}


def evidence_text(finding_type: str, evidence: dict) -> str:
    """Say in the page's language what record shows a finding."""
    organisation = evidence.get("organisation") or ""
    if "from" in evidence:
        return _("paid %(first)s to %(last)s (%(months)s months) %(employer)s", first=evidence["from"],
                 last=evidence["to"], months=evidence["months"], employer=organisation).strip()
    if "established" in evidence:
        if evidence.get("closed"):
            return _("%(entity)s established %(start)s, closed %(end)s", entity=organisation,
                     start=evidence["established"], end=evidence["closed"]).strip()
        return _("%(entity)s established %(start)s, operating", entity=organisation,
                 start=evidence["established"]).strip()
    when = str(evidence.get("date") or "")
    if finding_type in ("deceased_not_deregistered", "registered_while_deceased"):
        return _("died %(date)s", date=when)
    if finding_type in ("retired_not_deregistered", "registered_while_retired"):
        return _("pension paid from %(month)s", month=when)
    return " ".join(part for part in (when, organisation) if part)


def _row(finding: RegisterFinding, person: Person) -> dict:
    """Describe a finding for a list, the API and the export, with the ID number masked."""
    return {
        "id": finding.id, "county": finding.county_code, "person_id": person.id, "name": person.name,
        "id_number": mask_id_number(finding.id_number), "registered_on": person.registered_on.isoformat(),
        "finding_type": finding.finding_type, "finding": label("register_finding", finding.finding_type),
        "kind": finding.kind, "register": label("register_kind", finding.kind),
        "evidence": finding.evidence, "evidence_text": evidence_text(finding.finding_type, finding.evidence),
        "first_found_at": finding.first_found_at.isoformat(),
    }


def _county_query(county: str, finding_type: str | None):
    query = (select(RegisterFinding, Person).join(Person, Person.id == RegisterFinding.person_id)
             .where(RegisterFinding.county_code == county, RegisterFinding.active))
    if finding_type:
        query = query.where(RegisterFinding.finding_type == finding_type)
    return query


def county_findings(county: str, finding_type: str | None = None, page: int = 1,
                    page_size: int = PAGE_SIZE) -> dict:
    """Return one page of a county's active findings (masked), with the total and the page count."""
    total = db.session.scalar(select(func.count()).select_from(_county_query(county, finding_type).subquery()))
    query = (_county_query(county, finding_type).order_by(RegisterFinding.finding_type, RegisterFinding.id)
             .offset((page - 1) * page_size).limit(page_size))
    rows = [_row(f, p) for f, p in db.session.execute(query)]
    return {"items": rows, "total": total, "page": page, "pages": max(1, -(-total // page_size))}


def single_finding(finding: RegisterFinding) -> dict:
    """Return one finding as a one-row page (the reveal shows it alone)."""
    return {"items": [_row(finding, finding.person)], "total": 1, "page": 1, "pages": 1}


def person_findings(person: Person) -> list[dict]:
    """Return the active findings about a person (by ID number, in their county), for the task page."""
    query = (select(RegisterFinding).where(RegisterFinding.county_code == person.county_code,
                                           RegisterFinding.id_number == person.id_number, RegisterFinding.active)
             .order_by(RegisterFinding.finding_type))
    return [{"finding": label("register_finding", f.finding_type), "register": label("register_kind", f.kind),
             "evidence_text": evidence_text(f.finding_type, f.evidence)} for f in db.session.scalars(query)]


def reveal_id_number(finding: RegisterFinding, user=None) -> str:
    """Return a finding's full ID number, writing the read to the audit log."""
    with db.write_transaction():
        auditlog.record("register.reveal", "register_finding", finding.id, user=user, field="id_number",
                        county=finding.county_code)
    return finding.id_number


def export_xlsx(county: str, today, user=None) -> tuple[bytes, dict]:
    """Write a county's active findings (masked) as XLSX; return the bytes and the download headers."""
    out = io.BytesIO()
    book = streaming_workbook(out)
    sheet = book.add_worksheet(_("Register findings"))
    headers = [_("Name"), _("ID number"), _("Registration date"), _("Finding"), _("Register"), _("Evidence")]
    sheet.write_row(0, 0, headers)
    count = 0
    query = _county_query(county, None).order_by(RegisterFinding.finding_type, RegisterFinding.id)
    for finding, person in db.session.execute(query.execution_options(yield_per=5000)):
        row = _row(finding, person)
        count += 1
        write_cells(sheet, count, [row["name"], row["id_number"], row["registered_on"], row["finding"],
                                   row["register"], row["evidence_text"]])
    book.close()
    with db.write_transaction():
        auditlog.record("register.export", "county", county, user=user, rows=count)
    name = file_name([_("Register findings"), county], today, "xlsx")
    return out.getvalue(), attachment(name, f"register-findings-{county}.xlsx")
