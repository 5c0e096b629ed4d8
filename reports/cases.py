"""The cases behind a number: the drill-down list of sample units, with personal data masked.

Every figure on the dashboard links here with the filter that reproduces its count, so the list
always adds up to the number the reader clicked.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Text, and_, cast, func, not_, or_, select

from config.dispositions import OUTCOME_CATEGORY
from core.privacy import mask_id_number, mask_phone
from models import FollowUpTask, Person, SampleUnit, Verification
from reports.counts import ANY, SERVICE_CODES, TYPE_CODES, confirmed_record, json_list_has
from sampling.rates import Outcome

# kind -> what it selects; "type" takes a discrepancy type (or "any"), "service" and
# "no_service" a service code, "outcome" an AAPOR-style category.
KINDS = ("units", "resolved", "open", "in_progress", "final_unresolved", "discrepant", "service",
         "no_service", "outcome", "out_of_scope")


class CaseFilterError(ValueError):
    """A drill-down filter names an unknown kind, type, service or category."""


@dataclass(frozen=True)
class CaseFilter:
    """Which units to list: a county (None: all visible), a kind and its code."""

    kind: str = "units"
    code: str | None = None
    county: str | None = None

    def check(self) -> CaseFilter:
        """Return self when the filter is known, else raise CaseFilterError."""
        codes = {"discrepant": (*TYPE_CODES, ANY), "service": SERVICE_CODES, "no_service": SERVICE_CODES,
                 "outcome": ("completed", "partial", "refusal", "non_contact", "other", "open")}
        if self.kind not in KINDS or (self.kind in codes and self.code not in codes[self.kind]):
            raise CaseFilterError(f"{self.kind}:{self.code}")
        return self


def _condition(f: CaseFilter):
    """Return the SQL condition of a filter over units outer-joined to tasks and records."""
    T, V = FollowUpTask, Verification
    not_out = or_(T.final_outcome.is_(None), T.final_outcome != "out_of_scope")
    unresolved = and_(V.id.is_(None), not_out)
    in_progress = and_(V.id.is_(None), or_(T.id.is_(None), T.status != "closed"))
    if f.kind == "units":
        return None
    if f.kind == "resolved":
        return V.id.isnot(None)
    if f.kind == "open":
        return unresolved
    if f.kind == "in_progress":
        return in_progress
    if f.kind == "final_unresolved":
        return and_(unresolved, T.status == "closed")
    if f.kind == "out_of_scope":
        return and_(V.id.is_(None), T.status == "closed", T.final_outcome == "out_of_scope")
    # The kinds left take a code, and check() (which case_query applies first) admits only a listed one.
    assert f.code is not None
    if f.kind == "discrepant":
        codes = TYPE_CODES if f.code == ANY else (f.code,)
        return or_(*(json_list_has(V.discrepancies, c) for c in codes))
    if f.kind == "service":
        return json_list_has(V.services, f.code)
    if f.kind == "no_service":
        return and_(cast(V.services, Text).like("[%"), not_(json_list_has(V.services, f.code)))
    # outcome categories, as reports.figures counts them
    if f.code == "completed":
        return V.id.isnot(None)
    if f.code == "open":
        return and_(in_progress, not_out)
    outcomes = [o for o, category in OUTCOME_CATEGORY.items() if category == f.code and o != "verified"]
    if f.code == Outcome.OTHER.value:
        outcomes.append("verified")  # closed as verified, identity not confirmed: see counts._category
    return and_(V.id.is_(None), T.status == "closed", T.final_outcome.in_(outcomes))


def case_query(draw_id: int, f: CaseFilter):
    """Return the select of a filter's units (id columns only), before ordering and paging."""
    U, T, V = SampleUnit, FollowUpTask, Verification
    stmt = (select(U.id).select_from(U).outerjoin(T, T.sample_unit_id == U.id).outerjoin(V, confirmed_record(T))
            .where(U.draw_id == draw_id, U.status == "active"))
    if f.county:
        stmt = stmt.where(U.county_code == f.county)
    condition = _condition(f.check())
    return stmt if condition is None else stmt.where(condition)


def list_cases(session, draw_id: int, f: CaseFilter, page: int = 1, page_size: int = 50) -> dict:
    """Return one page of a filter's units with masked personal data, and the total count."""
    U, T, V, P = SampleUnit, FollowUpTask, Verification, Person
    ids = case_query(draw_id, f)
    total = session.scalar(select(func.count()).select_from(ids.subquery()))
    stmt = (
        select(U.id, U.county_code, U.stratum, U.rank, P.name, P.id_number, P.phone, T.id, T.status,
               T.final_outcome, T.phone_attempts_used + T.visit_attempts_used, V.id, V.checked_on,
               V.discrepancies, V.services)
        .select_from(U).join(P, P.id == U.person_id)
        .outerjoin(T, T.sample_unit_id == U.id).outerjoin(V, confirmed_record(T))
        .where(U.id.in_(ids.scalar_subquery()))
        .order_by(U.county_code, U.stratum, U.rank)
        .limit(page_size).offset((page - 1) * page_size)
    )
    rows = []
    for (unit_id, county, stratum, rank, name, id_number, phone, task_id, status, outcome, attempts,
         record_id, checked_on, discrepancies, services) in session.execute(stmt):
        rows.append({
            "unit_id": unit_id, "county_code": county, "stratum": stratum, "rank": rank, "name": name,
            "id_number": mask_id_number(id_number), "phone": mask_phone(phone), "task_id": task_id,
            "task_status": status, "final_outcome": outcome, "attempts": attempts or 0,
            "verification_id": record_id, "checked_on": checked_on.isoformat() if checked_on else None,
            "discrepancies": list(discrepancies or []), "services": list(services or []),
        })
    pages = max((total + page_size - 1) // page_size, 1)
    return {"total": total, "page": page, "pages": pages, "page_size": page_size, "rows": rows}
