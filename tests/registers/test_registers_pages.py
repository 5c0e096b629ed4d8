"""The registers pages and API: who imports, who reads which county, masking, the logged reveal, the export."""

import io

import openpyxl
import pytest
from sqlalchemy import select

from core.extensions import db
from models import AuditLog, RegisterFinding
from support.registers_factory import register_files, roster_world


@pytest.fixture
def matched(app, users, runner, tmp_path):
    """The hand-built registers imported and matched; return the roster's ID numbers."""
    with app.app_context():
        ids = roster_world(db.session)
    for kind, path in register_files(tmp_path, ids).items():
        assert runner.invoke(args=["registers", "import", path, "--kind", kind]).exit_code == 0
    assert runner.invoke(args=["registers", "match"]).exit_code == 0
    return ids


def finding_id(app, county):
    with app.app_context():
        return db.session.scalar(select(RegisterFinding.id).where(RegisterFinding.county_code == county).limit(1))


def test_coordinator_imports_through_the_page_and_reads_the_row_report(app, login_as, tmp_path):
    client = login_as("coordinator")
    path = tmp_path / "deaths.csv"
    path.write_text("身份证号码,死亡日期\n11010519491231002X,2025-01-01\n123,2025-01-01\n", encoding="utf-8")
    with open(path, "rb") as handle:
        response = client.post("/registers/", data={"kind": "death", "file": (handle, "deaths.csv")},
                               content_type="multipart/form-data")
    assert response.status_code in (302, 303)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "无效" in page and "deaths.csv" in page


def test_a_file_without_the_needed_column_goes_to_the_mapping_step_naming_the_field(app, login_as):
    client = login_as("coordinator")
    response = client.post("/registers/", data={"kind": "pension", "file": (io.BytesIO("身份证号码,日期\n1,2\n".encode()),
                                                                           "p.csv")},
                           content_type="multipart/form-data")
    assert response.status_code in (302, 303) and response.headers["Location"].endswith("/mapping")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "尚未指定列的必填字段" in page and "首次领取年月" in page


@pytest.mark.parametrize("user", ["manager", "liaison", "caller", "county_caller"])
def test_only_coordinators_and_admins_of_every_county_import(token_client, user):
    client = token_client(user)
    response = client.post("/api/v1/registers/imports", data={"kind": "death",
                                                               "file": (io.BytesIO(b"x"), "d.csv")})
    assert response.status_code == 403
    assert client.post("/api/v1/registers/match", json={}).status_code == 403


def test_county_page_lists_masked_findings_and_the_reveal_is_logged(app, login_as, matched):
    client = login_as("manager")
    page = client.get("/registers/county/440802").get_data(as_text=True)
    number = matched["440802"][4]
    assert "经营市场主体" in page and number not in page and number[:6] + "********" + number[-4:] in page
    finding = finding_id(app, "440802")
    revealed = client.post(f"/registers/findings/{finding}/reveal").get_data(as_text=True)
    with app.app_context():
        full = db.session.get(RegisterFinding, finding).id_number
        assert db.session.scalar(select(AuditLog.action).where(AuditLog.action == "register.reveal",
                                                               AuditLog.object_id == str(finding)))
    assert full in revealed


def test_a_county_user_sees_only_their_county(app, login_as, matched):
    client = login_as("liaison")  # 赤坎区 440802
    assert client.get("/registers/county/440881").status_code == 404
    assert client.get("/api/v1/registers/counties/440881/findings").status_code == 404
    assert client.post(f"/registers/findings/{finding_id(app, '440881')}/reveal").status_code == 404
    counties = client.get("/api/v1/registers").get_json()["counties"]
    assert [c["county"] for c in counties] == ["440802"]
    assert counties[0]["types"]["runs_business"] == {"count": 1, "share": 0.1}
    own = client.get("/api/v1/registers/counties/440802/findings?type=runs_business").get_json()
    assert own["total"] == 1 and "*" in own["items"][0]["id_number"]


def test_a_county_coordinator_does_not_import_province_registers(app, client):
    from auth.accounts import create_user
    from support.accounts import login

    with app.app_context():
        create_user(db.session, "coord_county", "correct-horse-9", "coordinator", "440802")
        db.session.commit()
    login(client, "coord_county")
    response = client.post("/registers/", data={"kind": "death", "file": (io.BytesIO(b"x"), "d.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 403


def test_callers_do_not_read_the_findings_lists(login_as, matched):
    client = login_as("caller")
    assert client.get("/registers/").status_code == 403
    assert client.get("/api/v1/registers").status_code == 403


def test_export_is_masked_and_audited(app, login_as, matched):
    client = login_as("coordinator")
    response = client.get("/registers/county/440802/export.xlsx")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    cells = [c for row in openpyxl.load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True)
             for c in row if c]
    assert not set(matched["440802"]) & set(cells)
    with app.app_context():
        assert db.session.scalar(select(AuditLog.id).where(AuditLog.action == "register.export"))


def test_api_import_match_and_counts(app, token_client, tmp_path):
    client = token_client("coordinator")
    with app.app_context():
        ids = roster_world(db.session)
    path = register_files(tmp_path, ids)["pension"]
    with open(path, "rb") as handle:
        created = client.post("/api/v1/registers/imports", data={"kind": "pension", "file": (handle, "p.csv")})
    assert created.status_code == 201 and created.get_json()["stored"] == 1
    matched = client.post("/api/v1/registers/match", json={}).get_json()
    assert matched["counts"] == {"440802": {"registered_while_retired": 1}}
    assert client.get(f"/api/v1/registers/imports/{created.get_json()['id']}").get_json()["records_kept"] == 1


def test_findings_become_rectification_items_once(app, login_as, matched):
    from campaigns.service import create_campaign
    from models import RectificationItem

    client = login_as("coordinator")
    refused = client.post("/registers/county/440802/rectify", follow_redirects=True).get_data(as_text=True)
    assert "批次" in refused or "campaign" in refused  # no campaign covers the county yet
    with app.app_context():
        create_campaign("2026年核查", ["440802", "440881"])
    client.post("/registers/county/440802/rectify")
    client.post("/registers/county/440802/rectify")  # a second time opens nothing new
    with app.app_context():
        items = db.session.scalars(select(RectificationItem).where(RectificationItem.source == "register")).all()
        assert len(items) == 5 and {i.county_code for i in items} == {"440802"}
        assert {i.discrepancy_type for i in items} == {"should_have_been_cancelled", "not_authentic"}
    page = client.get("/registers/county/440802").get_data(as_text=True)
    assert 'data-testid="item-status"' in page
    from support.accounts import login

    liaison = app.test_client()
    login(liaison, "liaison")
    assert liaison.post("/registers/county/440802/rectify").status_code == 403
