"""In a real browser: a caller works three tasks — a no-answer, an appointment, a completed
verification — on a desktop screen and on a phone-size screen."""

import pytest
from sqlalchemy import select

from demo.accounts import DEMO_ACCOUNTS
from support.followup_factory import FakeClock, add_draw

pytestmark = pytest.mark.browser

ACCOUNTS = {a["username"]: a for a in DEMO_ACCOUNTS}


@pytest.fixture(scope="module")
def followup_server(live_server):
    """Give the demo caller four phone tasks (and a visit) due on a Wednesday morning."""
    from callbacks.context import SYSTEM, Actor, retry_rules
    from callbacks.tasks import assign_balanced, generate_tasks, send_to_visit
    from core.extensions import db
    from models import FollowUpTask, User

    app = live_server.server.app
    clock = FakeClock()
    app.config["CLOCK"] = clock
    with app.app_context():
        draw_id = add_draw(db.session, {"440802": 5}, start=900000)
        generate_tasks(draw_id, clock(), retry_rules(), SYSTEM)
        caller = db.session.scalar(select(User).where(User.username == "caller"))
        coord = Actor.of(db.session.scalar(select(User).where(User.username == "coord")))
        assign_balanced(coord, "440802", [caller.id])
        last = max(db.session.scalars(select(FollowUpTask.id)))
        send_to_visit(coord, [last], clock(), retry_rules())
        db.session.remove()
    return live_server


def log_in(page, server, username):
    page.goto(server.url + "/login")
    page.fill("#username", username)
    page.fill("#password", ACCOUNTS[username]["password"])
    page.click("input[type=submit]")
    page.wait_for_url(server.url + "/")


def next_task(page):
    page.click("[data-testid=next-task]")
    page.wait_for_selector("[data-testid=person-card]")
    page.wait_for_load_state("load")  # the keyboard shortcuts are bound by the page's script at its end


def test_caller_works_a_no_answer_an_appointment_and_a_verification(page, followup_server, screenshots):
    from core.extensions import db
    from models import Attempt, Verification

    server = followup_server
    log_in(page, server, "caller")
    assert "现在到期" in page.inner_text("[data-testid=queue-summary]")
    page.screenshot(path=screenshots / "followup-home-caller.png")
    page.click("nav >> text=我的回访")
    page.wait_for_selector("[data-testid=section-due_now]")
    page.screenshot(path=screenshots / "followup-queue.png", full_page=True)

    # 1. No answer, by keyboard shortcut, after revealing the number (logged).
    next_task(page)
    page.click("[data-testid=reveal-phone]")
    page.wait_for_selector("[data-testid=dial]")
    assert page.get_attribute("[data-testid=dial]", "href").startswith("tel:+86")
    page.screenshot(path=screenshots / "followup-task.png", full_page=True)
    page.keyboard.press("2")
    page.wait_for_selector(".alert-success")
    assert "已记录：无人接听" in page.inner_text(".alert-success")

    # 2. An appointment at the time the person asked for.
    next_task(page)
    page.fill("#appointment_at", "2026-05-06T16:30")
    page.click("[data-testid=disp-appointment]")
    page.wait_for_selector(".alert-success")
    assert "预约回拨" in page.inner_text("[data-testid=section-appointments]")

    # 3. A completed call and its verification record, with the derived discrepancy confirmed.
    next_task(page)
    page.keyboard.press("1")
    page.wait_for_selector("[data-testid=verification-form]")
    page.click("[data-testid=check-answers]")  # nothing answered: the identity question is refused
    page.wait_for_selector("[data-testid=problems]")
    assert "身份已确认" in page.inner_text("[data-testid=problems]")
    assert page.evaluate("document.activeElement.id") == "identity_confirmed-yes"
    page.screenshot(path=screenshots / "followup-verification-error.png")
    page.click("label[for=identity_confirmed-yes]")
    page.click("label[for=registered_by_self-yes]")
    page.click("label[for=unemployed_at_registration-yes]")
    page.select_option("#current_status", "employed")
    page.fill("#status_since", "2025-06-01")
    page.check("#service-job_referral")
    page.check("#service-agency_callback")
    page.click("[data-testid=check-answers]")
    page.wait_for_selector("[data-testid=derived]")
    assert "应注销未注销" in page.inner_text("[data-testid=derived]")
    page.screenshot(path=screenshots / "followup-verification.png", full_page=True)
    page.click("[data-testid=confirm-save]")
    page.wait_for_selector(".alert-success")
    assert "核查结论已保存" in page.inner_text(".alert-success")

    with server.server.app.app_context():
        dispositions = sorted(db.session.scalars(select(Attempt.disposition)))
        records = db.session.scalars(select(Verification)).all()
        assert dispositions == ["appointment", "completed", "no_answer"]
        assert [r.discrepancies for r in records] == [["should_have_been_cancelled"]]
        db.session.remove()
    page.screenshot(path=screenshots / "followup-queue-after.png", full_page=True)


def test_caller_pages_work_on_a_phone_screen(browser, followup_server, screenshots):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    try:
        log_in(page, followup_server, "caller")
        page.goto(followup_server.url + "/followup/")
        page.wait_for_selector("[data-testid=section-due_now]")
        page.screenshot(path=screenshots / "followup-queue-phone.png", full_page=True)
        next_task(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=screenshots / "followup-task-phone.png", full_page=True)
        page.goto(followup_server.url + "/followup/visits")
        page.wait_for_selector("[data-testid=visit-cards]")
        page.screenshot(path=screenshots / "followup-visits-phone.png", full_page=True)
    finally:
        context.close()


def test_coordinator_manages_follow_up(page, followup_server, screenshots):
    log_in(page, followup_server, "coord")
    page.click("nav >> text=回访任务管理")
    page.wait_for_selector("[data-testid=progress]")
    assert "赤坎区" in page.inner_text("[data-testid=progress]")
    page.screenshot(path=screenshots / "followup-manage.png", full_page=True)
    page.goto(followup_server.url + "/followup/visits?county=440802")
    page.wait_for_selector("[data-testid=visits]")
    page.screenshot(path=screenshots / "followup-visits.png", full_page=True)
