"""The retry rules' settings: `RetryRules`, read from plain config values (FOLLOWUP_RULES) and checked.

Pure, like callbacks.rules which applies them: no Flask, no database, no clock read.
"""

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields
from datetime import date, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class RulesError(ValueError):
    """Invalid retry-rule settings; `problems` lists every one found, not only the first."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class RetryRules:
    """The configurable retry rules; construct with `from_dict` from plain config values."""

    max_phone_attempts: int = 3  # K: counted phone attempts before the task becomes a visit
    min_hours_between: float = 4.0  # H: between two attempts on the same channel
    different_days: bool = True  # each attempt on a channel on a day of its own
    calling_windows: tuple[tuple[time, time], ...] = ((time(9), time(12)), (time(14), time(20)))
    slot_boundaries: tuple[time, ...] = (time(12), time(17))  # morning | afternoon | evening
    call_on_weekdays: bool = True
    call_on_weekends: bool = False
    closed_dates: frozenset[date] = frozenset()  # public holidays
    open_dates: frozenset[date] = frozenset()  # make-up working days (调休) falling on weekends
    max_visit_attempts: int = 2  # V: failed visits before the unit ends unreachable
    max_appointments: int = 3  # appointments honoured without counting against K
    appointment_hours: tuple[time, time] = (time(8), time(21))  # sanity bounds, inclusive
    appointment_horizon_days: int = 30
    appointment_grace_minutes: int = 30  # an appointment is missed this long after its time
    claim_timeout_minutes: int = 30
    timezone: str = "Asia/Shanghai"

    def __post_init__(self) -> None:
        problems = _rule_problems(self)
        if problems:
            raise RulesError(problems)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> "RetryRules":
        """Build rules from plain config values (times "HH:MM", windows "HH:MM-HH:MM", ISO dates)."""
        data = dict(data or {})
        known = {f.name for f in fields(cls)}
        problems = [f"{key}: unknown setting" for key in sorted(set(data) - known)]
        values: dict[str, Any] = {}
        for key in sorted(set(data) & known):
            try:
                values[key] = _parser(key)(data[key])
            except (TypeError, ValueError) as exc:
                problems.append(f"{key}: {exc} ({data[key]!r})")
        try:
            rules = cls(**values)
        except RulesError as exc:
            problems += exc.problems
        if problems:
            raise RulesError(problems)
        return rules

    def to_dict(self) -> dict[str, Any]:
        """Return the rules as plain config values, the inverse of `from_dict`."""
        out = asdict(self)
        out["calling_windows"] = [_format_window(w) for w in self.calling_windows]
        out["slot_boundaries"] = [t.strftime("%H:%M") for t in self.slot_boundaries]
        out["appointment_hours"] = _format_window(self.appointment_hours)
        out["closed_dates"] = sorted(d.isoformat() for d in self.closed_dates)
        out["open_dates"] = sorted(d.isoformat() for d in self.open_dates)
        return out


def _parse_bool(value: Any) -> bool:
    """Read a yes/no setting; environment variables give every value as a string."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError("not a yes/no value")


def _parse_int(value: Any) -> int:
    """Read a whole-number setting."""
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise ValueError("not a whole number")
    return int(value)


def _parse_time(value: Any) -> time:
    """Read "HH:MM" as a time of day."""
    if isinstance(value, time):
        return value
    hours, _, minutes = str(value).strip().partition(":")
    return time(int(hours), int(minutes or 0))


def _parse_window(value: Any) -> tuple[time, time]:
    """Read "HH:MM-HH:MM" (or a pair) as a (start, end) window."""
    start, end = value.split("-") if isinstance(value, str) else value
    return _parse_time(start), _parse_time(end)


def _format_window(window: tuple[time, time]) -> str:
    """Write a window as "HH:MM-HH:MM"."""
    return f"{window[0]:%H:%M}-{window[1]:%H:%M}"


def _items(value: Any) -> list[Any]:
    """Read a list setting; a string is a comma-separated list."""
    return [part for part in value.split(",") if part.strip()] if isinstance(value, str) else list(value)


def _parse_dates(values: Any) -> frozenset[date]:
    """Read ISO dates as a set of dates."""
    return frozenset(v if isinstance(v, date) else date.fromisoformat(str(v).strip()) for v in _items(values))


def _parser(name: str) -> Callable[[Any], Any]:
    """Return the function that turns a plain config value into the named field's type."""
    special: dict[str, Callable[[Any], Any]] = {
        "calling_windows": lambda v: tuple(sorted(_parse_window(w) for w in _items(v))),
        "slot_boundaries": lambda v: tuple(_parse_time(t) for t in _items(v)),
        "appointment_hours": _parse_window,
        "closed_dates": _parse_dates,
        "open_dates": _parse_dates,
        "timezone": str,
        "min_hours_between": float,
    }
    if name in special:
        return special[name]
    default = getattr(RetryRules, name)
    return _parse_bool if isinstance(default, bool) else _parse_int


def _rule_problems(r: RetryRules) -> list[str]:
    """List what is wrong with a set of rules."""
    problems = []
    whole = {"max_phone_attempts": 0, "max_visit_attempts": 0, "max_appointments": 0,
             "appointment_grace_minutes": 0, "appointment_horizon_days": 1, "claim_timeout_minutes": 1}
    for name, low in whole.items():
        if isinstance(value := getattr(r, name), bool) or not isinstance(value, int) or value < low:
            problems.append(f"{name}: must be a whole number >= {low}")
    if not isinstance(r.min_hours_between, int | float) or r.min_hours_between < 0:
        problems.append("min_hours_between: must be a number >= 0")
    windows = r.calling_windows
    if not windows:
        problems.append("calling_windows: at least one window is needed")
    if any(start >= end for start, end in windows):
        problems.append("calling_windows: each window must start before it ends")
    if any(a[1] > b[0] for a, b in zip(windows, windows[1:], strict=False)):
        problems.append("calling_windows: windows must be in order and must not overlap")
    if list(r.slot_boundaries) != sorted(set(r.slot_boundaries)):
        problems.append("slot_boundaries: must be strictly increasing")
    if not (r.call_on_weekdays or r.call_on_weekends):
        problems.append("call_on_weekdays, call_on_weekends: at least one must be allowed")
    if r.appointment_hours[0] >= r.appointment_hours[1]:
        problems.append("appointment_hours: must start before it ends")
    try:
        ZoneInfo(r.timezone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        problems.append(f"timezone: unknown time zone {r.timezone!r}")
    return problems
