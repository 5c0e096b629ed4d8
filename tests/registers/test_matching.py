"""Import the four kinds of register and match them: every rule on the roster, the same on both databases."""

import json

from sqlalchemy import func, select

from core.extensions import db
from models import AuditLog, RegisterFinding, RegisterImport, RegisterRecord
from support.registers_factory import register_files, roster_world


def run(runner, *args):
    result = runner.invoke(args=["registers", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def findings_by_person(app, county):
    with app.app_context():
        rows = db.session.execute(select(RegisterFinding.id_number, RegisterFinding.finding_type)
                                  .where(RegisterFinding.county_code == county, RegisterFinding.active)).all()
    return {(number, kind) for number, kind in rows}


def test_import_and_match_find_each_rule_in_each_county(app, runner, session, tmp_path):
    with app.app_context():
        ids = roster_world(db.session)
    files = register_files(tmp_path, ids)
    social = run(runner, "import", files["social_insurance"], "--kind", "social_insurance")
    assert (social["rows"], social["stored"], social["rejected"]) == (6, 5, 1), social["problems"]
    assert social["problems"][0]["row"] == 6 and social["problems"][0]["field"] == "id_number"
    assert "无效" in social["problems"][0]["message_zh"]
    business = run(runner, "import", files["business"], "--kind", "business")
    assert business["rejected"] == 1 and business["problems"][0]["code"] == "closed_without_date"
    run(runner, "import", files["death"], "--kind", "death")
    run(runner, "import", files["pension"], "--kind", "pension")

    outcome = run(runner, "match")
    p, q = ids["440802"], ids["440881"]
    assert findings_by_person(app, "440802") == {
        (p[0], "employed_not_deregistered"), (p[2], "employed_not_deregistered"), (p[4], "runs_business"),
        (p[5], "deceased_not_deregistered"), (p[6], "registered_while_retired"),
    }
    # The ID number on both counties' rosters is a finding of each county.
    assert findings_by_person(app, "440881") == {(q[0], "employed_not_deregistered")}
    assert outcome["counts"]["440802"]["employed_not_deregistered"] == 2
    with app.app_context():
        # Only the records of registered persons are kept; the stranger's is gone.
        kept = set(db.session.scalars(select(RegisterRecord.id_number)))
        assert "11010519491231002X" not in kept and p[3] in kept
        assert db.session.scalar(select(func.count()).select_from(RegisterImport)
                                 .where(RegisterImport.status == "matched")) == 4
        actions = set(db.session.scalars(select(AuditLog.action)))
        assert {"register.import", "register.match"} <= actions


def test_a_second_match_keeps_findings_and_retires_the_unsupported(app, runner, tmp_path):
    with app.app_context():
        ids = roster_world(db.session)
    files = register_files(tmp_path, ids)
    run(runner, "import", files["death"], "--kind", "death")
    run(runner, "match")
    with app.app_context():
        first = db.session.scalar(select(RegisterFinding.id))
    run(runner, "match")
    with app.app_context():
        assert db.session.scalars(select(RegisterFinding.id)).all() == [first]
        # The person is de-registered in a new roster: the finding is no longer supported.
        from sqlalchemy import update

        from models import Person
        db.session.execute(update(Person).where(Person.id_number == ids["440802"][5])
                           .values(cancelled_on=func.current_date()))
        db.session.commit()
    run(runner, "match")
    with app.app_context():
        assert db.session.scalar(select(RegisterFinding.active)) is False


def test_matching_one_county_leaves_the_others_and_the_records(app, runner, tmp_path):
    with app.app_context():
        ids = roster_world(db.session)
    run(runner, "import", register_files(tmp_path, ids)["social_insurance"], "--kind", "social_insurance")
    outcome = run(runner, "match", "--county", "440881")
    assert set(outcome["counts"]) == {"440881"}
    assert findings_by_person(app, "440802") == set()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RegisterRecord)) == 5


def test_a_missing_column_stops_the_import_and_names_it(app, runner, tmp_path):
    path = tmp_path / "death.csv"
    path.write_text("身份证号码,日子\n11010519491231002X,2025-01-01\n", encoding="utf-8")
    result = runner.invoke(args=["registers", "import", str(path), "--kind", "death", "--json"])
    assert result.exit_code == 1
    error = json.loads(result.output)["error"]
    assert error["code"] == "columns_missing" and "死亡日期" in error["message"] and "日子" in error["message"]
    mapped = runner.invoke(args=["registers", "import", str(path), "--kind", "death", "--map", "日子=died_on",
                                 "--json"])
    assert mapped.exit_code == 0, mapped.output
    assert json.loads(mapped.output)["stored"] == 1


def test_the_same_file_twice_is_refused(app, runner, tmp_path):
    with app.app_context():
        ids = roster_world(db.session)
    path = register_files(tmp_path, ids)["death"]
    run(runner, "import", path, "--kind", "death")
    again = runner.invoke(args=["registers", "import", path, "--kind", "death", "--json"])
    assert again.exit_code == 1 and json.loads(again.output)["error"]["code"] == "duplicate"


def test_findings_command_writes_a_masked_workbook(app, runner, tmp_path):
    with app.app_context():
        ids = roster_world(db.session)
    files = register_files(tmp_path, ids)
    run(runner, "import", files["business"], "--kind", "business")
    run(runner, "match")
    out = tmp_path / "findings.xlsx"
    summary = run(runner, "findings", "--county", "440802", "--output", str(out))
    assert summary["types"]["runs_business"]["count"] == 1
    assert summary["types"]["runs_business"]["share"] == 0.1
    import openpyxl

    cells = [c for row in openpyxl.load_workbook(out).active.iter_rows(values_only=True) for c in row]
    assert ids["440802"][4] not in cells
    assert any(isinstance(c, str) and c.startswith(ids["440802"][4][:6]) and "*" in c for c in cells)


def test_a_workbook_with_dates_and_month_numbers_is_read(app, runner, tmp_path):
    import datetime

    import openpyxl

    with app.app_context():
        ids = roster_world(db.session)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["*公民身份号码（18位）", "费款所属期", "参保单位"])
    sheet.append([ids["440802"][9], 202504, "湛江港集团"])
    sheet.append([ids["440802"][9], datetime.datetime(2025, 5, 1), "湛江港集团"])
    path = tmp_path / "社保.xlsx"
    book.save(path)
    outcome = run(runner, "import", str(path), "--kind", "social_insurance")
    assert (outcome["stored"], outcome["rejected"]) == (2, 0)
    run(runner, "match")
    assert findings_by_person(app, "440802") == {(ids["440802"][9], "employed_not_deregistered")}
