"""Statutory retirement dates under the 2025 gradual retirement-age reform.

Each expected date is worked by hand: months since the first delayed birth month, step =
months // (4 or 2) + 1, capped; retirement = birth + old age + step months. Where a row says
"(published)", the month also appears in calculators that reproduce the official table
(e.g. a man born January 1966 retires in May 2026).
"""

from datetime import date

import pytest

from roster.retirement import (
    delay_months,
    is_past_retirement,
    retirement_age_months,
    statutory_retirement_date,
)

MAN, WOMAN = "1", "2"

CASES = [
    # (birth, gender, track, expected date, expected age as (years, months))
    # Men: 60, +1 month every 4 months from births in January 1965, up to 63.
    (date(1964, 12, 15), MAN, "cadre", date(2024, 12, 15), (60, 0)),  # reached 60 before 2025
    (date(1965, 1, 1), MAN, "cadre", date(2025, 2, 1), (60, 1)),  # first step (published: 2025-02)
    (date(1965, 1, 31), MAN, "cadre", date(2025, 2, 28), (60, 1)),  # no 31 February: month end
    (date(1965, 4, 30), MAN, "cadre", date(2025, 5, 30), (60, 1)),  # still the first step
    (date(1965, 5, 1), MAN, "cadre", date(2025, 7, 1), (60, 2)),  # second step
    (date(1965, 12, 10), MAN, "cadre", date(2026, 3, 10), (60, 3)),  # 11 months: step 3
    (date(1966, 1, 20), MAN, "cadre", date(2026, 5, 20), (60, 4)),  # published: 2026-05
    (date(1970, 5, 8), MAN, "cadre", date(2031, 10, 8), (61, 5)),  # 64 months: step 17
    (date(1970, 6, 8), MAN, "cadre", date(2031, 11, 8), (61, 5)),  # 65 months: step 17
    (date(1975, 6, 3), MAN, "cadre", date(2038, 2, 3), (62, 8)),  # 125 months: 32 (published: 2038-02)
    (date(1976, 8, 31), MAN, "cadre", date(2039, 7, 31), (62, 11)),  # 139 months: step 35
    (date(1976, 9, 1), MAN, "cadre", date(2039, 9, 1), (63, 0)),  # 140 months: cap 36 reached
    (date(1980, 1, 1), MAN, "worker", date(2043, 1, 1), (63, 0)),  # men have one track
    # Women, cadre track: 55, +1 month every 4 months from births in January 1970, up to 58.
    (date(1965, 7, 1), WOMAN, "cadre", date(2020, 7, 1), (55, 0)),
    (date(1969, 12, 31), WOMAN, "cadre", date(2024, 12, 31), (55, 0)),
    (date(1970, 1, 1), WOMAN, "cadre", date(2025, 2, 1), (55, 1)),  # published: 2025-02
    (date(1970, 6, 15), WOMAN, "cadre", date(2025, 8, 15), (55, 2)),  # published: 2025-08
    (date(1970, 9, 15), WOMAN, "cadre", date(2025, 12, 15), (55, 3)),  # published: 2025-12
    (date(1971, 6, 15), WOMAN, "cadre", date(2026, 11, 15), (55, 5)),  # published: 2026-11
    (date(1975, 6, 15), WOMAN, "cadre", date(2031, 11, 15), (56, 5)),  # 65 months: step 17
    (date(1981, 8, 31), WOMAN, "cadre", date(2039, 7, 31), (57, 11)),  # 139 months: step 35
    (date(1981, 9, 1), WOMAN, "cadre", date(2039, 9, 1), (58, 0)),  # cap 36
    # Women, worker track: 50, +1 month every 2 months from births in January 1975, up to 55.
    (date(1965, 7, 1), WOMAN, "worker", date(2015, 7, 1), (50, 0)),
    (date(1970, 3, 5), WOMAN, "worker", date(2020, 3, 5), (50, 0)),
    (date(1974, 12, 20), WOMAN, "worker", date(2024, 12, 20), (50, 0)),
    (date(1975, 1, 10), WOMAN, "worker", date(2025, 2, 10), (50, 1)),  # published: 2025-02
    (date(1975, 2, 28), WOMAN, "worker", date(2025, 3, 28), (50, 1)),  # same 2-month step
    (date(1975, 3, 1), WOMAN, "worker", date(2025, 5, 1), (50, 2)),
    (date(1975, 6, 30), WOMAN, "worker", date(2025, 9, 30), (50, 3)),  # published: 2025-09
    (date(1976, 6, 1), WOMAN, "worker", date(2027, 3, 1), (50, 9)),  # published: 2027-03
    (date(1977, 1, 1), WOMAN, "worker", date(2028, 2, 1), (51, 1)),  # 24 months: step 13 (published)
    (date(1984, 10, 31), WOMAN, "worker", date(2039, 9, 30), (54, 11)),  # 117 months: 59; 30 Sept
    (date(1984, 11, 1), WOMAN, "worker", date(2039, 11, 1), (55, 0)),  # 118 months: cap 60 (published)
    (date(1990, 2, 28), WOMAN, "worker", date(2045, 2, 28), (55, 0)),
]


