"""The sample list of a draw: rows for the page, the API, and XLSX / CSV (UTF-8 with BOM) files.

ID and phone numbers are always masked here; full numbers are for the follow-up work, one person at a
time, with every reveal in the audit log.
"""

from __future__ import annotations

import csv
import io

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from auth import scope
from campaigns.design import REGISTER_FINDING, split_stratum
from campaigns.naming import draw_number, draw_title, snapshot_labels
from campaigns.replacement import REPLACEMENT_REASONS
from config import codelists
from config.registers import FINDING_STRATA
from core import auditlog
from core.downloads import attachment, file_name
from core.extensions import db
from core.i18n import is_chinese, label
from core.privacy import mask_id_number, mask_phone
from core.spreadsheets import csv_value, streaming_workbook, write_cells
from core.timefmt import local_time, local_today
from models import Draw, Person, SampleUnit
from models.county import county_name, county_names

ROLES = {"sample": _l("Sample"), "reserve": _l("Reserve")}
STATUSES = {"active": _l("In the sample"), "standby": _l("Unused reserve"), "replaced": _l("Replaced")}
FIELD_LISTS = {"gender": codelists.GENDERS, "unemployment_reason": codelists.UNEMPLOYMENT_REASONS,
               "employment_status": codelists.EMPLOYMENT_STATUSES, REGISTER_FINDING: FINDING_STRATA}


def stratum_label(field: str | None, stratum: str, names: dict[str, str]) -> str:
    """Return a stratum's name for people: the county, and the value of the extra field if any."""
    county, value = split_stratum(stratum)
    name = names.get(county, county)
    if value is None or not field:
        return name
    joiner = "·" if is_chinese() else " · "
    return f"{name}{joiner}{label(FIELD_LISTS[field], value) if value != '-' else '—'}"


def unit_rows(session, draw: Draw, county: str | None = None, limit: int | None = None,
              offset: int = 0) -> list[dict]:
    """Return the draw's units by county, stratum and random rank, reserves included, masked (a page
    of them when a limit is given)."""
    replacement = aliased(SampleUnit)
    stmt = (
        select(SampleUnit.id, SampleUnit.county_code, SampleUnit.stratum, SampleUnit.rank, SampleUnit.role,
               SampleUnit.status, SampleUnit.replacement_reason, Person.name, Person.gender, Person.id_number,
               Person.phone, Person.residence_address, Person.household_address, Person.unemployment_reason,
               Person.registered_on, Person.employment_status, Person.cancelled_on, replacement.rank)
        .join(Person, Person.id == SampleUnit.person_id)
        .outerjoin(replacement, replacement.id == SampleUnit.replaced_by_id)
        .where(SampleUnit.draw_id == draw.id)
        .order_by(SampleUnit.county_code, SampleUnit.stratum, SampleUnit.rank)
    )
    if county:
        stmt = stmt.where(SampleUnit.county_code == county)
    if limit is not None:
        stmt = stmt.limit(limit).offset(offset)
    names = county_names()
    field = (draw.frame_definition or {}).get("stratify_by")
    # Thousands of rows share a few dozen labels: each is worked out once, in the reader's language.
    strata = _Memo(lambda h: stratum_label(field, h, names))
    roles, statuses = _Memo(lambda r: str(ROLES[r])), _Memo(lambda s: str(STATUSES[s]))
    reasons = _Memo(lambda r: str(REPLACEMENT_REASONS.get(r, "")) if r else "")
    genders, causes, employment = (_Memo(lambda code, name=name: label(name, code))
                                   for name in ("gender", "unemployment_reason", "employment_status"))
    return [{
        "unit_id": r[0], "county_code": r[1], "county": names.get(r[1], r[1]), "stratum": r[2],
        "stratum_label": strata(r[2]), "rank": r[3], "role": r[4], "role_label": roles(r[4]), "status": r[5],
        "status_label": statuses(r[5]), "name": r[7], "gender": genders(r[8]), "id_number": mask_id_number(r[9]),
        "phone": mask_phone(r[10]), "residence_address": r[11] or r[12] or "", "unemployment_reason": causes(r[13]),
        "registered_on": r[14].isoformat(), "employment_status": employment(r[15]),
        "cancelled_on": r[16].isoformat() if r[16] else "", "replacement_reason": reasons(r[6]),
        "replaced_by_rank": r[17],
    } for r in session.execute(stmt)]


class _Memo(dict):
    """A label per value, computed on first use."""

    def __init__(self, make):
        super().__init__()
        self.make = make

    def __call__(self, value):
        if value not in self:
            self[value] = self.make(value)
        return self[value]


def unit_count(session, draw: Draw, county: str | None = None) -> int:
    """Count the draw's units (one county's, if given)."""
    stmt = select(func.count(SampleUnit.id)).where(SampleUnit.draw_id == draw.id)
    if county:
        stmt = stmt.where(SampleUnit.county_code == county)
    return session.scalar(stmt) or 0


