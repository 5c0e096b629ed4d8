"""In a real browser: a coordinator uploads a reference register whose headers are not recognised, names the
columns on the mapping page (a choice that leaves a required field out is refused first) and reads the report."""

import pytest

from support.browser import log_in
from support.registers_factory import write_csv

pytestmark = pytest.mark.browser


def pension_file(tmp_path):
    """A pension list as another office might export it: neither the ID number nor the month is named as usual."""
    return write_csv(tmp_path / "养老金首次领取名单.csv", ["序号", "证件", "姓名", "开始时间", "备注"], [
        [1, "11010519491231002X", "张三", "2024-12", "首次发放"],
        [2, "440802197001010011", "李四", "202502", ""],
        [3, "123", "王五", "2025-02", "号码有误"],
    ], encoding="gbk")


def test_coordinator_names_the_columns_of_a_register_file(page, live_server, screenshots, tmp_path):
    log_in(page, live_server, "coord")
    page.goto(live_server.url + "/registers/")
    page.select_option("#kind", "pension")
    page.set_input_files("#file", pension_file(tmp_path))
    page.click("#submit")
    page.wait_for_selector("[data-testid=mapping-columns]")
    assert page.locator("select[id^=column-]").count() == 5
    assert "110105********002X" in page.inner_text("[data-testid=mapping-columns]")
    page.screenshot(path=screenshots / "registers-mapping-zh.png", full_page=True)
    page.select_option("#column-1", "id_number")
    page.click("#submit")
    page.wait_for_selector("[data-testid=mapping-problems]")
    assert "请为必填字段“首次领取年月”选择一列" in page.inner_text("[data-testid=mapping-problems]")
    assert page.input_value("#column-1") == "id_number"  # the choice made is kept
    page.screenshot(path=screenshots / "registers-mapping-refused-zh.png", full_page=True)
    page.select_option("#column-3", "first_paid")
    page.click("#submit")
    page.wait_for_selector("[data-testid=import-counts]")
    assert "无效" in page.inner_text("[data-testid=import-problems]")
    page.goto(live_server.url + "/lang/en")
    page.goto(live_server.url + "/registers/")
    page.select_option("#kind", "death")
    page.set_input_files("#file", write_csv(tmp_path / "deaths.csv", ["证件号", "去世"], [["11010519491231002X", "2025-05-01"]]))
    page.click("#submit")
    page.wait_for_selector("[data-testid=mapping-columns]")
    page.screenshot(path=screenshots / "registers-mapping-en.png", full_page=True)
