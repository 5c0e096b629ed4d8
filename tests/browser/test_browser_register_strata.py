"""In a real browser: the design page offers the register-finding strata only after a match, then previews
each county's with- and without-finding strata, oversampled, in Chinese."""

from datetime import date

import pytest

from support.browser import log_in

pytestmark = pytest.mark.browser


def test_register_finding_strata_on_the_design_page(page, live_server, screenshots):
    log_in(page, live_server, "coord")
    page.goto(live_server.url + "/campaigns/new")
    page.fill("#name", "2026年比对分层核查")
    page.click("input[type=submit]")
    page.click("[data-testid=design-link]")
    design_url = page.url
    page.wait_for_selector("[data-testid=preview][data-ready]")
    option = page.locator("#stratify_by option[value=register_finding]")
    assert option.is_disabled() and "尚未运行数据比对" in option.inner_text()
    assert "请先导入比对名单并运行比对" in page.content()

    from core.extensions import db
    from demo.registers import load_demo_registers

    with live_server.server.app.app_context():
        load_demo_registers(db.session, seed=11, today=date.today())
    page.goto(design_url)
    page.wait_for_selector("[data-testid=preview][data-ready]")
    assert not page.locator("#stratify_by option[value=register_finding]").is_disabled()
    page.select_option("#stratify_by", "register_finding")
    page.fill("#oversample", "3")
    page.fill("#total", "300")
    page.fill("#minimum", "2")
    page.wait_for_function("() => document.querySelector('[data-testid=preview] tbody').innerText"
                           ".includes('有比对发现')")
    body = page.locator("[data-testid=preview] tbody").inner_text()
    assert "赤坎区·无比对发现" in body and "%" in body
    assert page.locator("#oversample").is_visible()
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=screenshots / "sampling-design-register-strata.png", full_page=True)

    page.click("[data-testid=draw-button]")
    page.wait_for_selector("[data-testid=facts]")
    assert "×3" in page.locator("[data-testid=register-strata]").inner_text()
    assert "赤坎区·有比对发现" in page.locator("[data-testid=strata]").inner_text()
    page.screenshot(path=screenshots / "draw-register-strata.png", full_page=False)
