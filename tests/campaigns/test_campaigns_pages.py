"""Campaign pages: who may design and draw, the live preview, the sample list per county, exports."""

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from models import AuditLog
from support.roster_factory import add_roster

DESIGN = {"counties": ["440802", "440803"], "method": "total", "total": "20", "allocation": "proportional",
          "minimum": "0", "reserve_mode": "share", "reserve_share": "0.2", "confidence": "0.95", "rate": "0.5",
          "seed_mode": "public", "seed_text": "88 12 07"}


@pytest.fixture
def campaign(app, session, users):
    """A campaign over 赤坎区 (60 persons) and 霞山区 (40 persons)."""
    from campaigns import service

    with app.app_context():
        add_roster(session, "440802", 60)
        add_roster(session, "440803", 40, start=100)
        made = service.create_campaign("2026年专项核查", ["440802", "440803"])
        session.commit()
        return made.id


@pytest.fixture
def drawn(client, login_as, campaign):
    """The campaign drawn through the design page by the coordinator; return the draw's page URL."""
    login_as("coordinator")
    response = client.post(f"/campaigns/{campaign}/design", data=DESIGN)
    assert response.status_code in (302, 303), response.data.decode()[:2000]
    client.post("/logout")
    return response.headers["Location"]


@pytest.mark.parametrize("role", ["caller", "manager", "liaison"])
def test_only_coordinators_and_admins_design_preview_and_draw(client, login_as, campaign, role):
    login_as(role)
    assert client.get(f"/campaigns/{campaign}/design").status_code == 403
    assert client.post(f"/campaigns/{campaign}/design", data=DESIGN).status_code == 403
    assert client.get(f"/campaigns/{campaign}/preview?method=fixed&n=3").status_code == 403
    assert client.get("/campaigns/new").status_code == 403


def test_callers_do_not_see_campaigns_at_all(client, login_as, campaign):
    login_as("caller")
    assert client.get("/campaigns/").status_code == 403
    assert "抽样" not in client.get("/").data.decode().split("</nav>")[0]


def test_coordinator_creates_a_campaign(client, login_as, users):
    login_as("coordinator")
    page = client.get("/campaigns/new").data.decode()
    assert "新建核查批次" in page and "赤坎区" in page
    response = client.post("/campaigns/new", data={"name": "第二轮核查", "counties": ["440802", "440881"]})
    assert response.status_code in (302, 303)
    shown = client.get(response.headers["Location"]).data.decode()
    assert "第二轮核查" in shown and "廉江市" in shown and "设计抽样方案并抽样" in shown


def test_design_page_and_live_preview(client, login_as, campaign):
    login_as("coordinator")
    page = client.get(f"/campaigns/{campaign}/design").data.decode()
    assert "抽样前预览" in page and "比例分配" in page and "奈曼分配" in page and "立即抽样" in page
    data = client.get(f"/campaigns/{campaign}/preview?counties=440802&counties=440803&method=total&total=20"
                      "&allocation=proportional&reserve_share=0.2").get_json()
    assert data["ok"] is True
    assert [(c["county"], c["label"], c["N"], c["n"], c["reserves"]) for c in data["counties"]] == [
        ("440802", "赤坎区", 60, 12, 3), ("440803", "霞山区", 40, 8, 2)]
    assert data["total"]["n"] == 20 and 0 < data["total"]["margin"] < 0.25


def test_preview_explains_bad_input_in_chinese(client, login_as, campaign):
    login_as("coordinator")
    data = client.get(f"/campaigns/{campaign}/preview?method=attribute&tolerable=0.05&expected=0.05").get_json()
    assert data["ok"] is False and "预期偏差率（5%）必须低于可容忍偏差率（5%）" in data["message"]
    data = client.get(f"/campaigns/{campaign}/preview?method=total&total=abc").get_json()
    assert data == {"ok": False, "problems": {"total": "请填写整数。"}, "readings": {}}


def test_preview_says_how_each_rate_field_was_read(client, login_as, campaign):
    login_as("coordinator")
    data = client.get(f"/campaigns/{campaign}/preview?method=attribute&tolerable=5&confidence=0.95&expected=1%25"
                      ).get_json()
    assert data["ok"] is True
    assert data["readings"] == {"tolerable": "5%", "confidence": "95%", "expected": "1%"}


def test_drawing_publishes_the_draw_and_shows_it(client, login_as, drawn):
    login_as("coordinator")
    page = client.get(drawn).data.decode()
    assert "第 1 次抽样" in page and "现行有效" in page and "88 12 07" in page and "抽样框指纹" in page
    county = client.get(drawn + "?county=440803").data.decode()
    assert "样本名单：霞山区" in county and county.count('data-role="reserve"') == 2


def test_redraw_without_a_reason_is_refused_and_with_one_keeps_the_old_draw(client, login_as, drawn, campaign):
    login_as("coordinator")
    page = client.get(f"/campaigns/{campaign}/design").data.decode()
    assert "重新抽样原因（必填）" in page
    refused = client.post(f"/campaigns/{campaign}/design", data=DESIGN | {"reason": ""})
    assert refused.status_code == 200 and "重新抽样须填写" in refused.data.decode()
    done = client.post(f"/campaigns/{campaign}/design", data=DESIGN | {"reason": "名册导入错误，重新抽样"})
    assert done.status_code in (302, 303)
    shown = client.get(f"/campaigns/{campaign}").data.decode()
    assert "已作废" in shown and "现行有效" in shown and "名册导入错误，重新抽样" in shown


