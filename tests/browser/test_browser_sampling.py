"""In a real browser: the coordinator creates a campaign, designs the draw with the live preview, draws,
looks at a county's sample list and exports it."""

import csv
import io

import pytest
from openpyxl import load_workbook

from demo.accounts import DEMO_ACCOUNTS

pytestmark = pytest.mark.browser

ACCOUNTS = {a["username"]: a for a in DEMO_ACCOUNTS}


def log_in(page, live_server, username):
    page.goto(live_server.url + "/login")
    page.fill("#username", username)
    page.fill("#password", ACCOUNTS[username]["password"])
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + "/")


def test_coordinator_designs_previews_draws_and_exports(page, live_server, screenshots):
    log_in(page, live_server, "coord")
    page.click("nav >> text=抽样")
    page.click("text=新建核查批次")
    page.fill("#name", "2026年失业登记专项核查")
    page.fill("#description", "按湛江市就业服务管理中心2026年4月7日通知开展的随机抽查回访核查。")
    page.screenshot(path=screenshots / "sampling-new-campaign.png", full_page=True)
    page.click("input[type=submit]")
    page.click("[data-testid=design-link]")

    preview = page.locator("[data-testid=preview]")
    page.wait_for_selector("[data-testid=preview][data-ready]")
    page.select_option("#method", "total")
    page.fill("#total", "300")
    page.fill("#minimum", "10")
    page.select_option("#allocation", "neyman")
    page.wait_for_function("() => document.querySelector('[data-testid=preview] tbody').innerText.includes('300')")
    rows = preview.locator("tbody tr")
    assert rows.count() == 11  # ten counties and the total
    assert "赤坎区" in rows.first.inner_text() and "±" in rows.first.inner_text()
    page.select_option("#stratify_by", "gender")
    page.wait_for_function("() => document.querySelector('[data-testid=preview] tbody').innerText.includes('男')")
    assert preview.locator("tbody tr").count() > 11
    page.click("#seed-public")
    page.fill("#seed_text", "03 15 22 31 07 19")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=screenshots / "sampling-design.png", full_page=True)

    page.click("[data-testid=draw-button]")
    page.wait_for_selector("[data-testid=facts]")
    assert "已发布" in page.content() and "03 15 22 31 07 19" in page.content()
    page.click("[data-testid=strata] >> text=赤坎区·女")
    page.wait_for_selector("[data-testid=units]")
    assert page.locator("[data-testid=units] tr[data-role=reserve]").count() > 0
    first_id = page.locator("[data-testid=units] tbody tr td.masked").first.inner_text()
    assert "********" in first_id
    page.screenshot(path=screenshots / "sampling-sample-list.png", full_page=True)

    with page.expect_download() as download:
        page.click("[data-testid=export-xlsx]")
    with open(download.value.path(), "rb") as fh:
        sheet = load_workbook(io.BytesIO(fh.read())).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] == "县（市、区）" and {r[0] for r in rows[1:]} == {"440802"}
    with page.expect_download() as download:
        page.click("[data-testid=export-csv]")
    with open(download.value.path(), "rb") as fh:
        data = fh.read()
    assert data.startswith(b"\xef\xbb\xbf")
    assert len(list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))) == len(rows)

    page.click("[data-testid=verify]")
    page.wait_for_selector("text=核验一致")
    page.screenshot(path=screenshots / "sampling-verified.png", full_page=False)


def test_liaison_sees_the_sample_list_of_their_county_only(page, live_server, screenshots):
    log_in(page, live_server, "liaison")
    page.click("nav >> text=抽样")
    page.click("[data-testid=campaigns] >> text=2026年失业登记专项核查")
    page.click("[data-testid=draws] >> text=第 1 次抽样")
    page.wait_for_selector("[data-testid=units]")
    assert "设计抽样方案" not in page.content()
    counties = set(page.locator("[data-testid=units] tbody tr td:first-child").all_inner_texts())
    assert counties and all(c.startswith("赤坎区") for c in counties)
    page.screenshot(path=screenshots / "sampling-liaison.png", full_page=False)