@pytest.mark.parametrize(("birth", "gender", "track", "expected", "age"), CASES)
def test_statutory_retirement_date(birth, gender, track, expected, age):
    assert statutory_retirement_date(birth, gender, track) == expected
    assert divmod(retirement_age_months(birth, gender, track), 12) == age


def test_leap_day_births_retire_on_the_last_day_of_february():
    assert statutory_retirement_date(date(1964, 2, 29), MAN) == date(2024, 2, 29)
    assert statutory_retirement_date(date(1968, 2, 29), WOMAN, "worker") == date(2018, 2, 28)


def test_women_default_to_the_cadre_track_the_later_of_the_two():
    birth = date(1978, 4, 2)
    assert statutory_retirement_date(birth, WOMAN) == statutory_retirement_date(birth, WOMAN, "cadre")
    assert statutory_retirement_date(birth, WOMAN, "cadre") > statutory_retirement_date(birth, WOMAN, "worker")


@pytest.mark.parametrize("year", range(1955, 1995))
def test_delay_never_shrinks_with_a_later_birth(year):
    for gender, track in ((MAN, "cadre"), (WOMAN, "cadre"), (WOMAN, "worker")):
        months = [delay_months(date(year, month, 1), gender, track) for month in range(1, 13)]
        assert months == sorted(months)
        assert all(0 <= m <= (60 if track == "worker" and gender == WOMAN else 36) for m in months)


def test_is_past_retirement_from_the_retirement_day_on():
    birth = date(1965, 3, 10)  # retires 2025-04-10 at 60 years 1 month
    assert not is_past_retirement(birth, MAN, date(2025, 3, 10))  # 60 but not yet 60y1m
    assert not is_past_retirement(birth, MAN, date(2025, 4, 9))
    assert is_past_retirement(birth, MAN, date(2025, 4, 10))
    assert is_past_retirement(birth, MAN, date(2030, 1, 1))


def test_is_past_retirement_for_women_is_conservative_by_default():
    birth = date(1975, 1, 10)
    on = date(2026, 1, 1)  # past the worker-track date (2025-02-10), long before the cadre one
    assert is_past_retirement(birth, WOMAN, on, female_track="worker")
    assert not is_past_retirement(birth, WOMAN, on)


@pytest.mark.parametrize(("gender", "track"), [("男", "cadre"), ("0", "cadre"), ("2", "teacher")])
def test_unknown_gender_or_track_is_a_programming_error(gender, track):
    with pytest.raises(ValueError):
        statutory_retirement_date(date(1970, 1, 1), gender, track)


@pytest.mark.parametrize("birth", [date(9940, 1, 1), date(9999, 12, 31), date(1, 1, 1)])
def test_date_arithmetic_is_total_at_the_ends_of_the_calendar(birth):
    # Found by the ID-number property test: 9940-01-01 has a valid check digit and overflowed here.
    retirement = statutory_retirement_date(birth, MAN)
    assert retirement >= birth
    assert is_past_retirement(birth, WOMAN, date(2026, 12, 2)) is (retirement <= date(2026, 12, 2))
