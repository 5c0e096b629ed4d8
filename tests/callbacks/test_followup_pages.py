"""The follow-up pages through the test client: queue, task, dispositions, verification form,
visits, supervision, and who may see what."""

import re

import pytest
from sqlalchemy import func, select

from core.extensions import db
from models import Attempt, AuditLog, FollowUpTask, User, Verification
from support.followup_factory import WEDNESDAY_10, FakeClock, make_tasks


@pytest.fixture
def clock(app):
    clock = FakeClock()
    app.config["CLOCK"] = clock
    return clock


@pytest.fixture
def tasks(app, users, clock):
    make_tasks(app, {"440802": 3, "440881": 2})
    with app.app_context():
        return {county: sorted(db.session.scalars(select(FollowUpTask.id).where(FollowUpTask.county_code == county)))
                for county in ("440802", "440881")}


def key(page: str) -> str:
    return re.search(r'name="submission_key" value="([0-9a-f]+)"', page).group(1)


def test_caller_works_a_task_from_next_to_a_no_answer(login_as, tasks, app):
    client = login_as("caller")
    page = client.get("/followup/").get_data(as_text=True)
    assert "我的回访" in page and "现在到期" in page
    response = client.post("/followup/next")
    assert response.status_code in (302, 303)
    task_page = client.get(response.location).get_data(as_text=True)
    assert "回访话术" in task_page and "无人接听" in task_page and "<kbd" in task_page
    assert "138****" in task_page
    task_id = int(response.location.rstrip("/").split("/")[-1])
    form = {"disposition": "no_answer", "submission_key": key(task_page), "note": "响铃无人接"}
    assert client.post(f"/followup/tasks/{task_id}/attempt", data=form).status_code in (302, 303)
    client.post(f"/followup/tasks/{task_id}/attempt", data=form)  # a double click
    with app.app_context():
        assert db.session.scalar(select(func.count(Attempt.id))) == 1
        assert db.session.get(FollowUpTask, task_id).plan_reason == "retry"


def test_before_it_is_due_the_page_offers_only_contact_results(login_as, tasks, app):
    client = login_as("caller")
    task_id = tasks["440802"][0]
    page = client.get(f"/followup/tasks/{task_id}").get_data(as_text=True)
    form = {"disposition": "no_answer", "submission_key": key(page)}
    client.post(f"/followup/tasks/{task_id}/attempt", data=form)  # due tomorrow now
    page = client.get(f"/followup/tasks/{task_id}").get_data(as_text=True)
    assert 'data-testid="not-due"' in page and "才到期" in page
    buttons = dict(re.findall(r'data-testid="disp-(\w+)"\s+(disabled)?', page))
    assert buttons["no_answer"] == "disabled" and buttons["busy"] == "disabled"
    assert buttons["completed"] == "" and buttons["refused"] == "" and buttons["appointment"] == ""


def test_revealing_the_phone_is_logged_once_then_redirects_to_a_tel_link(login_as, tasks, app):
    client = login_as("caller")
    task_id = tasks["440802"][0]
    response = client.post(f"/followup/tasks/{task_id}/reveal", data={"field": "phone"})
    assert response.status_code in (302, 303)  # post, redirect, get: a refresh asks nothing
    assert response.location.startswith(f"/followup/tasks/{task_id}")
    page = client.get(f"/followup/tasks/{task_id}").get_data(as_text=True)
    assert 'href="tel:+86138' in page and 'target="_blank"' in page
    client.get(f"/followup/tasks/{task_id}")  # a refresh shows it again without a second read in the log
    with app.app_context():
        entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "person.reveal_phone")).one()
        assert entry.detail["task_id"] == task_id
    # The grant is the task's alone: another task shows its number masked.
    other = client.get(f"/followup/tasks/{tasks['440802'][1]}").get_data(as_text=True)
    assert 'href="tel:' not in other and "138****" in other


def test_recording_an_attempt_ends_the_reveal(login_as, tasks, clock):
    client = login_as("caller")
    task_id = tasks["440802"][0]
    client.post(f"/followup/tasks/{task_id}/reveal", data={"field": "phone"})
    page = client.get(f"/followup/tasks/{task_id}").get_data(as_text=True)
    client.post(f"/followup/tasks/{task_id}/attempt", data={"disposition": "no_answer", "submission_key": key(page)})
    assert 'href="tel:' not in client.get(f"/followup/tasks/{task_id}").get_data(as_text=True)


def test_a_reveal_lapses_after_a_quarter_of_an_hour(login_as, tasks, clock):
    client = login_as("caller")
    task_id = tasks["440802"][0]
    client.post(f"/followup/tasks/{task_id}/reveal", data={"field": "id_number"})
    assert "********" not in client.get(f"/followup/tasks/{task_id}").get_data(as_text=True).split("id-number")[1][:60]
    clock.advance(minutes=16)
    assert "********" in client.get(f"/followup/tasks/{task_id}").get_data(as_text=True).split("id-number")[1][:60]


