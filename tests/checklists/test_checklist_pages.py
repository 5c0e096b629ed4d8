"""The checklist pages and API: a coordinator records a county's checklist with evidence and a meeting,
turns findings into rectification items and sees the overview; county users see their own county only."""

import io

import pytest
from sqlalchemy import select

from core.extensions import db
from models import Attachment, ChecklistEntry, Meeting, RectificationItem
from support.checklist_factory import A, B, worked_campaign
from support.checklist_factory import item_id as find_item

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def campaign_id(app, users):
    return worked_campaign(app)


def _rect(app):
    with app.app_context():
        return [(r.source, r.county_code, r.status, r.responsible_unit, r.due_on.isoformat(), r.summary)
                for r in db.session.scalars(select(RectificationItem).where(RectificationItem.source == "checklist"))]


def test_a_coordinator_records_a_finding_that_becomes_a_rectification_item(app, client, login_as, campaign_id):
    login_as("coordinator")
    item = find_item(app, campaign_id, "2.3")
    page = client.get(f"/verification/{campaign_id}/county/{A}")
    assert page.status_code == 200 and "抽查失业登记注销情况" in page.text and "应注销未注销率 25.0%" in page.text
    form = {f"e{item}-conclusion": "noncompliant", f"e{item}-checked_on": "2026-06-09",
            f"e{item}-findings": "3名已就业人员未及时注销", f"e{item}-responsible_unit": "赤坎区就业服务管理中心",
            f"e{item}-due_on": "2026-07-10", f"e{item}-ledger_ref": "注销台账第12页"}
    url = f"/verification/{campaign_id}/county/{A}/items/{item}"
    assert client.post(url, data=form).status_code in (302, 303)
    assert client.post(url, data=form).status_code in (302, 303)  # a double submit changes nothing more
    assert _rect(app) == [("checklist", A, "open", "赤坎区就业服务管理中心", "2026-07-10",
                           "四（二）3　3名已就业人员未及时注销")]
    form[f"e{item}-due_on"] = "2026-07-20"
    client.post(url, data=form)
    assert _rect(app)[0][4] == "2026-07-20"  # the item keeps in step with the entry
    form[f"e{item}-conclusion"] = "compliant"
    client.post(url, data=form)
    assert _rect(app)[0][2] == "withdrawn"
    assert "3名已就业人员未及时注销" in client.get(f"/reports/{campaign_id}/rectification").text


def test_a_finding_without_its_unit_is_refused_in_chinese_naming_the_field(app, client, login_as, campaign_id):
    login_as("coordinator")
    item = find_item(app, campaign_id, "1.1")
    response = client.post(f"/verification/{campaign_id}/county/{A}/items/{item}", follow_redirects=True,
                           data={f"e{item}-conclusion": "largely_compliant", f"e{item}-checked_on": "2026-06-09",
                                 f"e{item}-findings": "实施细则未明确时间节点", f"e{item}-due_on": "2026-07-10"})
    assert "请写明负责整改的单位" in response.text
    assert _rect(app) == []


def test_evidence_is_attached_to_the_entry_and_only_downloaded(app, client, login_as, campaign_id):
    login_as("coordinator")
    item = find_item(app, campaign_id, "1.1")
    response = client.post(f"/verification/{campaign_id}/county/{A}/items/{item}/evidence",
                           data={"file": (io.BytesIO(PDF), "实施细则.pdf")}, content_type="multipart/form-data")
    assert response.status_code in (302, 303)
    refused = client.post(f"/verification/{campaign_id}/county/{A}/items/{item}/evidence", follow_redirects=True,
                          data={"file": (io.BytesIO(b"MZ\x90\x00"), "x.pdf")}, content_type="multipart/form-data")
    assert "alert-danger" in refused.text
    with app.app_context():
        entry = db.session.scalar(select(ChecklistEntry).where(ChecklistEntry.county_code == A))
        files = db.session.scalars(select(Attachment).where(Attachment.owner_type == "checklist_entry")).all()
        assert [(f.owner_id, f.filename) for f in files] == [(entry.id, "实施细则.pdf")]
        file_id = files[0].id
    assert "实施细则.pdf" in client.get(f"/verification/{campaign_id}/county/{A}").text
    download = client.get(f"/evidence/{file_id}")
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.mimetype == "application/octet-stream"
    download.close()


