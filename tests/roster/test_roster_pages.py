"""Import pages, the import API and CLI, and the data-quality page."""

import io
import json

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from models import AuditLog, ImportBatch, Person, RosterSnapshot
from support.import_files import csv_file, csv_text, demo_rows


@pytest.fixture
def app(make_app):
    return make_app(JOBS_IN_BACKGROUND=False)


def upload(client, data: bytes, filename: str, county=""):
    return client.post("/roster/imports", data={"file": (io.BytesIO(data), filename), "county": county},
                       content_type="multipart/form-data")


def csv_bytes(tmp_path, rows, encoding="utf-8-sig") -> bytes:
    from pathlib import Path

    return Path(csv_file(tmp_path / "f.csv", rows, encoding=encoding)).read_bytes()


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk", "gb18030"])
def test_upload_in_every_encoding_previews_then_imports(login_as, session, tmp_path, encoding):
    client = login_as("coordinator")
    rows = demo_rows(120, seed=3)
    response = upload(client, csv_bytes(tmp_path, rows, encoding), "名册.csv")
    assert response.status_code in (302, 303)
    page = client.get(response.location).data.decode()
    assert 'data-status="previewed"' in page and "待导入" in page
    batch = session.scalars(select(ImportBatch)).one()
    assert batch.rows_read == 120 and batch.added == batch.rows_valid > 100
    response = client.post(f"/roster/imports/{batch.id}/commit")
    page = client.get(response.location).data.decode()
    assert 'data-status="committed"' in page
    assert session.scalar(select(func.count(Person.id))) == batch.rows_valid