def test_appointment_form_takes_local_time(login_as, tasks, app):
    client = login_as("caller")
    task_id = tasks["440802"][0]
    page = client.get(f"/followup/tasks/{task_id}").get_data(as_text=True)
    client.post(f"/followup/tasks/{task_id}/attempt", data={
        "disposition": "appointment", "submission_key": key(page), "appointment_at": "2026-05-06T19:30"})
    with app.app_context():
        task = db.session.get(FollowUpTask, task_id)
        assert task.plan_reason == "appointment" and task.due_at.hour == 11  # 19:30 in Shanghai


def test_verification_form_shows_derived_types_then_saves_once(login_as, tasks, app):
    client = login_as("caller")
    task_id = tasks["440802"][0]
    page = client.get(f"/followup/tasks/{task_id}").get_data(as_text=True)
    response = client.post(f"/followup/tasks/{task_id}/attempt",
                           data={"disposition": "completed", "submission_key": key(page)})
    assert response.location.endswith(f"/followup/tasks/{task_id}/verification")
    form = client.get(response.location).get_data(as_text=True)
    answers = {"submission_key": key(form), "identity_confirmed": "yes", "registered_by_self": "yes",
               "unemployed_at_registration": "yes", "current_status": "employed", "status_since": "2025-06-01",
               "services_answered": "yes", "services": ["job_referral", "agency_callback"]}
    preview = client.post(response.location, data=answers).get_data(as_text=True)
    assert "应注销未注销" in preview and "请确认" in preview
    confirmed = dict(answers, step="confirm", derived_shown="should_have_been_cancelled",
                     confirmed=["should_have_been_cancelled"])
    assert client.post(response.location, data=confirmed).status_code in (302, 303)
    assert client.post(response.location, data=confirmed).status_code in (302, 303)  # resubmitted
    with app.app_context():
        record = db.session.scalars(select(Verification)).one()
        assert record.discrepancies == ["should_have_been_cancelled"]
    view = client.get(response.location).get_data(as_text=True)
    assert "应注销未注销" in view


def test_a_county_caller_sees_only_their_county(login_as, tasks):
    client = login_as("county_caller")
    assert client.get(f"/followup/tasks/{tasks['440802'][0]}").status_code == 404
    assert client.get(f"/followup/tasks/{tasks['440881'][0]}").status_code == 200
    response = client.post(f"/followup/tasks/{tasks['440802'][0]}/attempt",
                           data={"disposition": "no_answer", "submission_key": "x"})
    assert response.status_code == 404  # another county's task is not found, not merely refused
    assert "赤坎区" not in client.get("/followup/").get_data(as_text=True)


def test_a_caller_never_sees_another_callers_task(login_as, tasks, app, users):
    from callbacks.context import Actor
    from callbacks.tasks import reassign

    with app.app_context():
        coordinator = Actor.of(db.session.get(User, users["coordinator"]))
        reassign(coordinator, users["county_caller"], task_ids=tasks["440881"])
    client = login_as("caller")
    assert client.get(f"/followup/tasks/{tasks['440881'][0]}").status_code == 404
    assert client.get(f"/api/v1/followup/tasks/{tasks['440881'][0]}").status_code == 404


def test_managers_and_admins_have_no_follow_up_pages(login_as, tasks):
    for who in ("manager", "admin"):
        client = login_as(who)
        assert client.get("/followup/").status_code == 403
        client.post("/logout")


def test_visit_list_is_printable_with_addresses(login_as, tasks, app, users):
    from callbacks.context import Actor, retry_rules
    from callbacks.tasks import send_to_visit

    with app.app_context():
        send_to_visit(Actor.of(db.session.get(User, users["coordinator"])), tasks["440802"][:2], WEDNESDAY_10,
                      retry_rules())
    page = login_as("caller").get("/followup/visits?county=440802").get_data(as_text=True)
    assert "走访清单" in page and "data-print" in page and "js/print.js" in page
    assert page.count('href="/followup/tasks/') == 4  # each visit as a phone card and as a table row


def test_coordinator_generates_then_assigns_from_the_table(login_as, app, users, clock):
    from support.followup_factory import add_draw

    with app.app_context():
        draw_id = add_draw(db.session, {"440802": 4})
    client = login_as("coordinator")
    assert "生成回访任务" in client.get("/followup/manage").get_data(as_text=True)
    made = client.post(f"/followup/draws/{draw_id}/generate", data={})
    assert "/followup/assignment" in made.location and "caller=pool" in made.location  # the next step
    client.post(f"/followup/draws/{draw_id}/generate", data={})  # again: nothing new
    client.post("/followup/assignment?county=440802", data={"to_caller": str(users["caller"]), "scope": "all",
                                                            "expected": "4"})
    with app.app_context():
        assert db.session.scalar(select(func.count(FollowUpTask.id)).where(
            FollowUpTask.assigned_to_id == users["caller"])) == 4
    client.post(f"/followup/assignment?caller={users['caller']}", data={"to_caller": "pool", "scope": "all"})
    with app.app_context():
        assert db.session.scalar(select(func.count(FollowUpTask.id)).where(
            FollowUpTask.assigned_to_id.is_(None))) == 4


