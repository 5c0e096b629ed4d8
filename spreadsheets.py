"""Text from the rosters written to spreadsheets as text: never as a formula Excel would run.

A county file can carry a name or address such as "=HYPERLINK(...)". openpyxl writes any text that
starts with "=" as a formula, and Excel runs formulas in a CSV file it opens; both are neutralised
here, as OWASP advises for CSV injection.
"""

from openpyxl.cell import WriteOnlyCell

_CSV_TRIGGERS = ("=", "@", "\t", "\r")


def xlsx_row(sheet, values) -> list:
    """Return a row for sheet.append, each text starting with "=" in a cell typed as plain text."""
    return [_text_cell(sheet, v) if isinstance(v, str) and v.startswith("=") else v for v in values]


def _text_cell(sheet, value: str):
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # shown as typed, not evaluated
    return cell


def csv_value(value):
    """Return a CSV field that Excel reads as text: a formula-like text gets a leading apostrophe.

    "+" and "-" count only before a non-digit, so that phone numbers (+86…) and negative numbers stay
    as they are.
    """
    if not isinstance(value, str) or not value:
        return value
    if value.startswith(_CSV_TRIGGERS) or (value[0] in "+-" and len(value) > 1 and not value[1].isdigit()):
        return "'" + value
    return value
