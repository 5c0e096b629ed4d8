"""The one clock of the app: tests and the demo set CLOCK to a callable to fix the time."""

from datetime import UTC, datetime

from flask import current_app, has_app_context


def now() -> datetime:
    """Return the current time in UTC (the CLOCK setting's answer when one is set)."""
    clock = current_app.config.get("CLOCK") if has_app_context() else None
    return clock() if clock else datetime.now(UTC)
