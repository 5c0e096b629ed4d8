"""In a real browser: a coordinator imports a county file, follows the check, imports, and downloads
the error report; the data-quality page links to the persons behind its numbers."""

import io

import pytest
from openpyxl import load_workbook

from support.browser import log_in
from support.import_files import csv_text, demo_rows

pytestmark = pytest.mark.browser


def county_file(tmp_path):
    rows = demo_rows(400, seed=21, county="440883")
    values = [[r["name"], "男" if r["gender"] == "1" else "女", r["id_number"], (r["phone"] or "")[3:], "", "",
               "本人辞职", r["registered_on"].isoformat(), "", "", "失业", "", "440883"] for r in rows]
    values[5][2] = values[5][2][:17] + ("1" if values[5][2][17] != "1" else "2")  # a wrong check digit
    values[9][7] = "2031-01-01"  # registered in the future
    values[12][3] = "12345"  # not a phone number (kept, with a warning)
    path = tmp_path / "吴川市失业登记名册.csv"
    path.write_bytes(csv_text(values).encode("gbk"))
    return path


def test_coordinator_imports_a_county_file_and_downloads_the_error_report(page, live_server, screenshots,
                                                                          tmp_path):
    log_in(page, live_server, "coord")
    page.click("text=名册导入")
    page.screenshot(path=screenshots / "import-upload.png", full_page=True)
    page.set_input_files("#file", str(county_file(tmp_path)))
    page.select_option("#county", "440883")
    page.click("text=上传并校验")
    page.wait_for_selector("[data-status=previewed]", timeout=20000)
    assert "新增" in page.content() and "不再在册" in page.content()
    page.screenshot(path=screenshots / "import-preview.png", full_page=True)
    with page.expect_download() as download_info:
        page.click("[data-testid=error-report]")
    report = load_workbook(io.BytesIO(download_info.value.path().read_bytes())).active
    reasons = [row[4] for row in report.iter_rows(min_row=4, values_only=True)]
    assert any("校验码" in r for r in reasons) and any("晚于" in r or "未来" in r for r in reasons)
    # The file is not 吴川市's demo register: most of it would leave, so the import asks first.
    page.click("[data-testid=commit]")
    page.wait_for_selector("[data-testid=removal-counties]")
    assert "吴川市" in page.inner_text("[data-testid=removal-counties]")
    page.screenshot(path=screenshots / "import-confirm.png", full_page=True)
    page.fill("#county-name-440883", "湛江市")
    page.click("[data-testid=confirm-commit]")
    page.wait_for_selector("#county-name-440883.is-invalid")
    assert page.evaluate("document.activeElement.id") == "county-name-440883"
    page.fill("#county-name-440883", "吴川市")
    page.click("[data-testid=confirm-commit]")
    page.wait_for_selector("[data-status=committed]", timeout=20000)
    page.screenshot(path=screenshots / "import-committed.png", full_page=True)


def test_quality_numbers_link_to_the_persons_behind_them(page, live_server, screenshots):
    log_in(page, live_server, "coord")
    page.click("text=数据质量")
    page.wait_for_selector("[data-testid=quality]")
    page.screenshot(path=screenshots / "quality.png", full_page=True)
    link = page.locator("[data-flag=missing_phone]").first
    count = link.inner_text()
    link.click()
    page.wait_for_selector("[data-testid=flag]")
    assert f"共找到 {count} 人" in page.content()


def test_a_search_by_a_partial_number_finds_nobody_and_says_why(page, live_server, screenshots):
    log_in(page, live_server, "liaison")
    page.goto(live_server.url + "/roster/")
    page.fill("#q", "4408021")
    page.press("#q", "Enter")
    refused = page.locator("[data-testid=number-refused]")
    assert "按号码查询须输入完整的身份证号或手机号，或姓名加后四位" in refused.inner_text()
    assert page.locator("[data-testid=persons]").count() == 0
    page.screenshot(path=screenshots / "roster-search-refused.png", full_page=True)
