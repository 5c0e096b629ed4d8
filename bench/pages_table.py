"""Render the page-budget results of bench_pages.py (its --json files) as one Markdown table.

    .venv/bin/python bench/pages_table.py /tmp/sqlite.json /tmp/postgresql.json > table.md

One row per URL, one column per user; each cell gives median / p95 in ms for each file in turn
(SQLite · PostgreSQL), **✗** when over budget, or the status code when the user may not open the URL.
"""

import json
import sys
from pathlib import Path

USERS = ("coordinator", "caller", "manager", "liaison")


def cell(row: dict) -> str:
    status = row["status"]
    if not isinstance(status, int) or status >= 400:
        return str(status)
    text = f"{row['median_ms']:.0f} / {row['p95_ms']:.0f}" + (f" ({status})" if status != 200 else "")
    return f"**{text} ✗**" if row["over_budget"] else text


def main(paths: list[str]) -> None:
    runs = [json.loads(Path(path).read_text(encoding="utf-8")) for path in paths]
    by_key = [{(r["url"], r["user"]): r for r in run["rows"]} for run in runs]
    urls = list(dict.fromkeys(r["url"] for run in runs for r in run["rows"]))
    print(f"| route | kind | {' | '.join(USERS)} |")
    print("| --- | --- |" + " --- |" * len(USERS))
    for url in sorted(urls):
        kinds = {rows[(url, user)]["export"] for rows in by_key for user in USERS if (url, user) in rows}
        cells = []
        for user in USERS:
            parts = [cell(rows[(url, user)]) if (url, user) in rows else "—" for rows in by_key]
            same_status = len(set(parts)) == 1 and "/" not in parts[0]  # refused alike: say it once
            cells.append(parts[0] if same_status else " · ".join(parts))
        print(f"| `{url}` | {'export' if True in kinds else 'page/JSON'} | {' | '.join(cells)} |")


if __name__ == "__main__":
    main(sys.argv[1:])
