"""Exports of the reports: statistics tables, verification records, attempts and the rectification list,
as XLSX (rates as numbers formatted as percentages) or CSV in UTF-8 with a byte order mark.

Personal data is masked as in the lists; the figures are the dashboard's own (reports.figures).
"""

from __future__ import annotations

import csv
import functools
import io

from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy import select

from core import auditlog
from core.downloads import attachment, file_name
from core.extensions import db
from core.i18n import label
from core.privacy import mask_id_number, mask_phone
from core.spreadsheets import csv_value, streaming_workbook, write_cells
from core.timefmt import local_time, local_today
from models import Attempt, FollowUpTask, Person, User, Verification
from models.county import county_name
from reports import glossary, labels
from reports.figures import Options, campaign_figures, county_figures
from reports.listing import rectification_rows
from reports.rectification import field_value

STAT_TABLES = ("rates", "outcomes", "services", "audit")
EXPORTS = ("statistics", *STAT_TABLES, "verifications", "attempts", "rectification")
PERCENT = "pct"  # a column kind: shares written as numbers with a percentage format


class Table:
    """One exported table: a title, typed columns and rows of plain values."""

    def __init__(self, title: str, columns: list[tuple[str, str]]):
        self.title = title
        self.columns = columns  # (header, kind): kind "" or PERCENT
        self.rows: list[list] = []


def _blocks(session, campaign, county: str | None, options: Options) -> tuple[list[dict], dict | None]:
    """Return the county blocks to export and the overall block (None for one county's export)."""
    if county:
        block = county_figures(session, campaign, county, options)["county"]
        # A county liaison allowed to see the city gets the city-wide row beside their county's.
        overall = (campaign_figures(session, campaign, options)["overall"]
                   if options.counties is not None and options.city else None)
        return ([block] if block else []), overall
    figures = campaign_figures(session, campaign, options)
    return figures["counties"], figures["overall"]


def _name(code: str | None) -> str:
    return county_name(code) if code else _("All counties (stratified)")


def rates_table(blocks, overall) -> Table:
    """Discrepancy rates per county and type, then the overall stratified rates."""
    t = Table(_("Discrepancy rates"), [
        (_("County code"), ""), (_("County"), ""), (_("Discrepancy type"), ""), (_("Discrepant (d)"), ""),
        (_("Resolved (m)"), ""), (_("Unresolved"), ""), (_("Still being worked"), ""), (_("Rate"), PERCENT),
        (_("%(level)s interval, low", level="95%"), PERCENT), (_("%(level)s interval, high", level="95%"), PERCENT),
        (_("If every open unit were discrepant"), PERCENT), (_("If no open unit were discrepant"), PERCENT),
        (_("Standard error"), PERCENT), (_("Interval method"), "")])
    for code, block in [(b["code"], b) for b in blocks] + ([(None, overall)] if overall else []):
        for kind, r in block["rates"].items():
            t.rows.append([code or "", _name(code), labels.type_label(kind), r["d"], r["m"], r["open"],
                           r["in_progress"], r["p"], r["low"], r["high"], r["worst_case"], r["best_case"],
                           r.get("se"), labels.method_label(r.get("interval_rule") or r["method"])])
    return t


def outcomes_table(blocks, overall) -> Table:
    """Outcome counts and AAPOR-style rates per county, then overall."""
    categories = ("completed", "partial", "refusal", "non_contact", "other", "open")
    t = Table(_("Outcome rates"), [(_("County code"), ""), (_("County"), ""), (_("Sample units"), "")]
              + [(labels.category_label(c), "") for c in categories]
              + [(labels.rate_name(k), PERCENT) for k in labels.RATE_NAMES])
    for code, block in [(b["code"], b) for b in blocks] + ([(None, overall)] if overall else []):
        o = block["outcomes"]
        t.rows.append([code or "", _name(code) if code else _("All counties"), o["total"],
                       *(o["counts"][c] for c in categories), *(o[k] for k in labels.RATE_NAMES)])
    return t


def services_table(blocks, overall) -> Table:
    """Assistance coverage per county and service, then overall."""
    t = Table(_("Assistance coverage"), [
        (_("County code"), ""), (_("County"), ""), (_("Service"), ""), (_("Received"), ""),
        (_("Verified persons asked"), ""), (_("Coverage"), PERCENT), (_("%(level)s interval, low", level="95%"), PERCENT),
        (_("%(level)s interval, high", level="95%"), PERCENT)])
    for code, block in [(b["code"], b) for b in blocks] + ([(None, overall)] if overall else []):
        for service, s in block["services"].items():
            t.rows.append([code or "", _name(code), labels.service_label(service), s["count"], s["answered"], s["p"],
                           s.get("low"), s.get("high")])
    return t