def units_by_county(session, draw: Draw) -> list[tuple[str, int]]:
    """Return (county code, units) of the draw, by county code."""
    return [(code, count) for code, count in session.execute(
        select(SampleUnit.county_code, func.count(SampleUnit.id)).where(SampleUnit.draw_id == draw.id)
        .group_by(SampleUnit.county_code).order_by(SampleUnit.county_code))]


def columns() -> list[tuple[str, str]]:
    """Return the exported columns: (row key, translated header)."""
    return [
        ("county_code", _("County code")), ("county", _("County")), ("stratum_label", _("Stratum")),
        ("rank", _("Random order")), ("role_label", _("Type")), ("status_label", _("Status")),
        ("name", _("Name")), ("gender", _("Gender")), ("id_number", _("ID number")), ("phone", _("Phone")),
        ("residence_address", _("Address")), ("unemployment_reason", _("Reason for unemployment")),
        ("registered_on", _("Registered on")), ("employment_status", _("Employment status")),
        ("cancelled_on", _("Cancelled on")), ("replacement_reason", _("Replacement reason")),
    ]


def draw_facts(session, draw: Draw, county: str | None = None) -> list[tuple[str, str]]:
    """Return what identifies the draw, for the export's second sheet and the printable page (one county's
    snapshots and strata only, if given)."""
    names = county_names()
    field = (draw.frame_definition or {}).get("stratify_by")
    county = county or scope.scope_of()  # a county-scoped reader sees their county's part, whatever was asked
    strata = {h: v for h, v in (draw.strata or {}).items() if not county or split_stratum(h)[0] == county}
    return [
        (_("Campaign"), draw.campaign.name), (_("Draw number"), draw_title(draw)),
        (_("Drawn at"), local_time(draw.created_at)),
        (_("Seed as given"), draw.seed_text), (_("Seed"), draw.seed),
        (_("Algorithm"), draw.algorithm), (_("Code version"), draw.code_version),
        (_("Frame size"), str(draw.frame_size if not county else sum(v["N"] for v in strata.values()))),
        (_("Frame fingerprint (SHA-256)"), draw.frame_fingerprint),
        (_("Snapshots"), "、".join(snapshot_labels(session, draw.snapshot_ids, names, county))),
        (_("Status"), _("Superseded") if draw.superseded else _("In force")),
        (_("Strata: N / n / reserves"), "; ".join(f"{stratum_label(field, h, names)}: {v['N']} / {v['n']} / "
                                                 f"{v['reserves']}" for h, v in sorted(strata.items()))),
        (_("Left out as verified in another campaign"), str(draw.excluded_count or 0) if not county else "—"),
    ]


def to_xlsx(session, draw: Draw, rows: list[dict], county: str | None = None) -> bytes:
    """Write the sample list and the draw's facts to an XLSX workbook, row by row."""
    out = io.BytesIO()
    book = streaming_workbook(out)
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet(_("Sample list"))
    for column, width in enumerate((10, 14, 22, 8, 10, 12, 10, 6, 22, 16, 36, 22, 12, 12, 12, 22)):
        sheet.set_column(column, column, width)
    sheet.freeze_panes(1, 0)
    cols = columns()
    sheet.write_row(0, 0, [header for _key, header in cols], bold)
    for number, row in enumerate(rows, start=1):
        write_cells(sheet, number, [row[key] for key, _header in cols])
    facts = book.add_worksheet(_("Draw"))
    facts.set_column(0, 0, 28)
    facts.set_column(1, 1, 70)
    for number, (fact, value) in enumerate(draw_facts(session, draw, county)):
        facts.write_row(number, 0, [fact, value])
    book.close()
    return out.getvalue()


def download_headers(draw: Draw, county: str | None, fmt: str) -> dict:
    """Name the sample list file, e.g. 抽样名单-<campaign>-第1次抽样[-<county>]-<YYYYMMDD>.xlsx."""
    day = local_today()
    name = file_name([pgettext("file name", "Sample list"), draw.campaign.name,
                      pgettext("file name", "Draw %(number)d", number=draw_number(draw)),
                      county_name(county) if county else None], day, fmt)
    fallback = f"sample-list-draw{draw.id}{'-' + county if county else ''}-{day:%Y%m%d}.{fmt}"
    return attachment(name, fallback)


def to_csv(rows: list[dict]) -> bytes:
    """Write the sample list as CSV in UTF-8 with a byte order mark (so that Excel reads Chinese)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    cols = columns()
    writer.writerow([header for _key, header in cols])
    for row in rows:
        writer.writerow([csv_value(row[key]) for key, _header in cols])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def frame_csv(keys, strata) -> bytes:
    """Write a draw's frame as the auditor's script reads it: `key,stratum` rows, UTF-8 with a BOM."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["key", "stratum"])
    writer.writerows(zip(keys, (str(h) for h in strata), strict=True))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def record_use(action: str, draw: Draw, **detail) -> None:
    """Write to the audit log that a sample list was exported or printed, in a write transaction of its own."""
    draw_id = draw.id
    with db.write_transaction():
        auditlog.record(action, "draw", draw_id, **detail)
