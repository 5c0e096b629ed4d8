"""In a real browser, the caller's side: a results form that still submits after the tel: link was
followed, the reveal as post-redirect-get, the queue with its search, a section in full, the task page
with its campaign and the verification form with the values on file — on a desktop and a phone
screen, in Chinese and in English."""

import pytest
from sqlalchemy import select, update

from support.browser import log_in
from support.followup_factory import FakeClock, add_draw

pytestmark = pytest.mark.browser

SURNAMES = "王李张刘陈杨黄赵吴周"
GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 860}


@pytest.fixture(scope="module")
def caller_server(live_server):
    """Give the demo caller 36 phone tasks of two campaigns in 赤坎区, and one contact made."""
    from callbacks.attempts import record_attempt
    from callbacks.context import SYSTEM, Actor, retry_rules
    from callbacks.tasks import assign_balanced, generate_tasks
    from core.extensions import db
    from models import FollowUpTask, Person, User

    app = live_server.server.app
    clock = FakeClock()
    app.config["CLOCK"] = clock
    with app.app_context():
        for count, start, name in ((30, 900000, "2026年失业登记专项核查"), (6, 900100, "2026年第二批核查")):
            draw_id = add_draw(db.session, {"440802": count}, start=start, name=name)
            generate_tasks(draw_id, clock(), retry_rules(), SYSTEM)
        for n, person in enumerate(db.session.scalars(select(Person).where(Person.name.like("测试%"))
                                                      .order_by(Person.id))):
            person.name = SURNAMES[n % 10] + GIVEN[(n // 10) % 10] + ("" if n < 100 else str(n))
        db.session.commit()
        caller = db.session.scalar(select(User).where(User.username == "caller"))
        coord = Actor.of(db.session.scalar(select(User).where(User.username == "coord")))
        assign_balanced(coord, "440802", [caller.id])
        # The last task: the person was reached, the verification record is to be filled in.
        last = max(db.session.scalars(select(FollowUpTask.id)))
        record_attempt(Actor.of(caller), last, "completed", clock(), retry_rules(), submission_key="shot")
        # Put down, so that "next" hands out a task still to call.
        db.session.execute(update(FollowUpTask).where(FollowUpTask.id == last)
                           .values(claimed_by_id=None, claimed_at=None))
        db.session.commit()
        db.session.remove()
    live_server.to_record = last
    return live_server


def open_next_task(page):
    page.click("[data-testid=next-task]")
    page.wait_for_selector("[data-testid=person-card]")
    page.wait_for_load_state("load")  # the keyboard shortcuts are bound by the page's script at its end


def test_results_still_submit_after_the_tel_link_was_followed(page, caller_server):
    """Chromium stopped passing clicks and keys to the page once a same-page tel: link was followed."""
    server = caller_server
    log_in(page, server, "caller")
    page.goto(server.url + "/followup/")
    open_next_task(page)
    task_url = page.url
    page.click("[data-testid=reveal-phone]")
    page.wait_for_selector("[data-testid=dial]")
    # Post, redirect, get: the page is the task's own address, and a reload asks nothing.
    assert page.url.split("#")[0] == task_url
    page.reload()
    assert page.is_visible("[data-testid=dial]")
    page.wait_for_load_state("load")
    page.click("[data-testid=dial]")
    page.wait_for_timeout(3000)  # long enough for Chromium to have handed the number to the phone app
    assert page.url.split("#")[0] == task_url
    page.click("[data-testid=disp-no_answer]")
    page.wait_for_selector(".alert-success", timeout=5000)
    assert "已记录：无人接听" in page.inner_text(".alert-success")

    # And by keyboard: the number shown on a button still records after the link was followed.
    open_next_task(page)
    page.click("[data-testid=reveal-phone]")
    page.wait_for_selector("[data-testid=dial]")
    page.wait_for_load_state("load")
    page.click("[data-testid=dial]")
    page.wait_for_timeout(3000)
    page.keyboard.press("3")
    page.wait_for_selector(".alert-success", timeout=5000)
    assert "已记录：占线" in page.inner_text(".alert-success")


def test_shortcut_keys_read_in_order_on_the_page(page, caller_server):
    log_in(page, caller_server, "caller")
    page.goto(caller_server.url + "/followup/")
    open_next_task(page)
    keys = page.locator("[data-testid=attempt-form] kbd").all_inner_texts()
    assert keys == sorted(keys) and keys[0] == "1"


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_caller_pages_look_right(browser, caller_server, screenshots, lang, screen):
    server = caller_server
    phone = screen == "phone"
    context = browser.new_context(viewport=PHONE if phone else DESKTOP, locale="zh-CN", is_mobile=phone,
                                  has_touch=phone)
    page = context.new_page()
    shot = f"-{lang}-{screen}.png"
    try:
        log_in(page, server, "caller")
        if lang == "en":
            page.goto(server.url + "/lang/en")
        page.goto(server.url + "/followup/")
        page.wait_for_selector("[data-testid=section-due_now]")
        assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
        more = page.locator("[data-testid=more-due_now]")
        assert more.count() == 1
        page.screenshot(path=screenshots / f"caller-queue{shot}", full_page=not phone)

        # The search a person who rings back needs: a name and the last four digits of the phone.
        page.fill("#case-q", "王伟 0000")
        page.click("[data-testid=case-search] button")
        page.wait_for_selector("[data-testid=search-results]")
        assert page.locator("[data-testid^=found-]").count() == 1
        assert "138****0000" in page.inner_text("[data-testid=search-results]")
        page.screenshot(path=screenshots / f"caller-search{shot}", full_page=True)

        # The whole queue: "n more" opens the section in full, page by page, in a chosen order.
        page.goto(server.url + "/followup/")
        page.click("[data-testid=more-due_now]")
        page.wait_for_selector("[data-testid=section-list]")
        assert page.locator("[data-testid=pager]").count() == 1
        page.select_option("#sort", "name")
        page.click("[data-testid=sort-form] button")
        page.wait_for_selector("[data-testid=section-list]")
        assert "sort=name" in page.url
        assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
        page.screenshot(path=screenshots / f"caller-section{shot}", full_page=not phone)

        # The task page names its campaign; the verification form shows the values on file.
        page.goto(server.url + f"/followup/tasks/{server.to_record - 1}")
        page.wait_for_selector("[data-testid=task-campaign]")
        assert "2026年第二批核查" in page.inner_text("[data-testid=task-campaign]")
        page.screenshot(path=screenshots / f"caller-task{shot}", full_page=not phone)
        page.goto(server.url + f"/followup/tasks/{server.to_record}/verification")
        page.wait_for_selector("[data-testid=verification-form]")
        assert "2025-03-01" in page.inner_text("[data-testid=on-file-registered_by_self]")
        assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
        page.screenshot(path=screenshots / f"caller-verification{shot}", full_page=True)
    finally:
        context.close()