def audit_table(blocks, overall) -> Table:
    """The audit conclusion of every county."""
    t = Table(_("Audit conclusion"), [
        (_("County code"), ""), (_("County"), ""), (_("Discrepant (d)"), ""), (_("Resolved (m)"), ""),
        (_("Unresolved"), ""), (_("Rate"), PERCENT), (_("One-sided lower limit"), PERCENT),
        (_("One-sided upper limit"), PERCENT), (_("Tolerable rate"), PERCENT), (_("Confidence"), PERCENT),
        (_("Conclusion"), ""), (_("Further verified cases without a discrepancy that would conclude within"), ""),
        (_("If every open unit were discrepant"), ""), (_("If no open unit were discrepant"), "")])
    for b in blocks:
        a, r = b["audit"], b["rates"]["any"]
        t.rows.append([b["code"], county_name(b["code"]), r["d"], r["m"], r["open"], r["p"], a["lower"], a["upper"],
                       a["tolerable"], a["confidence"], labels.audit_label(a["status"]), a["n_needed"],
                       labels.audit_label(a["status_if_open_discrepant"]),
                       labels.audit_label(a["status_if_open_clean"])])
    return t


def notes_table() -> Table:
    """What every rate of the tables means, one line each, as the glossary page says it."""
    t = Table(_("Notes on the figures"), [(_("Term"), ""), (_("What it means"), "")])
    for term in glossary.TERMS:
        t.rows.append([glossary.titled(term.key), str(term.explanation)])
    return t


def _yes_no(value) -> str:
    return "" if value is None else (_("Yes") if value else _("No"))


def _label_memo():
    """Return a label(codelist, code) that looks each pair up once: a list of 20,000 rows otherwise asks
    Flask-Babel for the locale a hundred thousand times."""
    return functools.cache(label)


def verifications_table(session, campaign, county: str | None) -> Table:
    """Every verification record of the campaign (one county's), masked."""
    t = Table(_("Verification records"), [(h, "") for h in (
        _("County code"), _("County"), _("Name"), _("ID number"), _("Phone"), _("Checked on"), _("Respondent"),
        _("Identity confirmed"), _("Registered in person"), _("Unemployed at registration"), _("Current status"),
        _("Since"), _("Services received"), _("Satisfaction"), _("Wish to work"), _("Confirmed discrepancies"),
        _("Corrections"), _("Training needs"), _("Notes"), _("Version"))])
    V = Verification
    # Columns, not Verification objects: 15,000 records load a third faster without the identity map.
    stmt = (select(V.county_code, V.checked_on, V.respondent, V.identity_confirmed, V.registered_by_self,
                   V.unemployed_at_registration, V.current_status, V.status_since, V.services, V.satisfaction,
                   V.wish_to_work, V.discrepancies, V.corrections, V.training_needs, V.notes, V.version,
                   Person.name, Person.id_number, Person.phone)
            .join(FollowUpTask, FollowUpTask.id == V.task_id)
            .join(Person, Person.id == V.person_id).where(FollowUpTask.campaign_id == campaign.id)
            .order_by(V.county_code, V.checked_on, V.id))
    if county:
        stmt = stmt.where(V.county_code == county)
    # The words every row repeats, looked up once per list.
    yes_no = {None: "", True: _("Yes"), False: _("No")}
    respondent = {"self": _("The person")}
    proxy = _("Family (proxy)")
    code_label, type_label = _label_memo(), functools.cache(labels.type_label)
    names: dict[str, str] = {}
    for v in session.execute(stmt):
        corrections = "；".join(f"{code_label('core_field', f)}: {field_value(f, value)}"
                               for f, value in (v.corrections or {}).items())
        if v.county_code not in names:
            names[v.county_code] = county_name(v.county_code)
        t.rows.append([
            v.county_code, names[v.county_code], v.name, mask_id_number(v.id_number), mask_phone(v.phone),
            v.checked_on.isoformat(), respondent.get(v.respondent, proxy),
            yes_no[v.identity_confirmed], yes_no[v.registered_by_self], yes_no[v.unemployed_at_registration],
            code_label("current_status", v.current_status) if v.current_status else "",
            v.status_since.isoformat() if v.status_since else "",
            "、".join(code_label("service", s) for s in v.services or []),
            code_label("satisfaction", v.satisfaction) if v.satisfaction else "",
            code_label("wish_to_work", v.wish_to_work) if v.wish_to_work else "",
            "、".join(type_label(k) for k in v.discrepancies or []), corrections, v.training_needs or "",
            v.notes or "", v.version])
    return t


