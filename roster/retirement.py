"""Statutory retirement dates under China's 2025 gradual retirement-age reform.

Source: 全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的决定 (13 September 2024) and its
annex 国务院关于渐进式延迟法定退休年龄的办法. From 1 January 2025:

| who                             | old age | raised by                | up to | first delayed births |
| ------------------------------- | ------- | ------------------------ | ----- | -------------------- |
| men                             | 60      | 1 month every 4 months   | 63    | January 1965         |
| women, cadre track (原55岁)     | 55      | 1 month every 4 months   | 58    | January 1970         |
| women, worker track (原50岁)    | 50      | 1 month every 2 months   | 55    | January 1975         |

Whoever reached the old age before 2025 keeps it. The delay depends only on the birth month: the
first step of births (e.g. men born January-April 1965) gets one month, the next step two, and so
on to the cap (men born September 1976 or later: 63). For example a man born in June 1975 is 125
months after January 1965, in step 125 // 4 + 1 = 32, so he retires at 62 years 8 months, in
February 2038.

The reform counts in months; this module gives a day: the birth day in the month the retirement age
is reached, or that month's last day when it has fewer days (born 31 January 1965 → 28 February 2025).

Which track a woman is on depends on her last post (管理和专业技术岗位 or 生产和工勤岗位), which a
roster does not record. The default is the cadre track because it gives the later date: a woman
flagged "past statutory retirement age" with it is past it on either track, so the data-quality
flag never accuses a county of keeping someone who may still lawfully be of working age. Flexible
workers (灵活就业人员) follow the 55-year track too.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import NamedTuple


class _Track(NamedTuple):
    """One line of the reform's schedule."""

    old_age_years: int
    first_delayed_birth: tuple[int, int]  # (year, month)
    months_per_step: int
    max_delay_months: int


_TRACKS = {
    ("1", "cadre"): _Track(60, (1965, 1), 4, 36),
    ("1", "worker"): _Track(60, (1965, 1), 4, 36),  # men have one track; accept either name
    ("2", "cadre"): _Track(55, (1970, 1), 4, 36),
    ("2", "worker"): _Track(50, (1975, 1), 2, 60),
}


def _track(gender: str, female_track: str) -> _Track:
    """Look up the schedule for a gender code and a women's track."""
    try:
        return _TRACKS[(gender, female_track)]
    except KeyError:
        raise ValueError(
            f"gender must be '1' or '2' and female_track 'cadre' or 'worker', got {gender!r}, {female_track!r}"
        ) from None


def delay_months(birth: date, gender: str, female_track: str = "cadre") -> int:
    """Return by how many months the reform delays retirement for this birth month."""
    track = _track(gender, female_track)
    first_year, first_month = track.first_delayed_birth
    months_after_first = (birth.year - first_year) * 12 + (birth.month - first_month)
    if months_after_first < 0:
        return 0
    return min(track.max_delay_months, months_after_first // track.months_per_step + 1)


def retirement_age_months(birth: date, gender: str, female_track: str = "cadre") -> int:
    """Return the statutory retirement age in months (e.g. 62 years 8 months -> 752)."""
    track = _track(gender, female_track)
    return track.old_age_years * 12 + delay_months(birth, gender, female_track)


def _add_months(day: date, months: int) -> date:
    """Add months to a date, clamping to the last day of a shorter month (and of the calendar)."""
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    month += 1
    if year > date.max.year:  # a birth date no person has: stay total rather than raise
        return date.max
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def statutory_retirement_date(birth: date, gender: str, female_track: str = "cadre") -> date:
    """Return the day a person reaches statutory retirement age."""
    return _add_months(birth, retirement_age_months(birth, gender, female_track))


def is_past_retirement(birth: date, gender: str, on: date, female_track: str = "cadre") -> bool:
    """Say whether a person has reached statutory retirement age on the given day."""
    return on >= statutory_retirement_date(birth, gender, female_track)
