"""Every checklist of a campaign as one XLSX (a sheet per county and an overview), for the team's files.
Text is written as text: never a formula, whatever it starts with (core.spreadsheets)."""

from __future__ import annotations

import io
from datetime import date

from checklists.figures import describe
from checklists.progress import overview
from config.checklist import item_number
from core.spreadsheets import streaming_workbook
from documents.content import county_label, every_county_sheet, zh

HEADER = ("序号", "核查方面", "核查内容", "核查方式", "结论", "主要情况", "台账页码", "责任单位", "整改时限",
          "核查人", "核查日期", "签核", "数据", "佐证材料")


def build(session, campaign, counties: list[str], today: date) -> bytes:
    """Return the workbook of the given counties' checklists."""
    out = io.BytesIO()
    book = streaming_workbook(out)
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet("总览")
    sheet.write_row(0, 0, ("县（市、区）", "核查事项", "已形成结论", "符合", "基本符合", "不符合", "不适用", "已签核",
                           "座谈会等", "待整改"), bold)
    for n, r in enumerate(overview(session, campaign, today, counties), start=1):
        c = r["conclusions"]
        sheet.write_row(n, 0, (county_label(session, r["code"]), r["items"], r["checked"], c["compliant"],
                               c["largely_compliant"], c["noncompliant"], c["not_applicable"], r["signed_off"],
                               r["meetings"], r["rectification"]["open"]))
    sheets = every_county_sheet(session, campaign, counties, today)
    for code in counties:
        sheet = book.add_worksheet(f"{county_label(session, code)}"[:28] or code)
        sheet.write_row(0, 0, HEADER, bold)
        sheet.set_column(2, 2, 60)
        sheet.set_column(5, 5, 40)
        for n, row in enumerate(sheets[code], start=1):
            e = row.entry
            sheet.write_row(n, 0, (
                item_number(row.item.key), zh("check_area", row.item.area), row.item.text,
                "、".join(zh("check_method", m) for m in row.item.methods),
                zh("conclusion", row.conclusion) if row.conclusion else "", e.findings if e else "",
                e.ledger_ref if e else "", (e.responsible_unit or "") if e else "",
                e.due_on.isoformat() if e and e.due_on else "",
                (e.checker.display_name or e.checker.username) if e and e.checker else "",
                e.checked_on.isoformat() if e and e.checked_on else "", "是" if e and e.signed_off_at else "",
                "；".join(describe(f, True) for f in row.figures),
                "；".join(f"{f.filename}（SHA-256 {f.sha256[:12]}）" for f in row.files)))
    book.close()
    return out.getvalue()
