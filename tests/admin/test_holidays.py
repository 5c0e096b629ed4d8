"""The holiday calendar: the official 2026 calendar preloaded, editable per year with checks, and the
follow-up planner respecting it (no calls on holidays, make-up working days worked)."""

from datetime import date

import pytest
from sqlalchemy import select

from admin import holidays
from callbacks.context import retry_rules
from callbacks.rules import is_calling_day, next_calling_time, plan_next
from config.holidays import OFFICIAL_CALENDARS
from core.extensions import db
from models import User
from support.rule_times import at, local, phone


def admin_user():
    return db.session.scalar(select(User).where(User.username == "admin"))


def test_the_official_2026_calendar_has_the_state_councils_holidays_and_make_up_days():
    days = OFFICIAL_CALENDARS[2026]
    assert len(days["closed"]) == 3 + 9 + 3 + 5 + 3 + 3 + 7
    assert {"2026-02-15", "2026-02-23", "2026-10-07", "2026-06-19", "2026-09-27"} <= set(days["closed"])
    assert days["open"] == ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]
    assert all(date.fromisoformat(d).weekday() >= 5 for d in days["open"])


def test_the_planner_skips_holidays_and_works_make_up_days(app):
    with app.app_context():
        rules = retry_rules()
        assert not is_calling_day(date(2026, 10, 1), rules) and is_calling_day(date(2026, 10, 10), rules)
        assert local(next_calling_time(at("2026-09-30 20:30"), rules)) == "2026-10-08 09:00"
        after_friday = plan_next("phone", [phone("2026-02-13 10:00", "no_answer")], at("2026-02-13 10:05"), rules)
        assert local(after_friday.due_at).startswith("2026-02-14")  # a Saturday, but a make-up working day
        after_saturday = plan_next("phone", [phone("2026-02-13 10:00", "no_answer"),
                                             phone("2026-02-14 15:00", "no_answer")], at("2026-02-14 15:05"), rules)
        assert local(after_saturday.due_at).startswith("2026-02-24")  # the Spring Festival is skipped


def test_an_edited_year_replaces_the_preloaded_one_for_the_planner(app, users):
    with app.app_context():
        problems = holidays.save_calendar(2026, ["2026-12-31"], [], admin_user(), via="test")
        assert problems == []
        rules = retry_rules()
        assert is_calling_day(date(2026, 10, 1), rules) and not is_calling_day(date(2026, 12, 31), rules)
        assert holidays.source_of(2026) == "stored" and holidays.source_of(2027) == "none"


def test_a_year_of_its_own_can_be_added(app, users):
    with app.app_context():
        assert holidays.save_calendar(2027, ["2027-01-01"], ["2027-01-02"], admin_user(), via="test") == []
        assert not is_calling_day(date(2027, 1, 1), retry_rules())
        assert is_calling_day(date(2026, 10, 10), retry_rules())  # 2026 stays the official one


@pytest.mark.parametrize("text, problem", [
    ("2026-02-30", "不是日期"),
    ("2027-01-01", "不在 2026 年内"),
    ("2026-10-07 至 2026-10-01", "区间须从早到晚"),
    ("yesterday", "不是日期"),
])
def test_calendar_lines_are_read_with_the_line_named(app, text, problem):
    with app.test_request_context():
        days, problems = holidays.parse_days(f"2026-10-01\n{text}", 2026, "法定节假日")
        assert problems and problems[0][0] == "法定节假日第 2 行" and problem in problems[0][1]


def test_ranges_are_read_as_every_day_of_them(app):
    with app.test_request_context():
        days, problems = holidays.parse_days("2026-10-01 至 2026-10-03\n2026-10-05..2026-10-05", 2026, "x")
        assert problems == [] and days == ["2026-10-01", "2026-10-02", "2026-10-03", "2026-10-05"]


def test_a_make_up_day_on_a_weekday_or_also_a_holiday_is_refused(app, users):
    with app.test_request_context():
        problems = holidays.save_calendar(2026, ["2026-10-01"], ["2026-10-01", "2026-10-08"], admin_user(), "t")
        assert ("2026-10-01", "不能既是节假日又是调休上班日") in problems
        assert ("2026-10-08", "是工作日：调休上班日应为周六或周日") in problems
        assert holidays.source_of(2026) == "official"


def test_pinned_dates_keep_the_calendar_out(make_app, users, monkeypatch):
    monkeypatch.setenv("SPOTCHECK_FOLLOWUP_RULES", '{closed_dates = ["2026-03-03"], open_dates = []}')
    app = make_app()
    with app.app_context():
        assert is_calling_day(date(2026, 10, 1), retry_rules()) and not is_calling_day(date(2026, 3, 3), retry_rules())
        assert holidays.save_calendar(2026, [], [], admin_user(), "t")[0][1].startswith("运维人员已在配置中锁定")