def attempts_table(session, campaign, county: str | None) -> Table:
    """Every call and visit of the campaign (one county's), in local time, masked."""
    t = Table(_("Attempts"), [(h, "") for h in (
        _("County code"), _("County"), _("Name"), _("ID number"), _("Channel"), _("Disposition"), _("Time"),
        _("Appointment"), _("Caller"), _("Note"))])
    A, T = Attempt, FollowUpTask
    stmt = (select(A.channel, A.disposition, A.at, A.appointment_at, A.note, T.county_code, Person.name,
                   Person.id_number, User.username)
            .join(T, T.id == A.task_id).join(Person, Person.id == T.person_id)
            .outerjoin(User, User.id == A.caller_id)
            .where(T.campaign_id == campaign.id).order_by(T.county_code, A.at, A.id))
    if county:
        stmt = stmt.where(T.county_code == county)
    names: dict[str, str] = {}
    code_label = _label_memo()
    for channel, disposition, at, appointment, note, code, name, id_number, caller in session.execute(stmt):
        if code not in names:
            names[code] = county_name(code)
        t.rows.append([code, names[code], name, mask_id_number(id_number), code_label("channel", channel),
                       code_label("disposition", disposition), local_time(at),
                       local_time(appointment),
                       caller or "", note or ""])
    return t


def rectification_table(session, campaign, county: str | None, today) -> Table:
    """The rectification list with each item's state."""
    t = Table(_("Rectification list"), [(h, "") for h in (
        _("Item"), _("County code"), _("County"), _("Name"), _("ID number"), _("Discrepancy type"),
        _("What the verification found"), _("What the register says"), _("Status"), _("Due on"), _("Overdue"),
        _("Rectified on"), _("Rectification note"), _("Review note"), _("Times sent back"))])
    for r in rectification_rows(session, campaign.id, county=county, today=today):
        t.rows.append([r["id"], r["county_code"], r["county"], r["name"], r["id_number"], r["type_label"],
                       "；".join(r["found"]), "；".join(r["register"]), r["status_label"], r["due_on"],
                       _yes_no(r["overdue"]), r["rectified_on"] or "", r["rectified_note"], r["review_note"],
                       r["reopened_count"]])
    return t


def tables(session, campaign, what: str, county: str | None, options: Options) -> list[Table]:
    """Build the tables of one export."""
    if what in ("statistics", *STAT_TABLES):
        blocks, overall = _blocks(session, campaign, county, options)
        makers = {"rates": rates_table, "outcomes": outcomes_table, "services": services_table,
                  "audit": audit_table}
        chosen = STAT_TABLES if what == "statistics" else (what,)
        # The notes sheet ends every workbook of figures; a CSV holds only the first table.
        return [makers[name](blocks, overall) for name in chosen] + [notes_table()]
    if what == "verifications":
        return [verifications_table(session, campaign, county)]
    if what == "attempts":
        return [attempts_table(session, campaign, county)]
    return [rectification_table(session, campaign, county, options.today)]


def to_xlsx(parts: list[Table]) -> bytes:
    """Write tables as the sheets of one workbook, row by row (large lists stay fast and small)."""
    out = io.BytesIO()
    book = streaming_workbook(out)
    bold, percent = book.add_format({"bold": True}), book.add_format({"num_format": "0.0%"})
    for table in parts:
        sheet = book.add_worksheet(table.title[:31])
        sheet.freeze_panes(1, 0)
        sheet.write_row(0, 0, [title for title, _kind in table.columns], bold)
        for i, (_title, kind) in enumerate(table.columns):
            if kind == PERCENT:
                sheet.set_column(i, i, None, percent)
        for number, row in enumerate(table.rows, start=1):
            write_cells(sheet, number, row)
    book.close()
    return out.getvalue()


def to_csv(table: Table) -> bytes:
    """Write one table as CSV in UTF-8 with a byte order mark (so that Excel reads Chinese); shares as
    decimals, e.g. 0.125 for 12.5%."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([title for title, _kind in table.columns])
    for row in table.rows:
        writer.writerow(["" if v is None else (round(v, 6) if isinstance(v, float) else csv_value(v)) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def build(session, campaign, what: str, fmt: str, county: str | None,
          options: Options) -> tuple[bytes, dict, int]:
    """Return the file of an export, its download headers and how many rows it holds (for the audit log)."""
    parts = tables(session, campaign, what, county, options)
    if fmt == "csv":
        parts = parts[:1]
    body = to_xlsx(parts) if fmt == "xlsx" else to_csv(parts[0])
    return body, download_headers(campaign, what, fmt, county, parts), sum(len(t.rows) for t in parts)


def download_headers(campaign, what: str, fmt: str, county: str | None, parts: list[Table]) -> dict:
    """Name the file after what it holds, e.g. 回访记录-<campaign>[-<county>]-<YYYYMMDD>.xlsx."""
    title = pgettext("file name", "Statistics") if what == "statistics" else parts[0].title
    day = local_today()
    name = file_name([title, campaign.name, county_name(county) if county else None], day, fmt)
    return attachment(name, f"{what}-{campaign.id}{'-' + county if county else ''}-{day:%Y%m%d}.{fmt}")


def record_use(action: str, campaign_id: int, **detail) -> None:
    """Write to the audit log that a report was exported or printed, in a write transaction of its own."""
    with db.write_transaction():
        auditlog.record(action, "campaign", campaign_id, **detail)