def test_hand_back_goes_to_the_review_queue(login_as, tasks, app, users):
    client = login_as("caller")
    task_id = tasks["440802"][0]
    client.post(f"/followup/tasks/{task_id}/refer", data={"kind": "hand_back", "reason": "本人是我亲戚，需回避"})
    client.post("/logout")
    coordinator = login_as("coordinator")
    page = coordinator.get("/followup/review").get_data(as_text=True)
    assert "本人是我亲戚，需回避" in page
    coordinator.post(f"/followup/tasks/{task_id}/resolve", data={"resolution": "改派", "to_caller": "0"})
    with app.app_context():
        assert db.session.get(FollowUpTask, task_id).review_resolved_at is not None


def test_script_is_editable_by_coordinators_only(login_as, tasks):
    caller = login_as("caller")
    assert caller.get("/followup/script/phone").status_code == 403
    caller.post("/logout")
    coordinator = login_as("coordinator")
    coordinator.post("/followup/script/phone", data={"body": "您好，这里是新的话术。"})
    assert "这里是新的话术" in coordinator.get(f"/followup/tasks/{tasks['440802'][0]}").get_data(as_text=True)


def test_callers_home_shows_the_queue_summary(login_as, tasks):
    page = login_as("caller").get("/").get_data(as_text=True)
    assert 'data-testid="summary-due_now">5<' in page


def test_an_unanswered_question_is_named_by_its_label_and_marked(login_as, tasks):
    client = login_as("caller")
    task_id = tasks["440802"][0]
    page = client.get(f"/followup/tasks/{task_id}").get_data(as_text=True)
    response = client.post(f"/followup/tasks/{task_id}/attempt",
                           data={"disposition": "completed", "submission_key": key(page)})
    form = client.get(response.location).get_data(as_text=True)
    answered = client.post(response.location, data={"submission_key": key(form), "identity_confirmed": "",
                                                    "status_since": "2025-13-40"})
    assert answered.status_code == 400
    shown = answered.get_data(as_text=True)
    problems = re.search(r'data-testid="problems".*?</div>', shown, re.S).group(0)
    assert "身份已确认" in problems and "起始日期" in problems
    assert "identity_confirmed" not in problems and "status_since" not in problems
    assert re.search(r'id="identity_confirmed-yes"[^>]*aria-invalid="true"', shown)
    assert re.search(r'id="status_since"[^>]*aria-invalid="true"', shown)
    assert 'id="current_status" aria-invalid' not in shown  # only the questions in error are marked
    assert "<script>" not in shown and "verification_form.js" in shown  # no inline script (CSP)


def test_the_task_page_shows_the_case_number_and_its_campaign(login_as, tasks):
    task_id = tasks["440802"][0]
    page = login_as("caller").get(f"/followup/tasks/{task_id}").get_data(as_text=True)
    line = re.search(r'data-testid="task-campaign">(.*?)</p>', page, re.S).group(1)
    assert f"案件号 {task_id}" in line and "2026年失业登记专项核查" in line and "第 1 次抽样" in line


def test_shortcut_keys_read_in_order_down_the_page(login_as, tasks):
    page = login_as("caller").get(f"/followup/tasks/{tasks['440802'][0]}").get_data(as_text=True)
    keys = re.findall(r'<kbd class="me-1">(\d)</kbd>', page)
    assert keys == sorted(keys) and keys[:5] == ["1", "2", "3", "4", "5"]


def test_the_verification_form_shows_the_registered_value_beside_each_question(login_as, tasks, app):
    client = login_as("caller")
    task_id = tasks["440802"][0]
    page = client.get(f"/followup/tasks/{task_id}").get_data(as_text=True)
    client.post(f"/followup/tasks/{task_id}/attempt", data={"disposition": "completed", "submission_key": key(page)})
    form = client.get(f"/followup/tasks/{task_id}/verification").get_data(as_text=True)

    def on_file(name):
        return re.sub(r"\s+", " ", re.search(rf'data-testid="on-file-{name}">(.*?)</div>', form, re.S).group(1))

    assert "2025-03-01" in on_file("registered_by_self")  # the registration date
    assert "失业原因" in on_file("unemployed_at_registration")
    assert "未注销" in on_file("current_status") and "2025-03-01" in on_file("current_status")
    assert "就业创业证" in on_file("services")
    assert on_file("registered_on").strip() == "2025-03-01" and on_file("phone").strip().startswith("138****")
    assert "*" in on_file("id_number") and "测试" in on_file("name")
