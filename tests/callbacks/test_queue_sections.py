"""The caller's queue in sections: one query counts them for the home page and the queue page alike,
and every section can be read in full, page by page, in the order the caller chooses."""

import re
from datetime import timedelta

from sqlalchemy import select, update

from callbacks.attempts import record_attempt
from callbacks.context import Actor, retry_rules
from callbacks.queue import SECTIONS, build_queue, claim, section_counts, section_page
from core.extensions import db
from models import FollowUpTask, User
from support.followup_factory import WEDNESDAY_10, FakeClock, make_tasks


def actor(app, user_id):
    with app.app_context():
        return Actor.of(db.session.get(User, user_id))


def test_every_open_task_is_in_exactly_one_section_and_the_counts_add_up(app, users):
    make_tasks(app, {"440802": 6})
    me = actor(app, users["caller"])
    with app.app_context():
        rules = retry_rules()
        ids = sorted(db.session.scalars(select(FollowUpTask.id)))
        record_attempt(me, ids[0], "appointment", WEDNESDAY_10, rules, submission_key="a",
                       appointment_at=WEDNESDAY_10 + timedelta(hours=3))
        record_attempt(me, ids[1], "completed", WEDNESDAY_10, rules, submission_key="b")
        # One task is two days overdue, one is due next week: both are in the queue.
        db.session.execute(update(FollowUpTask).where(FollowUpTask.id == ids[2])
                           .values(due_at=WEDNESDAY_10 - timedelta(days=2)))
        db.session.execute(update(FollowUpTask).where(FollowUpTask.id == ids[3])
                           .values(due_at=WEDNESDAY_10 + timedelta(days=7)))
        db.session.commit()
        moment = WEDNESDAY_10 + timedelta(minutes=1)
        counts = section_counts(db.session, me, moment, rules)
        assert {k: v for k, v in counts.items() if v} == {
            "due_now": 2, "appointments": 1, "to_record": 1, "overdue": 1, "upcoming": 1, "total": 6, "open": 5}
        listed = [t.id for name in SECTIONS for t in section_page(db.session, me, moment, rules, name).tasks]
        assert sorted(listed) == ids
        assert [t.id for t in section_page(db.session, me, moment, rules, "upcoming").tasks] == [ids[3]]


def test_a_task_another_caller_holds_is_in_nobodys_counts_but_theirs(app, users):
    make_tasks(app, {"440802": 3})
    me, other = actor(app, users["caller"]), actor(app, users["coordinator"])
    with app.app_context():
        claim(other, sorted(db.session.scalars(select(FollowUpTask.id)))[0], WEDNESDAY_10, retry_rules())
        assert section_counts(db.session, me, WEDNESDAY_10, retry_rules())["due_now"] == 2
        assert build_queue(db.session, me, WEDNESDAY_10, retry_rules()).counts["due_now"] == 2


def test_a_section_reads_in_full_page_by_page_and_sorted(app, users):
    make_tasks(app, {"440802": 30})
    me = actor(app, users["caller"])
    with app.app_context():
        rules = retry_rules()
        first = section_page(db.session, me, WEDNESDAY_10, rules, "due_now", page=1, page_size=25)
        second = section_page(db.session, me, WEDNESDAY_10, rules, "due_now", page=2, page_size=25)
        assert (first.total, first.pages, len(first.tasks), len(second.tasks)) == (30, 2, 25, 5)
        assert not {t.id for t in first.tasks} & {t.id for t in second.tasks}
        by_name = section_page(db.session, me, WEDNESDAY_10, rules, "due_now", sort="name", page_size=50)
        names = [t.person.name for t in by_name.tasks]
        assert names == sorted(names)
        newest = section_page(db.session, me, WEDNESDAY_10, rules, "due_now", sort="-due", page_size=50)
        assert [t.id for t in newest.tasks] == sorted((t.id for t in newest.tasks), reverse=True)
        # A page past the end shows the last one; an unknown sort is the default.
        late = section_page(db.session, me, WEDNESDAY_10, rules, "due_now", page=9, sort="x", page_size=25)
        assert (late.page, late.sort, len(late.tasks)) == (2, "due", 5)


def test_home_page_and_queue_page_show_the_same_counts(app, users, login_as):
    """Home said 233 due now and the queue 134: they now read one query."""
    clock = FakeClock(WEDNESDAY_10 + timedelta(days=1))  # yesterday's tasks are overdue today
    app.config["CLOCK"] = clock
    make_tasks(app, {"440802": 40, "440881": 3})
    make_tasks(app, {"440802": 4}, now=WEDNESDAY_10 + timedelta(days=1), start=100, name="第二批")
    client = login_as("caller")
    home = client.get("/").get_data(as_text=True)
    queue = client.get("/followup/").get_data(as_text=True)
    for name in ("due_now", "overdue", "appointments", "to_record"):
        on_home = re.search(rf'data-testid="summary-{name}">(\d+)<', home).group(1)
        on_queue = re.search(rf'data-testid="count-{name}">(\d+)<', queue).group(1)
        assert on_home == on_queue, name
    assert re.search(r'data-testid="summary-overdue">(\d+)<', home).group(1) == "43"
    assert re.search(r'data-testid="summary-due_now">(\d+)<', home).group(1) == "4"
    # "and 33 more" opens the whole section, page by page.
    assert 'data-testid="more-overdue"' in queue
    section = client.get("/followup/all?section=overdue&page=2").get_data(as_text=True)
    assert "共 43 个" in section and len(re.findall(r'data-testid="task-\d+"', section)) == 18
    assert client.get("/followup/all?section=nothing").status_code == 404


def test_each_listed_case_shows_its_campaign(app, users, login_as):
    app.config["CLOCK"] = FakeClock()
    make_tasks(app, {"440802": 2})
    make_tasks(app, {"440802": 2}, start=100, name="2026年第二批核查")
    page = login_as("caller").get("/followup/all?section=due_now").get_data(as_text=True)
    campaigns = re.findall(r'data-testid="task-campaign">([^<]*)<', page)
    assert len(campaigns) == 4
    assert sum("2026年第二批核查" in c for c in campaigns) == 2 and sum("专项核查" in c for c in campaigns) == 2


def test_the_queue_api_pages_a_section_with_the_same_counts(app, users, token_client):
    app.config["CLOCK"] = FakeClock()
    make_tasks(app, {"440802": 30})
    client = token_client("caller")
    queue = client.get("/api/v1/followup/queue").get_json()
    assert queue["counts"]["due_now"] == 30 and len(queue["sections"]["due_now"]) == 25
    page = client.get("/api/v1/followup/queue/due_now?page=2&sort=name").get_json()
    assert (page["total"], page["pages"], page["page"], len(page["tasks"])) == (30, 2, 2, 5)
    assert page["tasks"][0]["campaign"] == "2026年失业登记专项核查"
    assert client.get("/api/v1/followup/queue/nothing").status_code == 404