def test_a_meeting_is_recorded_with_participants_by_role(app, client, login_as, campaign_id):
    login_as("coordinator")
    response = client.post(f"/verification/{campaign_id}/county/{A}/meetings", data={
        "kind": "symposium", "held_on": "2026-06-08", "place": "赤坎区人社局三楼会议室",
        "participants": "核查组成员：张三、李四\n窗口工作人员：王五", "notes": "听取了工作汇报",
        "problems": "窗口人员不足\n系统经常卡顿"})
    assert response.status_code in (302, 303)
    with app.app_context():
        meeting = db.session.scalars(select(Meeting)).one()
        assert meeting.participants == [{"role": "team", "name": "张三"}, {"role": "team", "name": "李四"},
                                        {"role": "window", "name": "王五"}]
        meeting_id = meeting.id
    page = client.get(f"/verification/meetings/{meeting_id}")
    assert "窗口工作人员：王五" in page.text and "系统经常卡顿" in page.text
    bad = client.post(f"/verification/{campaign_id}/county/{A}/meetings", follow_redirects=True, data={
        "kind": "symposium", "held_on": "2026-06-08", "place": "x", "participants": "嘉宾 张三"})
    assert "第 1 行" in bad.text


def test_the_overview_shows_every_county_side_by_side(app, client, login_as, campaign_id):
    login_as("coordinator")
    page = client.get(f"/verification/{campaign_id}/")
    assert page.status_code == 200 and 'data-county="440802"' in page.text and 'data-county="440803"' in page.text
    assert client.get(f"/verification/{campaign_id}/", headers={"Accept-Language": "en"}).status_code == 200


def test_a_county_liaison_reads_only_their_county(app, client, login_as, campaign_id):
    login_as("liaison")  # a manager of 440802
    assert client.get(f"/verification/{campaign_id}/county/{A}").status_code == 200
    assert client.get(f"/verification/{campaign_id}/county/{B}").status_code == 404
    overview = client.get(f"/verification/{campaign_id}/")
    assert 'data-county="440803"' not in overview.text
    item = find_item(app, campaign_id, "1.1")
    assert client.post(f"/verification/{campaign_id}/county/{A}/items/{item}", data={}).status_code == 403
    assert client.get(f"/documents/{campaign_id}/summary.docx").status_code == 403
    assert client.get(f"/documents/{campaign_id}/feedback/{B}.docx").status_code == 404
    assert client.get(f"/documents/{campaign_id}/feedback/{A}.docx").status_code == 200


def test_the_api_records_lists_and_refuses_like_the_pages(app, token_client, campaign_id):
    coordinator = token_client("coordinator")
    item = find_item(app, campaign_id, "3.1")
    base = f"/api/v1/campaigns/{campaign_id}/verification/counties/{A}"
    answer = coordinator.post(f"{base}/items/{item}", json={
        "conclusion": "largely_compliant", "checked_on": "2026-06-09", "findings": "2人失业原因登记有误",
        "responsible_unit": "赤坎区就业服务管理中心", "due_on": "2026-07-10"})
    assert answer.status_code == 200
    row = next(r for r in answer.json["items"] if r["item"]["key"] == "3.1")
    assert row["entry"]["conclusion"] == "largely_compliant" and row["figures"][0]["code"] == "any"
    refused = coordinator.post(f"{base}/items/{item}", json={"conclusion": "noncompliant", "checked_on": "2026-06-09"})
    assert refused.status_code == 400 and "responsible_unit" in refused.json["error"]["problems"]
    assert coordinator.post(f"{base}/items/{item}/sign-off").status_code == 200
    meeting = coordinator.post(f"{base}/meetings", json={"kind": "opinions", "held_on": "2026-06-08", "place": "窗口",
                                                          "participants": ["grassroots: 赵六"]})
    assert meeting.status_code == 201 and meeting.json["participants"] == [{"role": "grassroots", "name": "赵六"}]
    progress = coordinator.get(f"/api/v1/campaigns/{campaign_id}/verification").json["counties"]
    assert {r["code"]: r["checked"] for r in progress} == {A: 1, B: 0}
    liaison = token_client("liaison")
    assert liaison.get(f"/api/v1/campaigns/{campaign_id}/verification/counties/{B}").status_code == 404
    assert liaison.post(f"{base}/items/{item}", json={}).status_code == 403
    docx = coordinator.get(f"/api/v1/campaigns/{campaign_id}/documents/feedback/{A}")
    assert docx.status_code == 200 and docx.data[:2] == b"PK"
    assert coordinator.get(f"/api/v1/campaigns/{campaign_id}/documents/summary").data[:2] == b"PK"
    xlsx = coordinator.get(f"/api/v1/campaigns/{campaign_id}/documents/checklists")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def test_the_checklist_can_be_edited_by_the_api_until_the_work_starts(app, token_client, campaign_id):
    coordinator = token_client("coordinator")
    base = f"/api/v1/campaigns/{campaign_id}/checklist"
    added = coordinator.post(f"{base}/items", json={"area": "service", "text": "核查就业援助台账", "methods": ["ledger"]})
    assert added.status_code == 201 and added.json["key"] == "4.3"
    assert coordinator.post(f"{base}/items/{added.json['id']}/retire", json={"retired": True}).json["retired"]
    assert token_client("liaison").post(f"{base}/items", json={"area": "service", "text": "x",
                                                               "methods": ["ledger"]}).status_code == 403
