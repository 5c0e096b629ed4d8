"""The holiday calendar page: a year's public holidays and make-up working days, shown month by month."""

import calendar as months
from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from admin import holidays
from admin.routes import bp
from auth.permissions import require
from core.clock import now
from core.inputs import PageForm
from core.timefmt import local_date


def month_grids(year: int, closed: set[str], opened: set[str]) -> list[tuple[int, list[list[tuple[int, str]]]]]:
    """Return each month as weeks of (day, kind) from Monday; kind: holiday, workday, weekend, day, or
    "" for the blanks before the first and after the last day."""
    grids = []
    for month in range(1, 13):
        weeks = []
        for week in months.Calendar().monthdatescalendar(year, month):
            row = []
            for day in week:
                iso = day.isoformat()
                kind = ("" if day.month != month else "holiday" if iso in closed else "workday" if iso in opened
                        else "weekend" if day.weekday() >= 5 else "day")
                row.append((day.day if day.month == month else 0, kind))
            weeks.append(row)
        grids.append((month, weeks))
    return grids


def as_lines(days: list[str]) -> str:
    """Write dates one a line, runs of consecutive days as "first 至 last"."""
    runs: list[list[date]] = []
    for day in sorted(date.fromisoformat(d) for d in days):
        if runs and (day - runs[-1][-1]).days == 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return "\n".join(r[0].isoformat() if len(r) == 1 else f"{r[0].isoformat()} 至 {r[-1].isoformat()}" for r in runs)


@bp.route("/calendar", defaults={"year": None}, methods=["GET", "POST"])
@bp.route("/calendar/<int:year>", methods=["GET", "POST"])
@require("settings")
def calendar(year: int | None):
    """Show and edit a year's holidays and make-up working days (this year when none is given)."""
    year = year or local_date(now()).year
    if not holidays.FIRST_YEAR <= year <= holidays.LAST_YEAR:
        return redirect(url_for("admin.calendar"))
    form = PageForm()
    problems: list[tuple[str, str]] = []
    days = holidays.calendar_for(year)
    closed_text, open_text = as_lines(days["closed"]), as_lines(days["open"])
    if form.validate_on_submit():
        if request.form.get("official") and year in holidays.OFFICIAL_CALENDARS:
            closed, opened = holidays.OFFICIAL_CALENDARS[year]["closed"], holidays.OFFICIAL_CALENDARS[year]["open"]
        else:
            closed_text, open_text = request.form.get("closed", ""), request.form.get("open", "")
            closed, closed_problems = holidays.parse_days(closed_text, year, _("Public holidays"))
            opened, open_problems = holidays.parse_days(open_text, year, _("Make-up working days"))
            problems = closed_problems + open_problems
        if not problems:
            problems = holidays.save_calendar(year, closed, opened, current_user, via="page")
        if not problems:
            flash(_("The %(year)d calendar is saved; the follow-up plans by it from now on.", year=year), "success")
            return redirect(url_for("admin.calendar", year=year))
    return render_template("admin/calendar.html", form=form, year=year, problems=problems,
                           closed_text=closed_text, open_text=open_text, source=holidays.source_of(year),
                           grids=month_grids(year, set(days["closed"]), set(days["open"])),
                           counts=(len(days["closed"]), len(days["open"])), pinned=holidays.pinned(),
                           official=year in holidays.OFFICIAL_CALENDARS, years=holidays.known_years(),
                           weekday_names=[_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")])