def test_liaison_sees_only_their_countys_sample_list(client, login_as, drawn):
    login_as("liaison")
    page = client.get(drawn).data.decode()
    assert "样本名单：赤坎区" in page and "霞山区" not in page
    assert client.get(drawn + "?county=440803").status_code == 404
    exported = client.get(drawn + "/export.csv")
    rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"))))
    assert {r[0] for r in rows[1:]} == {"440802"} and len(rows) == 1 + 12 + 3
    assert client.get(drawn + "/export.xlsx?county=440803").status_code == 404
    assert "替换…" not in page and "核验抽样结果" not in page


def test_sample_list_masks_id_and_phone_numbers(client, login_as, drawn):
    login_as("manager")
    page = client.get(drawn + "?county=440802").data.decode()
    assert "440802********" in page and "138****" in page and "+86138" not in page


def test_xlsx_export_from_the_page(client, login_as, drawn):
    login_as("coordinator")
    response = client.get(drawn + "/export.xlsx")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + 25 and rows[0][0] == "县（市、区）代码"
    assert [r[0] for r in rows[1:]] == ["440802"] * 15 + ["440803"] * 10


def test_printable_page_lists_each_county(client, login_as, drawn, session):
    login_as("coordinator")
    page = client.get(drawn + "/print").data.decode()
    assert page.count('<section class="county sample-list">') == 2 and "样本名单" in page and "88 12 07" in page
    entry = session.scalars(select(AuditLog).where(AuditLog.action == "draw.print")).one()
    assert entry.detail == {"county": None, "rows": 25}


def test_a_large_draw_is_printed_county_by_county(client, login_as, drawn, monkeypatch, session):
    from campaigns import routes

    monkeypatch.setattr(routes, "PRINT_ALL_LIMIT", 10)  # this draw has 24 units
    login_as("coordinator")
    chooser = client.get(drawn + "/print").data.decode()
    assert "请按县（市、区）分别打印" in chooser and "county=440802" in chooser and "county=440803" in chooser
    assert session.scalars(select(AuditLog).where(AuditLog.action == "draw.print")).first() is None
    one = client.get(drawn + "/print?county=440803").data.decode()
    assert "霞山区" in one and "赤坎区" not in one


def test_verify_button_reports_a_match(client, login_as, drawn):
    login_as("coordinator")
    response = client.post(drawn + "/verify", follow_redirects=True)
    assert "核验一致" in response.data.decode()


def test_replace_from_the_page_for_out_of_scope_only(client, login_as, drawn, app, session):
    from sqlalchemy import select

    from models import SampleUnit

    with app.app_context():
        unit_id = session.scalar(select(SampleUnit.id).where(SampleUnit.stratum == "440803", SampleUnit.rank == 1))
    login_as("coordinator")
    refused = client.post(f"/campaigns/units/{unit_id}/replace", data={"reason": "unreachable"},
                          follow_redirects=True).data.decode()
    assert "不是替换理由" in refused
    done = client.post(f"/campaigns/units/{unit_id}/replace", data={"reason": "not_of_this_county", "note": "外县"},
                       follow_redirects=True).data.decode()
    assert "已用同层第 9 位备用样本替换" in done and "不属于本县（市、区）人员" in done


def _audit_card(page: str) -> str:
    start = page.index('data-testid="audit-settings"')
    return page[start:page.index('data-testid="save-audit-settings"', start)]


@pytest.mark.parametrize("method", ["fixed", "total", "precision", "attribute"])
def test_the_tolerable_rate_and_confidence_are_shown_for_every_size_method(client, login_as, campaign, method):
    login_as("coordinator")
    page = client.get(f"/campaigns/{campaign}/design?method={method}").data.decode()
    card = _audit_card(page)
    assert 'name="tolerable"' in card and 'name="confidence"' in card and "data-method" not in card
    assert 'value="0.05"' in card and 'value="0.95"' in card
    assert page.count('name="tolerable"') == 1 and page.count('name="confidence"') == 1


def test_saving_the_tolerable_rate_and_confidence_says_how_they_were_read(client, login_as, session, campaign):
    from models import Campaign

    login_as("coordinator")
    page = client.post(f"/campaigns/{campaign}/design", data={"action": "audit_settings", "tolerable": "3",
                                                               "confidence": "０．９"}).data.decode()
    assert "已按 3% 理解" in _audit_card(page) and "已按 90% 理解" in _audit_card(page)
    session.expire_all()
    saved = session.get(Campaign, campaign)
    assert (saved.tolerable_rate, saved.confidence) == (0.03, 0.9)


def test_an_ambiguous_tolerable_rate_is_refused_and_nothing_saved(client, login_as, session, campaign):
    from models import Campaign

    login_as("coordinator")
    page = client.post(f"/campaigns/{campaign}/design", data={"action": "audit_settings", "tolerable": "1",
                                                               "confidence": "95"}).data.decode()
    assert "有歧义" in page
    session.expire_all()
    assert session.get(Campaign, campaign).tolerable_rate == 0.05


def test_a_draw_from_the_page_keeps_the_tolerable_rate_and_confidence_it_shows(client, login_as, session, campaign):
    from models import Campaign

    login_as("coordinator")
    response = client.post(f"/campaigns/{campaign}/design", data=DESIGN | {"tolerable": "8%", "confidence": "90"})
    assert response.status_code in (302, 303)
    session.expire_all()
    saved = session.get(Campaign, campaign)
    assert (saved.tolerable_rate, saved.confidence) == (0.08, 0.9)
