"""Moments in Shanghai time and attempts at them, for the retry-rule tests."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from callbacks.rule_settings import RetryRules
from callbacks.rules import AttemptFact

SH = ZoneInfo("Asia/Shanghai")
RULES = RetryRules()


def at(text: str) -> datetime:
    """Read "YYYY-MM-DD HH:MM" as Shanghai time, or as UTC when it ends in Z."""
    if text.endswith("Z"):
        return datetime.fromisoformat(text[:-1]).replace(tzinfo=UTC)
    return datetime.fromisoformat(text).replace(tzinfo=SH)


def local(moment: datetime | None) -> str | None:
    """Show a moment as Shanghai "YYYY-MM-DD HH:MM"."""
    return None if moment is None else moment.astimezone(SH).strftime("%Y-%m-%d %H:%M")


def phone(when: str, code: str, appointment: str | None = None) -> AttemptFact:
    """Make a phone attempt."""
    return AttemptFact(at(when), "phone", code, at(appointment) if appointment else None)


def visit(when: str, code: str) -> AttemptFact:
    """Make a visit attempt."""
    return AttemptFact(at(when), "visit", code)
