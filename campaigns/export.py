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
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.orm import aliased

from auth import scope
from campaigns.design import split_stratum
from campaigns.naming import draw_number, draw_title, snapshot_labels
from campaigns.replacement import REPLACEMENT_REASONS
from config import codelists
from core import auditlog
from core.downloads import attachment, file_name
from core.extensions import db
from core.i18n import is_chinese, label, lang
from core.privacy import mask_id_number, mask_phone
from core.spreadsheets import csv_value, xlsx_row
from core.timefmt import local_time, local_today
from models import County, Draw, Person, SampleUnit
from models.county import county_name

ROLES = {"sample": _l("Sample"), "reserve": _l("Reserve")}
STATUSES = {"active": _l("In the sample"), "standby": _l("Unused reserve"), "replaced": _l("Replaced")}
FIELD_LISTS = {"gender": codelists.GENDERS, "unemployment_reason": codelists.UNEMPLOYMENT_REASONS,
               "employment_status": codelists.EMPLOYMENT_STATUSES}



def stratum_label(field: str | None, stratum: str, county_names: dict[str, str]) -> str:
    """Return a stratum's name for people: the county, and the value of the extra field if any."""
    county, value = split_stratum(stratum)
    name = county_names.get(county, county)
    if value is None or not field:
        return name
    joiner = "·" if is_chinese() else " · "
    return f"{name}{joiner}{label(FIELD_LISTS[field], value) if value != '-' else '—'}"


def county_names(session) -> dict[str, str]:
    """Return every county's name in the current language."""
    language = lang()
    return {c.code: c.name(language) for c in session.scalars(select(County))}


def unit_rows(session, draw: Draw, county: str | None = None) -> list[dict]:
    """Return the draw's units by county, stratum and random rank, reserves included, masked."""
    replacement = aliased(SampleUnit)
    stmt = (
        select(SampleUnit, Person, replacement.rank)
        .join(Person, Person.id == SampleUnit.person_id)
        .outerjoin(replacement, replacement.id == SampleUnit.replaced_by_id)
        .where(SampleUnit.draw_id == draw.id)
        .order_by(SampleUnit.county_code, SampleUnit.stratum, SampleUnit.rank)
    )
    if county:
        stmt = stmt.where(SampleUnit.county_code == county)
    names = county_names(session)
    field = (draw.frame_definition or {}).get("stratify_by")
    rows = []
    for unit, person, replaced_by_rank in session.execute(stmt):
        rows.append({
            "unit_id": unit.id,
            "county_code": unit.county_code,
            "county": names.get(unit.county_code, unit.county_code),
            "stratum": unit.stratum,
            "stratum_label": stratum_label(field, unit.stratum, names),
            "rank": unit.rank,
            "role": unit.role,
            "role_label": str(ROLES[unit.role]),
            "status": unit.status,
            "status_label": str(STATUSES[unit.status]),
            "name": person.name,
            "gender": label("gender", person.gender),
            "id_number": mask_id_number(person.id_number),
            "phone": mask_phone(person.phone),
            "residence_address": person.residence_address or person.household_address or "",
            "unemployment_reason": label("unemployment_reason", person.unemployment_reason),
            "registered_on": person.registered_on.isoformat(),
            "employment_status": label("employment_status", person.employment_status),
            "cancelled_on": person.cancelled_on.isoformat() if person.cancelled_on else "",
            "replacement_reason": str(REPLACEMENT_REASONS.get(unit.replacement_reason, ""))
            if unit.replacement_reason else "",
            "replaced_by_rank": replaced_by_rank,
        })
    return rows


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
    names = county_names(session)
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
    """Write the sample list and the draw's facts to an XLSX workbook."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("Sample list")
    cols = columns()
    sheet.append([header for _key, header in cols])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(xlsx_row(sheet, [row[key] for key, _header in cols]))
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGHIJKLMNOP", (10, 14, 22, 8, 10, 12, 10, 6, 22, 16, 36, 22, 12, 12, 12, 22),
                             strict=True):
        sheet.column_dimensions[letter].width = width
    facts = book.create_sheet(_("Draw"))
    for fact, value in draw_facts(session, draw, county):
        facts.append(xlsx_row(facts, [fact, value]))
    facts.column_dimensions["A"].width = 28
    facts.column_dimensions["B"].width = 70
    out = io.BytesIO()
    book.save(out)
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
