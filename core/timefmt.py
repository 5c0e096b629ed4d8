"""Times for people: stored in UTC, shown in the configured zone (Asia/Shanghai) as YYYY-MM-DD HH:MM.

Pages use the `local_time` Jinja filter; exports, file names and CLI output call the same functions.
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

PATTERN = "%Y-%m-%d %H:%M"
DEFAULT_ZONE = "Asia/Shanghai"


def _zone(zone: str | None) -> ZoneInfo:
    """Return the zone asked for, else the app's TIMEZONE setting, else Asia/Shanghai."""
    if zone:
        return ZoneInfo(zone)
    from flask import current_app, has_app_context

    return ZoneInfo(current_app.config["TIMEZONE"] if has_app_context() else DEFAULT_ZONE)


def to_local(moment: datetime, zone: str | None = None) -> datetime:
    """Convert a stored time to local time; a naive value is UTC (SQLite drops the offset)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(_zone(zone))


def local_time(moment: datetime | None, zone: str | None = None) -> str:
    """Format a stored time for people, e.g. 2026-12-02 16:16 (empty for no time)."""
    return to_local(moment, zone).strftime(PATTERN) if moment else ""


def local_date(moment: datetime, zone: str | None = None) -> date:
    """Return the local calendar date of a stored time."""
    return to_local(moment, zone).date()


def local_today(zone: str | None = None) -> date:
    """Return today's date in local time."""
    return datetime.now(_zone(zone)).date()
