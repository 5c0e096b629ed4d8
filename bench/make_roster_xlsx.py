"""Write the rows of a roster CSV (bench/make_roster_csv.py) as an XLSX workbook, as a county's Excel would.

    python bench/make_roster_xlsx.py --csv bench/data/roster_1m.csv --output bench/data/roster_1m.xlsx

One sheet, the CSV's header row and rows in order: the dates as date cells (yyyy-mm-dd), the ID,
certificate and phone numbers as text (a county that keeps them as numbers loses digits; the import
refuses those). Written row by row with XlsxWriter's constant-memory mode (strings in line, not in
a shared table: openpyxl's write-only mode, which shares them as Excel does, took 36 minutes per
million rows), so memory stays flat. With --shared-strings the strings go in a shared table as
Excel and WPS write them (XlsxWriter's default mode, which holds the whole sheet in memory until it
is saved: fine for 200,000 rows, a few GB for a million).
"""

import argparse
import csv
import sys
import time
from datetime import date
from pathlib import Path

import xlsxwriter

DATE_COLUMNS = (7, 11)  # 失业登记日期, 注销日期


def main(argv: list[str] | None = None) -> int:
    """Convert the CSV and report the time taken."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=Path("bench/data/roster_1m.csv"))
    parser.add_argument("--output", type=Path, default=Path("bench/data/roster_1m.xlsx"))
    parser.add_argument("--shared-strings", action="store_true", help="a shared strings table, as Excel writes")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    workbook = xlsxwriter.Workbook(str(args.output), {"constant_memory": not args.shared_strings})
    sheet = workbook.add_worksheet("名册")
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    rows = 0
    with args.csv.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        sheet.write_row(0, 0, next(reader))
        for rows, values in enumerate(reader, start=1):
            for column, value in enumerate(values):
                if not value:
                    continue
                if column in DATE_COLUMNS:
                    sheet.write_datetime(rows, column, date.fromisoformat(value), day)
                else:
                    sheet.write_string(rows, column, value)
    workbook.close()
    seconds = time.perf_counter() - started
    print(f"{rows} rows -> {args.output} ({args.output.stat().st_size / 1e6:.0f} MB) in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
