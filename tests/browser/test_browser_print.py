"""Printing through Chromium's own PDF output: the sample list and the county report on A4 paper.

A 361-row sample list fits on at most 9 pages, with no name or number broken across lines, and the
county report's charts stay inside the printable area. Screenshots of the printed pages (pdftoppm)
go to docs/screenshots with SPOTCHECK_SCREENSHOTS=1.
"""

import random
import re
import subprocess
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, update

from support.browser import log_in
from support.followup_factory import add_draw
from support.reports_factory import add_campaign, add_snapshots

pytestmark = pytest.mark.browser

SURNAMES = ["欧阳", "司马", "陈", "李", "黄", "张", "梁", "吴", "林", "王", "冯", "庞", "谭", "詹"]
GIVEN = ["志强", "美玲", "嘉欣", "国华", "子涵", "伟", "婷", "振宇", "晓燕", "海峰", "丽", "建军"]
STREETS = ["赤坎区中山一路", "赤坎区南桥南路", "赤坎区寸金路", "赤坎区海滨二路", "赤坎区北桥街道"]
A4_PORTRAIT_MM = (210, 297)
PX_PER_MM = 96 / 25.4


@pytest.fixture(scope="module")
def long_list(live_server):
    """A draw of 361 persons in 赤坎区 (330 sampled, 31 reserves) with real-looking names and addresses."""
    from core.extensions import db
    from models import Person, SampleUnit

    app = live_server.server.app
    rng = random.Random(3)
    with app.app_context():
        draw_id = add_draw(db.session, {"440802": 330}, reserves=31, name="2026年失业登记专项核查（打印）",
                           start=700_000, created_at=datetime(2026, 12, 2, 8, 16, tzinfo=UTC))
        person_ids = db.session.scalars(select(SampleUnit.person_id).where(SampleUnit.draw_id == draw_id)).all()
        names = {}
        for person_id in person_ids:
            names[person_id] = rng.choice(SURNAMES) + rng.choice(GIVEN)
            address = f"广东省湛江市{rng.choice(STREETS)}{rng.randint(1, 300)}号{rng.randint(1, 30)}栋{rng.randint(101, 2801)}房"
            db.session.execute(update(Person).where(Person.id == person_id)
                               .values(name=names[person_id], residence_address=address))
        db.session.commit()
        db.session.remove()
    return draw_id, sorted(set(names.values()))


@pytest.fixture(scope="module")
def report_campaign(live_server):
    """A worked campaign over two counties with eight days of progress."""
    from core.extensions import db
    from models import Campaign
    from reports.rectification import generate_items

    rng = random.Random(5)
    spec = {code: {"N": 2000, "verified": [[t for t in ("inaccurate_data", "assistance_not_delivered")
                                              if rng.random() < 0.15] for _ in range(30)],
                   "services": [["job_referral"]] * 30, "outcomes": {"unreachable": 2}, "open": 3}
            for code in ("440802", "440803")}
    app = live_server.server.app
    with app.app_context():
        cid = add_campaign(db.session, spec, name="2026年失业登记专项核查（报告打印）", start=800_000)
        for code in spec:
            add_snapshots(db.session, cid, code, days=8, tasks=33)
        generate_items(db.session, db.session.get(Campaign, cid), datetime.now(UTC), date.today(), 30)
        db.session.commit()
        db.session.remove()
    return cid




def print_to_pdf(page, path) -> int:
    """Print the page as Chromium does (print media, the page's own @page size); return the page count."""
    page.emulate_media(media="print")
    page.pdf(path=str(path), prefer_css_page_size=True, print_background=True)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def pdf_lines(path) -> list[str]:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout.splitlines()


def save_pngs(pdf, screenshots, stem, first=1, last=2) -> None:
    """Render pages of a PDF to PNG (<stem>-<page>.png), as a reader would see the paper."""
    subprocess.run(["pdftoppm", "-png", "-r", "100", "-f", str(first), "-l", str(last), str(pdf),
                    str(screenshots / stem)], check=True)


def test_a_361_row_sample_list_prints_on_at_most_nine_pages_with_no_word_broken(
        page, live_server, long_list, screenshots, tmp_path):
    draw_id, names = long_list
    log_in(page, live_server, "coord")
    page.goto(f"{live_server.url}/campaigns/draws/{draw_id}/print")
    rows = page.locator("table.print-list tbody tr")
    assert rows.count() == 361
    pages = print_to_pdf(page, tmp_path / "list.pdf")
    assert pages <= 9, f"{pages} pages"
    text = "\n".join(pdf_lines(tmp_path / "list.pdf"))
    for name in names:  # a name split over two lines would not be found whole
        assert name in text, name
    assert len(re.findall(r"440802\*{8}\d{3}[\dX]", text)) == 361  # masked ID numbers, whole
    assert len(re.findall(r"138\*{4}\d{4}", text)) == 361  # masked phones, whole
    assert "2026-12-02 16:16" in text  # the draw time, in Beijing time
    save_pngs(tmp_path / "list.pdf", screenshots, "print-sample-list", 1, 1)
    save_pngs(tmp_path / "list.pdf", screenshots, "print-sample-list", pages, pages)  # the reserves


def test_the_printed_county_report_keeps_its_charts_inside_the_page(
        page, live_server, report_campaign, screenshots, tmp_path):
    log_in(page, live_server, "manager")
    url = f"{live_server.url}/reports/{report_campaign}/county/440802/print"
    # As a desktop user prints: the charts were drawn for a wide window, then the page goes to A4.
    page.goto(url)
    page.wait_for_selector("[data-testid=report]")
    page.emulate_media(media="print")
    page.evaluate(NEXT_FRAME)
    pages = print_to_pdf(page, tmp_path / "report.pdf")
    assert pages <= 3
    text = "\n".join(pdf_lines(tmp_path / "report.pdf"))
    assert "赤坎区失业登记抽查核查报告" in text and "第 1 次抽样" in text
    save_pngs(tmp_path / "report.pdf", screenshots, "print-county-report")

    # Laid out at the printable width of A4, a chart still sized for the screen is scaled into its box ...
    printable_width = (A4_PORTRAIT_MM[0] - 2 * 12) * PX_PER_MM
    page.set_viewport_size({"width": int(printable_width), "height": 1000})
    page.evaluate(NEXT_FRAME)
    page.evaluate("document.querySelectorAll('.report canvas').forEach(c => { c.style.width = '900px'; })")
    for chart in ("#rates-chart", "#progress-chart"):
        assert_inside(page, chart, printable_width)
    # ... and redrawn to fit before the browser prints.
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    for chart in ("#rates-chart", "#progress-chart"):
        assert page.locator(chart).evaluate("c => c.style.width") != "900px", chart
        assert_inside(page, chart, printable_width)


NEXT_FRAME = "new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"


def assert_inside(page, chart, printable_width) -> None:
    """The chart is drawn whole inside its box, and its box inside the printable width."""
    box = page.locator(chart).bounding_box()
    frame = page.locator(chart).locator("xpath=..").bounding_box()
    assert box["width"] > 100 and box["height"] > 50, chart
    assert frame["x"] - 0.5 <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"] + 0.5, chart
    assert box["y"] + box["height"] <= frame["y"] + frame["height"] + 0.5, chart
    assert frame["x"] + frame["width"] <= printable_width + 0.5, chart
