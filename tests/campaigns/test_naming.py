"""People read draws by their number within the campaign, snapshots by county and date, strata by
name, and download Chinese file names; nobody reads a database id."""

import io
import re
from datetime import UTC, date, datetime
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from core.downloads import attachment, clean_part, file_name
from core.timefmt import local_today
from support.followup_factory import add_draw
from support.roster_factory import add_roster

DESIGN = {"counties": ["440802", "440803"], "method": "total", "total": "20", "allocation": "proportional",
          "minimum": "0", "reserve_mode": "share", "reserve_share": "0.2", "confidence": "0.95", "rate": "0.5",
          "seed_mode": "public", "seed_text": "88 12 07", "stratify_by": "gender"}


@pytest.fixture
def campaign(app, session, users):
    """A campaign over 赤坎区 (60 persons) and 霞山区 (40 persons)."""
    from campaigns import service

    add_roster(session, "440802", 60)
    add_roster(session, "440803", 40, start=100)
    made = service.create_campaign("2026年专项核查", ["440802", "440803"])
    session.commit()
    return made.id


def test_file_names_keep_chinese_and_drop_what_a_file_system_refuses():
    assert clean_part('2026年/核查:第"1"轮*?') == "2026年核查第1轮"
    assert file_name(["抽样名单", "2026年核查", None, "赤坎区"], date(2026, 12, 2), "xlsx") == \
        "抽样名单-2026年核查-赤坎区-20261202.xlsx"


def test_a_download_header_carries_the_chinese_name_and_an_ascii_fallback():
    header = attachment("抽样名单-2026年核查-20261202.xlsx", "sample-list-7-20261202.xlsx")["Content-Disposition"]
    assert header.startswith('attachment; filename="sample-list-7-20261202.xlsx"; ')
    assert unquote(re.search(r"filename\*=UTF-8''(\S+)", header).group(1)) == "抽样名单-2026年核查-20261202.xlsx"
    assert header.isascii()


def test_draws_are_numbered_within_their_campaign(app, session, login_as, client):
    from models import Draw

    first = add_draw(session, {"440802": 2}, name="甲批次", created_at=datetime(2026, 11, 2, tzinfo=UTC))
    add_draw(session, {"440803": 2}, name="乙批次", start=100, created_at=datetime(2026, 11, 3, tzinfo=UTC))
    second = add_draw(session, {"440802": 2}, name="甲批次", start=200, created_at=datetime(2026, 11, 4, tzinfo=UTC))
    login_as("coordinator")
    assert "第 1 次抽样" in client.get(f"/campaigns/draws/{first}").data.decode()
    assert "第 2 次抽样" in client.get(f"/campaigns/draws/{second}").data.decode()
    campaign_page = client.get(f"/campaigns/{session.get(Draw, second).campaign_id}").data.decode()
    assert "第 1 次抽样" in campaign_page and "第 2 次抽样" in campaign_page and "第 3 次" not in campaign_page


def test_the_draw_and_its_export_name_snapshots_strata_and_file_in_chinese(client, login_as, campaign):
    login_as("coordinator")
    response = client.post(f"/campaigns/{campaign}/design", data=DESIGN)
    draw_url = response.headers["Location"]
    today = local_today().isoformat()
    page = client.get(draw_url).data.decode()
    assert f"赤坎区 {today} 导入" in page and f"霞山区 {today} 导入" in page
    assert "赤坎区·男" in page

    exported = client.get(draw_url + "/export.xlsx")
    name = unquote(re.search(r"filename\*=UTF-8''(\S+)", exported.headers["Content-Disposition"]).group(1))
    assert name == f"抽样名单-2026年专项核查-第1次抽样-{local_today():%Y%m%d}.xlsx"
    book = load_workbook(io.BytesIO(exported.data))
    facts = {row[0]: row[1] for row in book.worksheets[1].iter_rows(values_only=True)}
    assert facts["抽样编号"] == "第 1 次抽样"
    assert facts["名册快照"] == f"赤坎区 {today} 导入、霞山区 {today} 导入"
    assert "赤坎区·男: 60 / " in facts["各层：抽样框人数 / 样本数 / 备用样本数"] and "440802|" not in facts["各层：抽样框人数 / 样本数 / 备用样本数"]
    assert {row[2] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)} == {"赤坎区·男", "霞山区·男"}

    csv_name = client.get(draw_url + "/export.csv?county=440803").headers["Content-Disposition"]
    assert "抽样名单-2026年专项核查-第1次抽样-霞山区-" in unquote(csv_name)
