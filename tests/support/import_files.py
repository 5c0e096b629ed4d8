"""Make roster files for import tests: county files in the formats offices really send."""

import csv
import io
from datetime import date

from demo.roster import CSV_HEADERS, generate_roster, write_csv

TODAY = date(2026, 11, 20)


def demo_rows(total=300, seed=5, county=None):
    """Return demo roster rows, optionally all moved into one county."""
    rows = generate_roster(seed, TODAY, total=total).rows
    if county:
        rows = [dict(r, county_code=county) for r in rows]
    return rows


def csv_file(path, rows, encoding="utf-8-sig"):
    """Write rows as a county CSV file and return its path."""
    write_csv(rows, str(path), encoding=encoding)
    return str(path)


def csv_text(rows_of_values, headers=CSV_HEADERS) -> str:
    """Render raw cell values under the given headers as CSV text."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows_of_values)
    return out.getvalue()
