"""The mapping step of a register import: headers the aliases do not know are mapped on a page of drop-downs
(one per column, the kind's fields in Chinese, required ones marked, a sample value beside each), the choice
is checked (each required field once, no field twice), and only then are the rows imported, once."""

import json
import re

import pytest
from sqlalchemy import func, select

from core.extensions import db
from models import AuditLog, RegisterImport, RegisterRecord
from support.registers_factory import write_csv

ALIVE = "11010519491231002X"  # a valid ID number on no roster
OTHER = "440802198001010016"


def pension_file(tmp_path, name="领取.csv"):
    """A pension register whose headers name neither the ID number nor the first month in a known way."""
    from stdnum.cn import ric

    other = OTHER[:17] + ric.calc_check_digit(OTHER[:17] + "?")
    return write_csv(tmp_path / name, ["证件", "开始时间", "备注"], [
        [ALIVE, "2024-12", "首次"],
        [other, "2025-02", ""],
        ["123", "2025-02", ""],  # an invalid ID: reported, not stored
    ])


def upload(client, path, kind="pension", label=""):
    with open(path, "rb") as handle:
        return client.post("/registers/", data={"kind": kind, "label": label, "file": (handle, path.rsplit("/", 1)[-1])},
                           content_type="multipart/form-data")


def only_import(app):
    with app.app_context():
        return db.session.scalars(select(RegisterImport)).one()


def record_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(RegisterRecord))


def test_unknown_headers_lead_to_the_mapping_page_and_the_chosen_mapping_imports_the_rows(app, login_as, tmp_path):
    client = login_as("coordinator")
    response = upload(client, pension_file(tmp_path))
    batch = only_import(app)
    assert batch.status == "unmapped" and batch.stored_path and record_count(app) == 0
    assert response.status_code in (302, 303)
    assert response.headers["Location"].endswith(f"/registers/imports/{batch.id}/mapping")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert page.count("<select") == 3  # one drop-down per column
    for header in ("证件", "开始时间", "备注"):
        assert header in page
    assert "公民身份号码" in page and "首次领取年月" in page and "必填" in page
    assert "死亡日期" not in page  # only the fields of this kind of register
    assert ALIVE[:6] + "********" + ALIVE[-4:] in page and ALIVE not in page  # samples, ID numbers masked
    assert "2024-12" in page
    answer = client.post(f"/registers/imports/{batch.id}/mapping",
                         data={"column-0": "id_number", "column-1": "first_paid", "column-2": ""})
    assert answer.status_code in (302, 303) and answer.headers["Location"].endswith(f"/registers/imports/{batch.id}")
    batch = only_import(app)
    assert (batch.status, batch.rows_total, batch.rows_valid, batch.rows_rejected) == ("imported", 3, 2, 1)
    assert record_count(app) == 2
    report = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "无效" in report
    with app.app_context():
        entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "register.import")).one()
        assert entry.detail["columns"] == {"id_number": "证件", "first_paid": "开始时间"}


def test_recognised_columns_come_preselected(app, login_as, tmp_path):
    client = login_as("coordinator")
    path = write_csv(tmp_path / "d.csv", ["身份证号码", "去世于"], [[ALIVE, "2025-01-02"]])
    upload(client, path, kind="death")
    batch = only_import(app)
    page = client.get(f"/registers/imports/{batch.id}/mapping").get_data(as_text=True)
    assert re.search(r'<option value="id_number"[^>]*selected', page)
    assert not re.search(r'<option value="died_on"[^>]*selected', page)


@pytest.mark.parametrize(("choice", "message"), [
    ({"column-0": "id_number", "column-1": "", "column-2": ""}, "请为必填字段“首次领取年月”选择一列"),
    ({"column-0": "id_number", "column-1": "first_paid", "column-2": "first_paid"},
     "“首次领取年月”选给了第2列和第3列"),
    ({"column-0": "id_number", "column-1": "died_on", "column-2": ""}, "不是养老金领取名单的字段"),
])
def test_bad_choices_are_refused_in_chinese_and_nothing_is_imported(app, login_as, tmp_path, choice, message):
    client = login_as("coordinator")
    upload(client, pension_file(tmp_path))
    batch = only_import(app)
    answer = client.post(f"/registers/imports/{batch.id}/mapping", data=choice)
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert message in page
    assert page.count("<select") == 3  # the page again, with the choices as made
    assert only_import(app).status == "unmapped" and record_count(app) == 0


def test_a_double_submitted_mapping_imports_once(app, login_as, tmp_path):
    client = login_as("coordinator")
    upload(client, pension_file(tmp_path))
    batch = only_import(app)
    choice = {"column-0": "id_number", "column-1": "first_paid", "column-2": ""}
    first = client.post(f"/registers/imports/{batch.id}/mapping", data=choice)
    second = client.post(f"/registers/imports/{batch.id}/mapping", data=choice)
    assert first.status_code in (302, 303) and second.status_code in (302, 303)
    assert record_count(app) == 2
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditLog)
                                 .where(AuditLog.action == "register.import")) == 1
    assert "已经导入" in client.get(second.headers["Location"]).get_data(as_text=True)
    # Once imported, the mapping page leads to the import's report.
    assert client.get(f"/registers/imports/{batch.id}/mapping").status_code in (302, 303)


