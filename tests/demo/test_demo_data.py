"""`flask demo` loads the counties' users and a synthetic roster with the dirty cases the checks must find."""

import json
from datetime import date

import pytest
from sqlalchemy import func, select
from stdnum.cn import ric

from models import Person, RosterSnapshot, User
from roster.retirement import is_past_retirement


@pytest.fixture
def demo(runner):
    result = runner.invoke(args=["demo", "--persons", "3000", "--seed", "7", "--no-campaign", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_demo_creates_one_user_per_role_and_a_county_liaison(demo, session):
    roles = {u.username: (u.role, u.county_code) for u in session.scalars(select(User))}
    assert {role for role, _ in roles.values()} == {"admin", "coordinator", "caller", "manager"}
    assert roles["liaison"] == ("manager", "440802")
    assert all(u.check_password(a["password"]) for a in demo["accounts"]
               for u in session.scalars(select(User).where(User.username == a["username"])))


def test_demo_roster_covers_all_ten_counties_unevenly(demo, session):
    counts = dict(session.execute(select(Person.county_code, func.count()).group_by(Person.county_code)).all())
    assert len(counts) == 10 and sum(counts.values()) == demo["persons"] == 3000
    assert max(counts.values()) > 3 * min(counts.values())
    assert session.scalar(select(func.count()).where(RosterSnapshot.is_current)) == 10


def test_every_demo_id_number_passes_the_check_digit(demo, session):
    ids = session.scalars(select(Person.id_number)).all()
    assert ids and all(len(i) == 18 and ric.calc_check_digit(i) == i[17] for i in ids)


def test_demo_dirty_cases_are_in_the_database(demo, session):
    across = session.execute(
        select(Person.id_number).group_by(Person.id_number).having(func.count(func.distinct(Person.county_code)) > 1)
    ).all()
    assert len(across) >= demo["dirty"]["duplicate_across_counties"] // 2 > 0
    missing_phone = session.scalar(select(func.count()).where(Person.phone.is_(None)))
    assert missing_phone >= demo["dirty"]["missing_phone"] > 0
    registered = session.execute(
        select(Person.id_number, Person.gender).where(Person.cancelled_on.is_(None))
    ).all()
    past = [i for i, g in registered
            if is_past_retirement(date(int(i[6:10]), int(i[10:12]), int(i[12:14])), g, date.today())]
    assert len(past) >= demo["dirty"]["past_retirement_age"] > 0
    future = session.scalar(select(func.count()).where(Person.cancelled_on > date.today()))
    assert future >= demo["dirty"]["future_cancellation"] > 0


def test_demo_is_deterministic_for_a_seed(runner, session, make_app):
    first = sorted(session.scalars(select(Person.id_number)).all())
    assert first == []  # nothing before the demo runs
    runner.invoke(args=["demo", "--persons", "500", "--seed", "3", "--no-campaign"])
    first = sorted(session.scalars(select(Person.id_number)).all())
    from demo.roster import generate_roster

    again = sorted(row["id_number"] for row in generate_roster(3, date.today(), total=500).rows)
    assert first == again


def test_demo_if_empty_does_nothing_the_second_time(demo, runner, session):
    result = runner.invoke(args=["demo", "--if-empty"])
    assert "nothing to do" in result.output
    assert session.scalar(select(func.count(Person.id))) == 3000


def test_demo_again_keeps_the_roster_in_place(demo, runner, session):
    result = runner.invoke(args=["demo", "--persons", "100", "--no-campaign"])
    assert result.exit_code == 0 and "no demo roster added" in result.output
    assert session.scalar(select(func.count(Person.id))) == 3000
    assert session.scalar(select(func.count()).where(RosterSnapshot.is_current)) == 10