def test_xlsx_with_excel_dates_and_text_ids_imports(login_as, session):
    rows = demo_rows(30, seed=4, county="440823")
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["姓名", "性别", "身份证号", "手机号码", "失业登记日期", "注销日期"])
    for r in rows:
        sheet.append([r["name"], "男" if r["gender"] == "1" else "女", r["id_number"],
                      r["phone"] and r["phone"][3:], r["registered_on"], r["cancelled_on"]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    client = login_as("coordinator")
    upload(client, buffer.getvalue(), "遂溪县.xlsx", county="440823")
    batch = session.scalars(select(ImportBatch)).one()
    assert batch.status == "previewed" and batch.rows_valid == 30, batch.error_message
    client.post(f"/roster/imports/{batch.id}/commit")
    stored = {p.id_number: p.registered_on for p in session.scalars(select(Person))}
    assert stored == {r["id_number"]: r["registered_on"] for r in rows}


def test_double_clicked_import_runs_once(login_as, session, tmp_path):
    client = login_as("coordinator")
    upload(client, csv_bytes(tmp_path, demo_rows(50, county="440802")), "a.csv", county="440802")
    batch = session.scalars(select(ImportBatch)).one()
    client.post(f"/roster/imports/{batch.id}/commit")
    second = client.post(f"/roster/imports/{batch.id}/commit", follow_redirects=True)
    assert "该批次正在导入或尚未就绪" in second.data.decode()
    assert session.scalar(select(func.count(RosterSnapshot.id))) == 1
    assert session.scalar(select(func.count(Person.id))) == batch.rows_valid


def test_error_report_lists_row_column_value_and_reason(login_as, session):
    good = demo_rows(2)
    bad_id = good[0]["id_number"][:17] + ("0" if good[0]["id_number"][17] != "0" else "1")
    text = csv_text([[good[0]["name"], "男", bad_id, "13800138000", "", "", "本人辞职", "2025-03-01", "", "", "失业",
                      "", "440802"],
                     [good[1]["name"], "女", good[1]["id_number"], "12345", "", "", "本人辞职", "2025/3/1", "", "",
                      "失业", "", "440802"]])
    client = login_as("coordinator")
    upload(client, text.encode("gbk"), "bad.csv")
    batch = session.scalars(select(ImportBatch)).one()
    page = client.get(f"/roster/imports/{batch.id}").data.decode()
    assert "校验码" in page
    response = client.get(f"/roster/imports/{batch.id}/errors.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[2] == ("行号", "列", "原始值", "严重程度", "原因", "Reason")
    first = rows[3]
    assert first[0] == 2 and first[1] == "公民身份号码" and first[2] == bad_id and first[3] == "错误（未导入）"
    assert "校验码" in first[4]
    phone = [r for r in rows[3:] if r[1] == "联系电话"][0]
    assert phone[0] == 3 and phone[2] == "12345" and phone[3] == "提示（已导入）"
    entry = session.scalars(select(AuditLog).where(AuditLog.action == "import.errors_export")).one()
    assert (entry.object_id, entry.detail) == (str(batch.id), {"rows": len(rows) - 3})


def test_upload_over_the_size_limit_is_refused_clearly(make_app, users):
    from support.accounts import login

    client = make_app(MAX_CONTENT_LENGTH=1000, JOBS_IN_BACKGROUND=False).test_client()
    login(client, "coordinator")
    response = upload(client, b"x" * 5000, "big.csv")
    assert response.status_code == 413
    assert "上传的文件超过允许的大小" in response.data.decode()


def test_callers_and_managers_cannot_import(login_as):
    assert login_as("caller").get("/roster/imports").status_code == 403


def test_manager_may_read_quality_but_not_import(login_as):
    client = login_as("manager")
    assert client.get("/roster/quality").status_code == 200
    assert client.get("/roster/imports").status_code == 403


def test_quality_page_finds_the_demo_dirty_cases_and_links_to_them(login_as, runner, session):
    runner.invoke(args=["demo", "--persons", "3000", "--seed", "7"])
    client = login_as("coordinator")
    page = client.get("/roster/quality").data.decode()
    import re

    for flag in ("missing_phone", "duplicate_across_counties", "past_retirement", "future_cancellation",
                 "duplicate_in_county"):
        links = re.findall(rf'data-flag="{flag}" href="([^"]+)">([\d,]+)<', page)
        assert links, flag
        href, count = links[0]
        listed = client.get(href.replace("&amp;", "&")).data.decode()
        assert f"共找到 {count} 人" in listed, flag


def test_quality_export_matches_the_page(login_as, runner, session):
    runner.invoke(args=["demo", "--persons", "1000", "--seed", "8"])
    client = login_as("coordinator")
    data = client.get("/api/v1/quality").get_json()
    sheet = load_workbook(io.BytesIO(client.get("/roster/quality.xlsx").data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("县（市、区）代码", "县（市、区）", "名册人数", "登记在册")
    assert [r[0] for r in rows[1:]] == [d["county_code"] for d in data]
    assert [r[2] for r in rows[1:]] == [d["total"] for d in data]
    assert [r[4] for r in rows[1:]] == [d["missing_phone"] for d in data]
    entry = session.scalars(select(AuditLog).where(AuditLog.action == "roster.quality_export")).one()
    assert entry.username == "coordinator" and entry.detail == {"county": None, "rows": len(rows) - 1}


def test_liaison_sees_only_their_county_in_quality(login_as, runner):
    runner.invoke(args=["demo", "--persons", "1000", "--seed", "8"])
    data = login_as("liaison").get("/api/v1/quality").get_json()
    assert [d["county_code"] for d in data] == ["440802"]


def test_api_upload_status_and_commit(client, runner, tmp_path, session, users):
    token = runner.invoke(args=["users", "token", "coordinator"]).output.strip()
    headers = {"Authorization": f"Bearer {token}"}
    data = {"file": (io.BytesIO(csv_bytes(tmp_path, demo_rows(40, county="440881"))), "lj.csv"),
            "county": "440881"}
    response = client.post("/api/v1/imports", data=data, headers=headers, content_type="multipart/form-data")
    assert response.status_code == 202
    batch = response.get_json()
    assert batch["status"] == "previewed" and batch["rows_read"] == 40 and batch["percent"] == 100
    assert client.post(f"/api/v1/imports/{batch['id']}/commit", headers=headers).status_code == 202
    again = client.post(f"/api/v1/imports/{batch['id']}/commit", headers=headers)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "conflict"
    assert client.get(f"/api/v1/imports/{batch['id']}", headers=headers).get_json()["status"] == "committed"


def test_cli_import_with_json_outcome(runner, tmp_path, session):
    path = csv_file(tmp_path / "xw.csv", demo_rows(60, county="440825"))
    result = runner.invoke(args=["roster", "import", path, "--county", "440825", "--json"])
    assert result.exit_code == 0, result.output
    outcome = json.loads(result.output.strip().splitlines()[-1])
    assert outcome["status"] == "committed" and outcome["rows_read"] == 60
    assert outcome["added"] + outcome["rejected"] == 60
    again = json.loads(runner.invoke(args=["roster", "import", path, "--county", "440825", "--json"])
                       .output.strip().splitlines()[-1])
    assert again["status"] == "duplicate"


def test_cli_import_of_an_unreadable_file_exits_non_zero(runner, tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"%PDF-1.4 not a spreadsheet")
    result = runner.invoke(args=["roster", "import", str(path), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.output.strip().splitlines()[-1])["status"] == "failed"


def test_a_long_roster_has_page_numbers_a_jump_and_the_count(login_as, session):
    from support.roster_factory import add_roster

    add_roster(session, "440802", 520)  # 11 pages of 50
    client = login_as("coordinator")
    page = client.get("/roster/?county=440802&page=6").data.decode()
    assert "第 6 / 11 页，共 520 条" in page
    for number in (1, 4, 5, 7, 8, 11):  # the first, the last, two either side of this one
        assert f"page={number}" in page
    assert 'page=2"' not in page and 'page=10"' not in page and page.count("…") == 2
    assert 'name="page" type="number"' in page and 'name="county" value="440802"' in page
    assert "440802" in client.get("/roster/?county=440802&page=11").data.decode()
