"""Spreadsheets for the roster area: a batch's error report and the data-quality table."""

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from core.spreadsheets import xlsx_row
from roster.columns import FIELD_BY_NAME

SEVERITY_ZH = {"error": "错误（未导入）", "warning": "提示（已导入）"}


def _save(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def error_report_xlsx(batch, problems) -> bytes:
    """List every problem of a batch: row, column, value as given, reason in Chinese (and English)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("错误报告")
    sheet.append([f"导入批次 #{batch.id}：{batch.filename}"])
    sheet.append([f"读取 {batch.rows_read} 行，导入 {batch.rows_valid} 行，拒绝 {batch.rows_rejected} 行"])
    sheet.append(["行号", "列", "原始值", "严重程度", "原因", "Reason"])
    for p in problems:
        field = FIELD_BY_NAME.get(p.field)
        sheet.append(xlsx_row(sheet, [p.row, field.label_zh if field else (p.field or ""), p.value or "",
                                      SEVERITY_ZH.get(p.severity, p.severity), p.message_zh, p.message_en]))
    return _save(workbook)


def quality_xlsx(rows, county_names: dict, flag_labels: dict) -> bytes:
    """Write the data-quality table, one row per county."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "数据质量"
    header = ["县（市、区）代码", "县（市、区）", "名册人数", "登记在册", *flag_labels.values()]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(xlsx_row(sheet, [row["county_code"], county_names.get(row["county_code"], ""), row["total"],
                                      row["registered"], *(row[name] for name in flag_labels)]))
    return _save(workbook)
