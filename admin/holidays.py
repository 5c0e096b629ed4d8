"""The public holiday and make-up working day calendar (法定节假日和调休), one stored setting per year.

A year the administrator has not edited reads the official calendar shipped in config/holidays.py
(none for a year not listed there). The follow-up plans no call on a holiday and plans calls on a
make-up working day as on any working day (callbacks.rules.is_calling_day).
"""

import re
from datetime import date, timedelta

from flask_babel import gettext as _

from admin import settings_store
from admin.setting_fields import check_followup
from config.holidays import OFFICIAL_CALENDARS

FIRST_YEAR, LAST_YEAR = 2020, 2100
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*(?:(?:\.\.|至|~|–|—|to)\s*(\d{4}-\d{2}-\d{2}))?$")


def key_of(year: int) -> str:
    """Return the stored setting's key of a year's calendar."""
    return f"{settings_store.CALENDAR_PREFIX}{year}"


def calendar_for(year: int) -> dict[str, list[str]]:
    """Return a year's holidays ("closed") and make-up working days ("open") as sorted ISO dates."""
    stored = settings_store.stored_values().get(key_of(year))
    chosen = stored if stored is not None else OFFICIAL_CALENDARS.get(year, {"closed": [], "open": []})
    return {"closed": sorted(chosen.get("closed", [])), "open": sorted(chosen.get("open", []))}


def source_of(year: int) -> str:
    """Say where a year's calendar comes from: "stored", "official" or "none"."""
    if key_of(year) in settings_store.stored_values():
        return "stored"
    return "official" if year in OFFICIAL_CALENDARS else "none"


def known_years() -> list[int]:
    """Return the years that have a calendar, stored or official."""
    stored = {int(key.removeprefix(settings_store.CALENDAR_PREFIX)) for key in settings_store.stored_values()
              if key.startswith(settings_store.CALENDAR_PREFIX)}
    return sorted(stored | set(OFFICIAL_CALENDARS))


def all_dates() -> tuple[list[str], list[str]]:
    """Return every year's holidays and make-up working days, for the retry rules."""
    closed: list[str] = []
    opened: list[str] = []
    for year in known_years():
        days = calendar_for(year)
        closed += days["closed"]
        opened += days["open"]
    return closed, opened


def pinned() -> bool:
    """Tell whether the operator pinned the dates in FOLLOWUP_RULES (then this calendar is not used)."""
    pins = settings_store.pinned("FOLLOWUP_RULES")
    return pins is True or "closed_dates" in pins or "open_dates" in pins


def parse_days(text: str, year: int, what: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Read dates and ranges, one a line ("2026-10-01" or "2026-10-01 至 2026-10-07"); list problems by line."""
    days: list[str] = []
    problems: list[tuple[str, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.split("#")[0].strip()
        if not line:
            continue
        where = _("%(what)s, line %(n)d", what=what, n=number)
        match = _RANGE.match(line)
        try:
            first = date.fromisoformat(match[1]) if match else None
            last = date.fromisoformat(match[2]) if match and match[2] else first
        except ValueError:
            first = last = None
        if first is None or last is None:
            problems.append((where, _("%(text)s is not a date (YYYY-MM-DD) or a range of dates", text=line)))
            continue
        if last < first or (last - first).days > 31:
            problems.append((where, _("%(text)s: the range must run forward and span at most a month", text=line)))
            continue
        if first.year != year or last.year != year:
            problems.append((where, _("%(text)s is not in %(year)d", text=line, year=year)))
            continue
        days += [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]
    return sorted(set(days)), problems


def check_calendar(year: int, closed: list[str], opened: list[str]) -> list[tuple[str, str]]:
    """List what is wrong with a year's calendar: a day both kinds, a make-up day not on a weekend."""
    problems = [(day, _("is both a holiday and a make-up working day")) for day in sorted(set(closed) & set(opened))]
    problems += [(day, _("is a weekday: a make-up working day falls on a Saturday or Sunday"))
                 for day in opened if date.fromisoformat(day).weekday() < 5]
    if not problems:
        others_closed, others_open = all_dates()
        rules = settings_store.effective_table("FOLLOWUP_RULES") | {
            "closed_dates": sorted({*(d for d in others_closed if not d.startswith(str(year))), *closed}),
            "open_dates": sorted({*(d for d in others_open if not d.startswith(str(year))), *opened})}
        problems += check_followup(rules)
    return problems


def save_calendar(year: int, closed: list[str], opened: list[str], user, via: str) -> list[tuple[str, str]]:
    """Check and store a year's calendar; return the problems (nothing is stored when there are any)."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return [(str(year), _("the year must lie between %(a)d and %(b)d", a=FIRST_YEAR, b=LAST_YEAR))]
    if pinned():
        return [(str(year), _("the operator pinned the holidays in the configuration; they cannot be changed here"))]
    problems = check_calendar(year, closed, opened)
    if not problems:
        settings_store.store(key_of(year), {"closed": sorted(set(closed)), "open": sorted(set(opened))}, user, via)
    return problems