def test_two_requests_that_both_saw_the_import_waiting_import_it_once(app, login_as, tmp_path):
    from registers.importing import RegisterError
    from registers.mapping import import_mapped

    upload(login_as("coordinator"), pension_file(tmp_path))
    choice = {0: "id_number", 1: "first_paid"}
    with app.app_context():
        seen = db.session.scalars(select(RegisterImport)).one()
        db.session.expunge(seen)  # what the second request read before the first one committed
        import_mapped(db.session.scalars(select(RegisterImport)).one(), choice)
        with pytest.raises(RegisterError) as refused:
            import_mapped(seen, choice)
        assert seen.status == "unmapped" and refused.value.code == "not_waiting"
    assert record_count(app) == 2


def test_the_same_file_uploaded_again_goes_back_to_its_waiting_mapping(app, login_as, tmp_path):
    client = login_as("coordinator")
    path = pension_file(tmp_path)
    first = upload(client, path)
    second = upload(client, path)
    assert first.headers["Location"] == second.headers["Location"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RegisterImport)) == 1


def test_a_waiting_import_can_be_dropped(app, login_as, tmp_path):
    client = login_as("coordinator")
    upload(client, pension_file(tmp_path))
    batch = only_import(app)
    assert client.post(f"/registers/imports/{batch.id}/cancel").status_code in (302, 303)
    dropped = only_import(app)
    assert dropped.status == "cancelled" and dropped.stored_path is None
    refused = client.post(f"/registers/imports/{batch.id}/mapping",
                          data={"column-0": "id_number", "column-1": "first_paid", "column-2": ""})
    assert refused.status_code in (302, 303) and record_count(app) == 0
    assert upload(client, pension_file(tmp_path)).status_code in (302, 303)  # the file may come again


@pytest.mark.parametrize("user", ["liaison", "manager", "caller", "county_caller", "county_coordinator"])
def test_county_users_and_callers_cannot_reach_the_mapping_step(app, client, users, tmp_path, user):
    from auth.accounts import create_user
    from support.accounts import login

    coordinator = app.test_client()
    login(coordinator, "coordinator")
    upload(coordinator, pension_file(tmp_path))
    batch = only_import(app)
    with app.app_context():
        create_user(db.session, "county_coordinator", "correct-horse-9", "coordinator", "440802")
        db.session.commit()
    login(client, user)
    url = f"/registers/imports/{batch.id}/mapping"
    assert client.get(url).status_code in (403, 404)
    assert client.post(url, data={"column-0": "id_number", "column-1": "first_paid"}).status_code in (403, 404)
    assert client.post(f"/registers/imports/{batch.id}/cancel").status_code in (403, 404)
    assert only_import(app).status == "unmapped"


def test_the_upload_form_has_no_free_text_mapping_any_more(login_as):
    page = login_as("coordinator").get("/registers/").get_data(as_text=True)
    assert "<textarea" not in page and 'name="mapping"' not in page


def test_the_cli_names_the_columns_and_imports_with_an_explicit_mapping(app, runner, tmp_path):
    path = pension_file(tmp_path)
    refused = runner.invoke(args=["registers", "import", path, "--kind", "pension"])
    assert refused.exit_code == 1 and "证件" in refused.output and "首次领取年月" in refused.output
    assert record_count(app) == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RegisterImport)) == 0  # nothing left waiting
    done = runner.invoke(args=["registers", "import", path, "--kind", "pension", "--map", "证件=id_number",
                               "--map", "开始时间=first_paid", "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["stored"] == 2


def test_the_api_names_the_columns_and_imports_with_an_explicit_mapping(app, token_client, tmp_path):
    client = token_client("coordinator")
    path = pension_file(tmp_path)
    with open(path, "rb") as handle:
        refused = client.post("/api/v1/registers/imports", data={"kind": "pension", "file": (handle, "p.csv")})
    error = refused.get_json()["error"]
    assert refused.status_code == 400 and error["code"] == "columns_missing"
    assert error["headers"] == ["证件", "开始时间", "备注"] and error["missing"] == ["id_number", "first_paid"]
    with open(path, "rb") as handle:
        bad = client.post("/api/v1/registers/imports", data={
            "kind": "pension", "file": (handle, "p.csv"),
            "mapping": json.dumps({"证件": "id_number", "开始时间": "died_on"})})
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "bad_mapping"
    with open(path, "rb") as handle:
        created = client.post("/api/v1/registers/imports", data={
            "kind": "pension", "file": (handle, "p.csv"),
            "mapping": json.dumps({"证件": "id_number", "开始时间": "first_paid"})})
    assert created.status_code == 201 and created.get_json()["stored"] == 2


def test_the_api_maps_an_import_waiting_for_its_columns(app, login_as, token_client, tmp_path):
    upload(login_as("coordinator"), pension_file(tmp_path))
    batch = only_import(app)
    client = token_client("coordinator")
    shown = client.get(f"/api/v1/registers/imports/{batch.id}").get_json()
    assert shown["status"] == "unmapped"
    assert [c["header"] for c in shown["columns"]] == ["证件", "开始时间", "备注"]
    url = f"/api/v1/registers/imports/{batch.id}/mapping"
    bad = client.post(url, json={"columns": {"0": "id_number"}})
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "bad_mapping"
    done = client.post(url, json={"columns": {"0": "id_number", "1": "first_paid"}})
    assert done.status_code == 200 and done.get_json()["stored"] == 2
    assert client.post(url, json={"columns": {"0": "id_number", "1": "first_paid"}}).status_code == 409
    assert token_client("liaison").post(url, json={"columns": {"0": "id_number"}}).status_code == 403
    assert record_count(app) == 2
