"""In a real browser: a coordinator assigns tasks from the table (ticked ones, then all matching), reads
the workload per caller, follows the draw's next step and opens a person's file, revealing a number."""

from datetime import date

import pytest
from sqlalchemy import func, select

from support.browser import log_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def worked_server(live_server):
    """The demo campaign, drawn and worked, on the live demo server; 廉江市's open tasks back in its pool."""
    from sqlalchemy import update

    from core.extensions import db
    from demo.campaign import load_demo_campaign
    from models import FollowUpTask

    with live_server.server.app.app_context():
        load_demo_campaign(db.session, seed=11, today=date(2026, 11, 20))
        db.session.execute(update(FollowUpTask).where(FollowUpTask.county_code == "440881",
                                                      FollowUpTask.status != "closed").values(assigned_to_id=None))
        db.session.commit()
        db.session.remove()
    return live_server


def in_english(page, server):
    page.goto(server.url + "/lang/en")


def test_coordinator_assigns_from_the_table_and_reads_the_workload(browser, worked_server, screenshots):
    from core.extensions import db
    from models import FollowUpTask, User

    server = worked_server
    context = browser.new_context(viewport={"width": 1366, "height": 860}, locale="zh-CN")
    page = context.new_page()
    try:
        log_in(page, server, "coord")
        page.goto(server.url + "/followup/manage")
        page.click("[data-testid=assignment-link]")
        page.wait_for_selector("[data-testid=tasks]")
        page.select_option("#f-county", "440881")
        page.select_option("#f-caller", "pool")
        page.click("[data-testid=task-filter] button[type=submit]")
        page.wait_for_selector("[data-testid=tasks]")
        with server.server.app.app_context():
            caller2 = db.session.scalar(select(User.id).where(User.username == "caller2"))
            pool_before = db.session.scalar(select(func.count(FollowUpTask.id)).where(
                FollowUpTask.county_code == "440881", FollowUpTask.assigned_to_id.is_(None),
                FollowUpTask.status != "closed"))
            db.session.remove()
        assert pool_before >= 3, "the demo leaves open tasks in 廉江市's pool"
        boxes = page.locator(".task-tick")
        boxes.nth(0).check()
        boxes.nth(1).check()
        assert page.inner_text("[data-testid=picked-count]") == "2"
        page.select_option("[data-testid=to-caller]", str(caller2))
        page.screenshot(path=screenshots / "assignment-table.png", full_page=True)
        page.click("[data-testid=assign]")
        page.wait_for_selector(".alert-success")
        assert "已分派 2 个任务" in page.inner_text(".alert-success")
        with server.server.app.app_context():
            assert db.session.scalar(select(func.count(FollowUpTask.id)).where(
                FollowUpTask.county_code == "440881", FollowUpTask.assigned_to_id.is_(None),
                FollowUpTask.status != "closed")) == pool_before - 2
            db.session.remove()
        page.check("#scope-all")
        page.select_option("[data-testid=to-caller]", str(caller2))
        page.click("[data-testid=assign]")
        page.wait_for_selector(".alert-success")
        assert "没有符合条件的待办任务" in page.inner_text("[data-testid=tasks]")  # the pool is empty now
        page.goto(server.url + "/followup/workload")
        page.wait_for_selector("[data-testid=workload]")
        assert "廉江市" in page.inner_text(f"[data-testid=workload-{caller2}]")
        page.screenshot(path=screenshots / "workload.png", full_page=True)
        in_english(page, server)
        page.goto(server.url + "/followup/workload")
        assert "Workload per caller" in page.inner_text("h1")
        page.screenshot(path=screenshots / "workload-en.png", full_page=True)
        page.goto(server.url + "/followup/assignment?county=440802")
        assert "Assign tasks" in page.inner_text("h1")
        page.screenshot(path=screenshots / "assignment-table-en.png", full_page=True)
    finally:
        context.close()


def test_person_file_masks_then_reveals_a_number_with_a_log_entry(browser, worked_server, screenshots):
    from core.extensions import db
    from models import AuditLog, Person, RectificationItem

    server = worked_server
    with server.server.app.app_context():
        item = db.session.scalar(select(RectificationItem).order_by(RectificationItem.id).limit(1))
        person = db.session.get(Person, item.person_id)
        person_id, phone, item_id = person.id, person.phone, item.id
        db.session.remove()
    context = browser.new_context(viewport={"width": 1366, "height": 860}, locale="zh-CN")
    page = context.new_page()
    try:
        log_in(page, server, "coord")
        page.goto(f"{server.url}/reports/rectification/{item_id}")
        page.click("[data-testid=person-link]")
        page.wait_for_selector("[data-testid=person-rows]")
        assert phone.removeprefix("+86") not in page.content()
        for section in ("person-draws", "person-tasks", "person-attempts", "person-verifications", "person-items"):
            assert page.locator(f"[data-testid={section}] tbody tr").count() >= 1
        page.click("[data-testid=reveal-phone]")
        page.wait_for_selector("[data-testid=phone]")
        assert page.inner_text("[data-testid=phone]") == phone
        page.reload()  # no "resend the form?" and no second log entry
        assert page.inner_text("[data-testid=phone]") == phone
        with server.server.app.app_context():
            assert db.session.scalar(select(func.count(AuditLog.id)).where(
                AuditLog.action == "person.reveal_phone", AuditLog.object_id == str(person_id))) == 1
            db.session.remove()
        page.screenshot(path=screenshots / "person-file.png", full_page=True)
        in_english(page, server)
        page.goto(f"{server.url}/roster/persons/{person_id}")
        assert "On the roster, snapshot by snapshot" in page.inner_text("body")
        page.screenshot(path=screenshots / "person-file-en.png", full_page=True)
    finally:
        context.close()


def test_the_draw_page_offers_the_next_step(browser, worked_server, screenshots):
    from core.extensions import db
    from models import Draw

    server = worked_server
    with server.server.app.app_context():
        draw_id = db.session.scalar(select(Draw.id).where(Draw.superseded.is_(False)).order_by(Draw.id.desc()))
        db.session.remove()
    context = browser.new_context(viewport={"width": 1366, "height": 860}, locale="zh-CN")
    page = context.new_page()
    try:
        log_in(page, server, "coord")
        page.goto(f"{server.url}/campaigns/draws/{draw_id}")
        step = page.inner_text("[data-testid=next-step]")
        assert "下一步" in step or "均已生成并分派" in step
        page.screenshot(path=screenshots / "draw-next-step.png")
    finally:
        context.close()
