"""In a real browser, as the manager and the county liaison: the glossary of the rates and their tooltips,
the liaison's dashboard (their county first, no city-wide figures by default), and a rectification item
the county acts on — the register's value beside the value found, the number shown on demand, evidence
attached — then sent back with a reason and accepted by a coordinator. Chinese and English."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from support.browser import log_in
from support.reports_factory import add_campaign

pytestmark = pytest.mark.browser

CHIKAN, XIASHAN = "440802", "440803"  # the demo liaison is scoped to 赤坎区
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(scope="module")
def campaign(live_server):
    """Add a worked campaign over two counties and its rectification list; return its id and an item."""
    from core.extensions import db
    from models import Campaign, RectificationItem
    from reports.rectification import generate_items

    app = live_server.server.app
    clean = [[]] * 12
    with app.app_context():
        cid = add_campaign(db.session, {
            CHIKAN: {"N": 2400, "verified": [["inaccurate_data"], ["not_authentic"]] + clean, "open": 3},
            XIASHAN: {"N": 1800, "verified": [["should_have_been_cancelled"]] * 3 + clean, "open": 2},
        }, name="2026年失业登记专项核查（县级）", start=60_000)
        generate_items(db.session, db.session.get(Campaign, cid), datetime.now(UTC), date.today(), 30)
        db.session.commit()
        item = db.session.scalars(select(RectificationItem.id).where(
            RectificationItem.campaign_id == cid, RectificationItem.county_code == CHIKAN,
            RectificationItem.discrepancy_type == "inaccurate_data")).one()
        db.session.remove()
    return {"id": cid, "item": item}


def another_page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 860}, locale="zh-CN")
    return context, context.new_page()


def in_english(page, live_server):
    page.goto(f"{live_server.url}/lang/en")


def test_the_glossary_explains_every_rate_and_the_dashboard_shows_it_as_tooltips(page, live_server, campaign,
                                                                                  screenshots):
    log_in(page, live_server, "manager")
    page.goto(f"{live_server.url}/reports/{campaign['id']}/")
    term = page.locator("[data-testid=county-table] thead .term[data-term=completion_rate]")
    assert term.inner_text() == "回访完成率"
    assert term.get_attribute("title") == "全部抽中样本中完成核实的比例。"
    assert page.locator("[data-testid=county-table] thead .aapor-code").first.inner_text() == "CON1"
    page.locator("[data-testid=county-table] thead a.term-help[href$='#discrepancy_rate']").click()
    page.wait_for_selector("[data-testid=glossary-outcome]")
    names = page.locator("[data-testid=glossary-outcome] dt").all_inner_texts()
    assert [n.split()[0] for n in names] == ["接触率", "回访完成率", "含部分完成的回访完成率", "配合率", "拒访率"]
    assert "COOP1" in page.locator("#cooperation_rate").inner_text()
    assert page.locator("[data-testid=glossary-discrepancy] [data-term]").count() >= 8
    page.screenshot(path=screenshots / "glossary-zh.png", full_page=True)
    in_english(page, live_server)
    page.goto(f"{live_server.url}/reports/glossary")
    assert "Call-back completion rate" in page.locator("#completion_rate").inner_text()
    page.screenshot(path=screenshots / "glossary-en.png", full_page=True)


def test_the_liaisons_dashboard_is_their_county_first_and_only(page, live_server, campaign, screenshots):
    log_in(page, live_server, "liaison")
    page.goto(f"{live_server.url}/reports/{campaign['id']}/")
    page.wait_for_selector("[data-testid=summary]")
    assert "赤坎区" in page.locator("[data-testid=summary]").inner_text()
    names = page.locator("[data-testid=county-table] tbody tr td:first-child").all_inner_texts()
    assert [n.strip() for n in names] == ["赤坎区"]
    assert page.locator("[data-testid=county-only]").is_visible()
    assert "全市" not in page.locator("[data-testid=summary]").inner_text()
    page.screenshot(path=screenshots / "liaison-dashboard-zh.png", full_page=True)
    in_english(page, live_server)
    page.goto(f"{live_server.url}/reports/{campaign['id']}/")
    assert "Discrepancy rate · Chikan District" in page.locator("[data-testid=summary]").inner_text()
    page.screenshot(path=screenshots / "liaison-dashboard-en.png", full_page=True)


def test_the_county_fixes_an_item_and_the_coordinator_returns_then_accepts_it(page, browser, live_server, campaign,
                                                                               screenshots, tmp_path):
    item_url = f"{live_server.url}/reports/rectification/{campaign['item']}"
    log_in(page, live_server, "liaison")
    page.goto(item_url)
    fix = page.locator("[data-testid=register-fix] tr[data-field=phone]")
    assert "139****1111" in fix.inner_text()
    page.click("[data-testid=reveal-phone]")
    page.wait_for_selector("[data-testid=revealed]")
    assert page.url == item_url  # the reveal posted, then came back here: a reload does not post again
    assert "+8613900001111" in fix.inner_text()
    page.screenshot(path=screenshots / "rectification-reveal-zh.png", full_page=True)
    page.reload()
    assert "+8613900001111" not in fix.inner_text() and "139****1111" in fix.inner_text()

    scan = tmp_path / "整改通知书.pdf"
    scan.write_bytes(PDF)
    page.set_input_files("[data-testid=evidence-upload] input[type=file]", str(scan))
    page.click("[data-testid=evidence-upload] button[type=submit]")
    page.wait_for_selector("[data-testid=evidence-file]")
    assert page.locator("[data-testid=evidence-file]").inner_text() == "整改通知书.pdf"
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.click("[data-testid=evidence] button.text-danger")  # taking a file off asks first; here: no
    assert asked == ["确定移除此文件？移除后可以恢复。"]
    assert page.locator("[data-testid=evidence-file]").count() == 1
    page.fill("#note", "已在名册中更正联系电话")
    page.click("[data-testid=rectify-form] button[type=submit]")
    page.goto(item_url)
    assert page.locator("[data-testid=item-status]").inner_text() == "已整改，待验收"
    page.screenshot(path=screenshots / "rectification-item-evidence-zh.png", full_page=True)

    context, coordinator = another_page(browser)
    try:
        log_in(coordinator, live_server, "coord")
        coordinator.goto(item_url)
        assert coordinator.locator("[data-testid=evidence-file]").inner_text() == "整改通知书.pdf"
        coordinator.fill("#review-note", "请附上名册更正后的截图")
        coordinator.screenshot(path=screenshots / "rectification-return-zh.png", full_page=True)
        coordinator.click("[data-testid=review-form] button.btn-outline-danger")
        coordinator.goto(item_url)
        assert coordinator.locator("[data-testid=item-status]").inner_text() == "退回重改"
        assert "请附上名册更正后的截图" in coordinator.inner_text("main")

        page.goto(item_url)
        page.fill("#note", "已补充更正截图")
        page.click("[data-testid=rectify-form] button[type=submit]")

        in_english(coordinator, live_server)
        coordinator.goto(item_url)
        coordinator.fill("#review-note", "Checked against the register")
        coordinator.screenshot(path=screenshots / "rectification-accept-en.png", full_page=True)
        coordinator.click("[data-testid=review-form] button.btn-success")
        coordinator.goto(item_url)
        assert coordinator.locator("[data-testid=item-status]").inner_text() == "Accepted"
        history = coordinator.inner_text("main")
        assert "Sent back to the county" in history and "Full number shown" in history
        coordinator.screenshot(path=screenshots / "rectification-item-en.png", full_page=True)
    finally:
        context.close()


def test_the_coordinator_sets_the_campaign_deadline(page, live_server, campaign, screenshots):
    log_in(page, live_server, "coord")
    page.goto(f"{live_server.url}/reports/{campaign['id']}/rectification")
    page.fill("#deadline", date.today().replace(year=date.today().year + 1).isoformat())
    page.click("[data-testid=deadline-form] button[type=submit]")
    page.wait_for_selector(".alert-success")
    assert "本批次整改期限" in page.locator("[data-testid=deadline]").inner_text()
    page.screenshot(path=screenshots / "rectification-deadline-zh.png", full_page=True)
