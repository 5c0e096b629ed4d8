"""The register comparison's figures for a county's checklist (checklists/register_seam.py asks for them).

Item 2.3 of the notice (de-registration of persons who found work, started a business, retired or died) and
item 3.1 (authenticity of registrations) get, per kind of finding, the persons of the county with such an
active finding over its registered persons. Nothing before the first match; after one, a kind of finding
whose register has never been imported is left out rather than shown as nought.
"""

from __future__ import annotations

from sqlalchemy import func, or_, select

from config.registers import FINDING_TYPES
from models import RegisterFinding, RegisterImport, RegisterMatch, RosterSnapshot

# (checklist item key, finding type, the register that shows it), in the order the notice names them.
ITEM_FINDINGS = (
    ("2.3", "employed_not_deregistered", "social_insurance"),
    ("2.3", "runs_business", "business"),
    ("2.3", "retired_not_deregistered", "pension"),
    ("2.3", "deceased_not_deregistered", "death"),
    ("3.1", "employed_at_registration", "social_insurance"),
    ("3.1", "registered_while_retired", "pension"),
    ("3.1", "registered_while_deceased", "death"),
)
_LABELS = {code: (zh, en) for code, zh, en in FINDING_TYPES}


def compared_kinds(session) -> set[str]:
    """Return the kinds of register whose records have gone into the comparison (imported, not dropped)."""
    query = select(RegisterImport.kind).where(or_(RegisterImport.status.in_(("imported", "matched")),
                                                  RegisterImport.records_kept.is_not(None))).distinct()
    return set(session.scalars(query))


def checklist_figures(session, campaign, county_code: str) -> list[dict]:
    """Return the county's register figures for the checklist items they speak to; none before a match."""
    if session.scalar(select(RegisterMatch.id).where(RegisterMatch.finished_at.is_not(None)).limit(1)) is None:
        return []
    counts = dict(session.execute(
        select(RegisterFinding.finding_type, func.count(func.distinct(RegisterFinding.id_number)))
        .where(RegisterFinding.county_code == county_code, RegisterFinding.active)
        .group_by(RegisterFinding.finding_type)).all())
    total = session.scalar(select(RosterSnapshot.registered_count).where(
        RosterSnapshot.county_code == county_code, RosterSnapshot.is_current))
    kinds = compared_kinds(session)
    return [{"item": item, "code": code, "label_zh": _LABELS[code][0], "label_en": _LABELS[code][1],
             "count": counts.get(code, 0), "total": total}
            for item, code, kind in ITEM_FINDINGS if kind in kinds or counts.get(code)]
