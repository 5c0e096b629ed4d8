"""Finding a case when a person rings back: by name, name and last four digits, or case number; only
among the caller's own tasks and their county's pool; masked, throttled and audited."""

import pytest
from sqlalchemy import func, select, update

from callbacks.case_search import parse_case_query, search_cases
from callbacks.context import Actor
from core.extensions import db
from models import AuditLog, FollowUpTask, Person, SearchEvent, User
from roster.search import SearchThrottled
from support.followup_factory import WEDNESDAY_10, FakeClock, make_tasks

NAMES = ("张伟", "李娜", "王芳", "刘洋", "陈静")


@pytest.fixture
def world(app, users):
    """Tasks in 赤坎区 (张伟, 李娜, 王芳; phones ending 0000-0002) and 廉江市 (刘洋, 陈静); 王芳's task is
    another caller's."""
    app.config["CLOCK"] = FakeClock()
    make_tasks(app, {"440802": 3, "440881": 2})
    with app.app_context():
        for n, name in enumerate(NAMES):
            db.session.execute(update(Person).where(Person.name == f"测试{n}").values(name=name))
        ids = {NAMES.index(t.person.name): t.id for t in db.session.scalars(select(FollowUpTask))}
        db.session.execute(update(FollowUpTask).where(FollowUpTask.id == ids[2])
                           .values(assigned_to_id=users["coordinator"]))
        db.session.commit()
    return ids


def me(app, user_id):
    with app.app_context():
        return Actor.of(db.session.get(User, user_id))


@pytest.mark.parametrize(("text", "kind"), [
    ("李娜", "name"), ("李娜 0001", "last4"), ("0001 李娜", "last4"), ("#12", "case_number"),
    ("＃12", "case_number"), ("案件号 12", "case_number"), ("12", "case_number"), ("13800000001", "phone"),
    ("1380000", ""), ("0001", "case_number"), ("", ""),
])
def test_the_search_box_reads_names_numbers_and_case_numbers(text, kind):
    query = parse_case_query(text)
    assert (query.kind if not query.refused else "") == kind


def test_a_number_that_is_no_full_number_is_refused():
    assert parse_case_query("1380000").refused  # a phone's prefix would make the mask an oracle
    assert parse_case_query("李娜 13800").refused


def test_search_by_name_last_four_digits_and_case_number(app, users, world):
    caller = me(app, users["caller"])
    with app.app_context():
        assert [r["task_id"] for r in search_cases(caller, "李娜", WEDNESDAY_10, 30, "test").rows] == [world[1]]
        found = search_cases(caller, "张伟 0000", WEDNESDAY_10, 30, "test").rows
        assert [r["task_id"] for r in found] == [world[0]]
        assert found[0]["phone"] == "138****0000" and "*" in found[0]["id_number"]
        assert found[0]["campaign"] == "2026年失业登记专项核查"
        assert search_cases(caller, "张伟 9999", WEDNESDAY_10, 30, "test").rows == []
        by_number = search_cases(caller, f"#{world[4]}", WEDNESDAY_10, 30, "test").rows
        assert [r["task_id"] for r in by_number] == [world[4]]


def test_the_search_finds_only_the_callers_own_and_their_countys_pool(app, users, world):
    caller = me(app, users["caller"])
    county_caller = me(app, users["county_caller"])  # 廉江市 440881
    with app.app_context():
        assert search_cases(caller, "王芳", WEDNESDAY_10, 30, "test").rows == []  # another caller's task
        assert search_cases(caller, f"#{world[2]}", WEDNESDAY_10, 30, "test").rows == []
        assert search_cases(county_caller, "刘洋", WEDNESDAY_10, 30, "test").total == 1
        assert search_cases(county_caller, "张伟", WEDNESDAY_10, 30, "test").total == 0
        assert search_cases(county_caller, f"#{world[0]}", WEDNESDAY_10, 30, "test").rows == []
        coordinator = me(app, users["coordinator"])
        assert search_cases(coordinator, "王芳", WEDNESDAY_10, 30, "test").total == 1


def test_searches_are_counted_and_number_searches_audited_with_the_query_masked(app, users, world):
    caller = me(app, users["caller"])
    with app.app_context():
        search_cases(caller, "李娜", WEDNESDAY_10, 30, "test")
        search_cases(caller, "13800000001", WEDNESDAY_10, 30, "test")
        search_cases(caller, f"#{world[1]}", WEDNESDAY_10, 30, "test")
        assert db.session.scalar(select(func.count(SearchEvent.id))) == 3
        entries = db.session.scalars(select(AuditLog).where(AuditLog.action == "followup.search")
                                     .order_by(AuditLog.id)).all()
        assert [(e.detail["kind"], e.detail["query"], e.detail["found"]) for e in entries] == [
            ("phone", "138****0001", 1), ("case_number", f"#{world[1]}", 1)]


def test_too_many_searches_in_a_minute_are_refused(app, users, world):
    caller = me(app, users["caller"])
    with app.app_context():
        search_cases(caller, "李娜", WEDNESDAY_10, 2, "test")
        search_cases(caller, "李娜", WEDNESDAY_10, 2, "test")
        with pytest.raises(SearchThrottled):
            search_cases(caller, "李娜", WEDNESDAY_10, 2, "test")


def test_the_search_page_and_api(app, users, world, login_as, token_client):
    page = login_as("caller").get("/followup/search?q=张伟+0000").get_data(as_text=True)
    assert f'data-testid="found-{world[0]}"' in page and "138****0000" in page and "13800000000" not in page
    refused = login_as("caller").get("/followup/search?q=1380000").get_data(as_text=True)
    assert 'data-testid="number-refused"' in refused
    api = token_client("caller")
    body = api.get(f"/api/v1/followup/search?q=%23{world[1]}").get_json()
    assert body["kind"] == "case_number" and [c["task_id"] for c in body["cases"]] == [world[1]]
    assert api.get("/api/v1/followup/search?q=1380000").status_code == 400
