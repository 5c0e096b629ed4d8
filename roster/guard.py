"""What an import would do to each county's register, and which of it needs a person's confirmation.

Pure functions on the per-county counts a batch's check stores (`ImportBatch.county_counts`):
`before` persons on the current roster, `after` valid rows of the county in the file, and how many
are `added`, `updated`, `unchanged` or `removed` (on the roster, absent from the file). A file is
a county's whole register, so a wrong or partial file takes people off it: the rules below stop
that from happening by one click.
"""

from fractions import Fraction

LARGE_REMOVAL = Fraction(1, 2)  # above this share the user types the county's name to confirm
SUSPICIOUS_SHARE = Fraction(1, 10)  # a county with fewer rows than this share of its register
FIRST_ROWS = 20  # rows of each county the check keeps, to show a suspicious county's rows


def removals_to_confirm(county_counts: dict, max_share) -> list[dict]:
    """Return the counties whose register the import would shrink beyond max_share, or by over half.

    max_share is a share of the county's current persons (e.g. 0.05); it is read as the decimal it
    was written as, so that 5 removed of 100 at 0.05 is exactly at the limit and needs nothing.
    """
    limit = Fraction(str(max_share))
    affected = []
    for code in sorted(county_counts):
        counts = county_counts[code]
        before, removed = counts.get("before", 0), counts.get("removed", 0)
        if not before or not removed:
            continue
        share = Fraction(removed, before)
        large = share > LARGE_REMOVAL
        if share > limit or large:
            affected.append(county_change(code, counts) | {"large": large})
    return affected


def suspicious_counties(county_counts: dict) -> list[dict]:
    """Return the counties of a several-county file that have only a handful of its rows.

    A county named by a few stray rows of another county's file would lose almost its whole
    register; "a handful" is fewer rows than a tenth of its current persons.
    """
    if len(county_counts) < 2:
        return []
    return [county_change(code, counts) | {"first_rows": counts.get("first_rows", [])}
            for code, counts in sorted(county_counts.items())
            if counts.get("before", 0) and Fraction(counts.get("after", 0), counts["before"]) < SUSPICIOUS_SHARE]


def county_change(code: str, counts: dict) -> dict:
    """Return one county's change as the pages, the CLI and the API show it."""
    return {"county": code, "before": counts.get("before", 0), "after": counts.get("after", 0),
            "added": counts.get("added", 0), "removed": counts.get("removed", 0)}


def typed_name_matches(typed: str, names: tuple[str, ...]) -> bool:
    """Tell whether what the user typed is the county's name (Chinese or English, spaces ignored)."""
    wanted = "".join((typed or "").split()).casefold()
    return bool(wanted) and any(wanted == "".join(name.split()).casefold() for name in names if name)
