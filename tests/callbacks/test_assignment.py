"""The assignment table: filters, paging, many or all matching tasks to a caller or the pool across
counties in one step, the county rule, double submits, the audit entry, and the workload per caller."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from auth.accounts import create_user
from callbacks.assignment import TaskFilter, assign_tasks, day_bounds, list_tasks
from callbacks.context import Actor, local_zone
from callbacks.errors import FollowUpError
from callbacks.workload import caller_workload
from core.extensions import db
from models import AuditLog, FollowUpTask, User
from support.accounts import PASSWORD, login
from support.followup_factory import WEDNESDAY_10, FakeClock, make_tasks


@pytest.fixture
def clock(app):
    clock = FakeClock()
    app.config["CLOCK"] = clock
    return clock


@pytest.fixture
def world(app, users, clock):
    """Two campaigns: the first with 3 tasks in 赤坎区 and 2 in 廉江市, the second with 2 in 赤坎区."""
    first = make_tasks(app, {"440802": 3, "440881": 2})
    second = make_tasks(app, {"440802": 2}, name="2026年第二批核查", start=100)
    with app.app_context():
        create_user(db.session, "coord_chikan", PASSWORD, "coordinator", "440802")
        db.session.commit()
        ids = {county: sorted(db.session.scalars(select(FollowUpTask.id).where(
            FollowUpTask.county_code == county, FollowUpTask.draw_id == first))) for county in ("440802", "440881")}
        ids["second"] = sorted(db.session.scalars(select(FollowUpTask.id).where(FollowUpTask.draw_id == second)))
        ids["campaigns"] = [db.session.scalar(select(FollowUpTask.campaign_id).where(FollowUpTask.draw_id == d))
                            for d in (first, second)]
        db.session.remove()
    return ids


def actor(key_or_name):
    user = db.session.scalar(select(User).where(User.username == key_or_name))
    return Actor.of(user)


def assigned(ids):
    return [db.session.get(FollowUpTask, i).assigned_to_id for i in ids]


def test_filters_narrow_the_open_tasks_and_pages_hold_fifty(app, world, users):
    with app.app_context():
        coord, zone = actor("coordinator"), local_zone()
        count = lambda **f: list_tasks(db.session, coord, TaskFilter(**f), WEDNESDAY_10, zone).total  # noqa: E731
        assert count() == 7
        assert count(county="440802") == 5 and count(county="440881") == 2
        assert count(campaign=world["campaigns"][1]) == 2
        assert count(caller="pool") == 7 and count(caller=str(users["caller"])) == 0
        assert count(channel="phone") == 7 and count(channel="visit") == 0
        assert count(status="open") == 7 and count(status="awaiting_record") == 0
        assert count(due="today") == 7 and count(due="overdue") == 0
        db.session.execute(update(FollowUpTask).where(FollowUpTask.id == world["440802"][0])
                           .values(phone_attempts_used=3))
        db.session.commit()
        assert count(attempts="3+") == 1 and count(attempts="0") == 6
        later = list_tasks(db.session, coord, TaskFilter(due="overdue"), WEDNESDAY_10 + timedelta(days=1), zone)
        assert later.total == 7
        page = list_tasks(db.session, coord, TaskFilter(), WEDNESDAY_10, zone, page=2, page_size=3)
        assert page.pages == 3 and [r["id"] for r in page.rows] == sorted(
            world["440802"] + world["440881"] + world["second"])[3:6]


def test_a_filter_value_that_is_no_choice_filters_nothing():
    f = TaskFilter.from_mapping({"county": "440802", "status": "closed", "caller": "x'; --", "due": "yesterday",
                                 "attempts": ["1"], "campaign": "12345678901"})
    assert f == TaskFilter(county="440802")
    assert TaskFilter.from_mapping({"caller": "pool", "campaign": 3, "attempts": "3+"}).args() == {
        "caller": "pool", "campaign": "3", "attempts": "3+"}


def test_today_is_the_local_calendar_day():
    start, end = day_bounds(WEDNESDAY_10, ZoneInfo("Asia/Shanghai"))
    assert start.isoformat() == "2026-05-05T16:00:00+00:00" and end - start == timedelta(days=1)


def test_picked_tasks_of_two_counties_go_to_an_unscoped_caller_in_one_audited_step(app, world, users):
    picked = [world["440802"][0], world["440881"][0]]
    with app.app_context():
        result = assign_tasks(actor("coordinator"), users["caller"], WEDNESDAY_10, local_zone(), task_ids=picked)
        assert (result.selected, result.changed) == (2, 2)
        assert assigned(picked) == [users["caller"]] * 2
        again = assign_tasks(actor("coordinator"), users["caller"], WEDNESDAY_10, local_zone(), task_ids=picked)
        assert (again.selected, again.changed) == (2, 0)  # a double submit changes nothing
        entries = db.session.scalars(select(AuditLog).where(AuditLog.action == "followup.assign_tasks")).all()
        assert len(entries) == 1 and entries[0].detail["task_ids"] == sorted(picked)
        assert entries[0].detail["to_caller_id"] == users["caller"]
        back = assign_tasks(actor("coordinator"), None, WEDNESDAY_10, local_zone(), task_ids=picked)
        assert back.changed == 2 and assigned(picked) == [None, None]


def test_a_county_caller_never_gets_another_countys_task_and_nothing_is_half_assigned(app, world, users):
    picked = [world["440881"][0], world["440802"][0]]
    with app.app_context():
        with pytest.raises(FollowUpError) as refused:
            assign_tasks(actor("coordinator"), users["county_caller"], WEDNESDAY_10, local_zone(), task_ids=picked)
        assert refused.value.code == "caller_wrong_county"
        assert "赤坎区" in refused.value.message() and "廉江市" not in refused.value.message()
        assert assigned(picked) == [None, None]
        fits = assign_tasks(actor("coordinator"), users["county_caller"], WEDNESDAY_10, local_zone(),
                            task_ids=world["440881"])
        assert fits.changed == 2


def test_a_county_coordinator_cannot_reach_another_countys_task(app, world, users):
    with app.app_context():
        chikan = actor("coord_chikan")
        with pytest.raises(FollowUpError) as refused:
            assign_tasks(chikan, users["caller"], WEDNESDAY_10, local_zone(), task_ids=[world["440881"][0]])
        assert refused.value.code == "not_found"
        every = assign_tasks(chikan, users["caller"], WEDNESDAY_10, local_zone(), f=TaskFilter(), expected=5)
        assert every.changed == 5 and assigned(world["440881"]) == [None, None]


def test_all_matching_is_refused_when_the_filter_now_matches_another_count(app, world, users):
    with app.app_context():
        with pytest.raises(FollowUpError) as refused:
            assign_tasks(actor("coordinator"), users["caller"], WEDNESDAY_10, local_zone(),
                         f=TaskFilter(county="440802"), expected=4)
        assert refused.value.code == "selection_changed"
        assert db.session.scalar(select(func.count(FollowUpTask.id)).where(
            FollowUpTask.assigned_to_id.is_not(None))) == 0


def test_closed_and_unknown_tasks_are_refused(app, world, users):
    with app.app_context():
        db.session.execute(update(FollowUpTask).where(FollowUpTask.id == world["440802"][0]).values(status="closed"))
        db.session.commit()
        for ids, code in (([world["440802"][0]], "tasks_closed"), ([999999], "not_found"), ([], "bad_selection")):
            with pytest.raises(FollowUpError) as refused:
                assign_tasks(actor("coordinator"), users["caller"], WEDNESDAY_10, local_zone(), task_ids=ids)
            assert refused.value.code == code
        with pytest.raises(FollowUpError) as refused:
            assign_tasks(actor("coordinator"), users["admin"], WEDNESDAY_10, local_zone(), task_ids=world["440881"])
        assert refused.value.code == "bad_caller"
        with pytest.raises(FollowUpError):
            assign_tasks(actor("caller"), None, WEDNESDAY_10, local_zone(), task_ids=world["440881"])


def test_workload_counts_open_due_today_overdue_and_closed_this_week(app, world, users, clock):
    with app.app_context():
        coord = actor("coordinator")
        assign_tasks(coord, users["caller"], WEDNESDAY_10, local_zone(), task_ids=world["440802"])
        first, second, third = world["440802"]
        db.session.execute(update(FollowUpTask).where(FollowUpTask.id == first).values(
            due_at=WEDNESDAY_10 - timedelta(days=2)))
        db.session.execute(update(FollowUpTask).where(FollowUpTask.id == second).values(
            due_at=WEDNESDAY_10 + timedelta(days=3)))
        db.session.execute(update(FollowUpTask).where(FollowUpTask.id == third).values(
            status="closed", closed_at=WEDNESDAY_10 - timedelta(hours=1)))
        db.session.commit()
        rows = {r["caller_id"]: r for r in caller_workload(db.session, coord, WEDNESDAY_10, local_zone())}
        mine = rows[users["caller"]]
        assert (mine["open"], mine["due_today"], mine["overdue"], mine["closed_this_week"]) == (2, 0, 1, 1)
        assert rows[None]["open"] == 4 and rows[None]["due_today"] == 4
        next_week = caller_workload(db.session, coord, WEDNESDAY_10 + timedelta(days=7), local_zone())
        assert {r["caller_id"]: r["closed_this_week"] for r in next_week}.get(users["caller"]) == 0


def test_the_table_page_assigns_ticked_and_all_matching_and_a_resubmit_is_harmless(client, app, world, users):
    login(client, "coordinator")
    page = client.get("/followup/assignment?county=440802").get_data(as_text=True)
    assert 'data-testid="tasks"' in page and "5 个待办任务符合条件" in page
    assert page.count('name="task_ids"') == 5
    form = {"to_caller": str(users["caller"]), "scope": "picked", "task_ids": [str(world["440802"][0])]}
    response = client.post("/followup/assignment?county=440802", data=form)
    assert response.status_code in (302, 303) and "county=440802" in response.location
    client.post("/followup/assignment?county=440802", data=form)
    with app.app_context():
        assert assigned(world["440802"][:1]) == [users["caller"]]
        assert db.session.scalar(select(func.count(AuditLog.id)).where(
            AuditLog.action == "followup.assign_tasks")) == 1
    every = {"to_caller": "pool", "scope": "all", "expected": "5"}
    client.post("/followup/assignment?county=440802", data=every)
    stale = client.post("/followup/assignment?county=440802", data={**every, "to_caller": str(users["caller"]),
                                                                     "expected": "4"}, follow_redirects=True)
    assert "没有分派任何任务" in stale.get_data(as_text=True)
    with app.app_context():
        assert assigned(world["440802"]) == [None] * 3
    wrong = client.post("/followup/assignment", data={**form, "task_ids": [str(world["440802"][1])],
                                                      "to_caller": str(users["county_caller"])}, follow_redirects=True)
    assert "负责其他县（市、区）" in wrong.get_data(as_text=True)
    with app.app_context():
        assert assigned(world["440802"][1:2]) == [None]


def test_the_workload_page_and_the_manage_page_show_one_campaign(client, app, world, users):
    login(client, "coordinator")
    workload = client.get("/followup/workload").get_data(as_text=True)
    assert 'data-testid="workload-pool"' in workload and f'data-testid="workload-{users["caller"]}"' in workload
    first, second = world["campaigns"]
    manage = client.get(f"/followup/manage?campaign={second}").get_data(as_text=True)
    progress = manage.split('data-testid="progress"')[1].split("</table>")[0]
    assert "廉江市" not in progress and '<td class="num">2</td>' in progress
    manage = client.get(f"/followup/manage?campaign={first}").get_data(as_text=True)
    progress = manage.split('data-testid="progress"')[1].split("</table>")[0]
    assert "廉江市" in progress and '<td class="num">3</td>' in progress


def test_the_api_lists_assigns_and_counts_like_the_pages(app, world, users, token_client):
    api = token_client("coordinator")
    listed = api.get("/api/v1/followup/tasks?county=440881&caller=pool").get_json()
    assert listed["total"] == 2 and {t["county_code"] for t in listed["tasks"]} == {"440881"}
    given = api.post("/api/v1/followup/tasks/assign", json={"to_caller": users["county_caller"],
                                                            "filter": {"county": "440881"}, "expected": 2})
    assert given.get_json() == {"selected": 2, "changed": 2, "to_caller": users["county_caller"]}
    refused = api.post("/api/v1/followup/tasks/assign", json={"to_caller": users["county_caller"],
                                                              "task_ids": [world["440802"][0]]})
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "caller_wrong_county"
    both = api.post("/api/v1/followup/tasks/assign", json={"to_caller": None, "task_ids": [1], "filter": {}})
    assert both.status_code == 400
    load = {r["caller_id"]: r for r in api.get("/api/v1/followup/workload").get_json()["callers"]}
    assert load[users["county_caller"]]["open"] == 2 and load[None]["open"] == 5
    assert token_client("caller").get("/api/v1/followup/tasks").status_code == 403
