"""`flask campaign …` and `flask sample …`: sizes, allocation, draw, verify and export, with --json."""

import csv
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from models import Person
from support.roster_factory import add_roster


def run(runner, *args):
    return runner.invoke(args=[str(a) for a in args])


def as_json(result):
    return json.loads(result.output)


@pytest.mark.parametrize(("args", "expected"), [
    (["--method", "precision", "--population", 1000, "--margin", 0.05, "--confidence", 0.95, "--rate", 0.5],
     {"n": 278}),
    (["--method", "attribute", "--confidence", 0.95, "--tolerable", 0.05, "--expected", 0], {"n": 59,
                                                                                          "allowed_deviations": 0}),
    (["--method", "attribute", "--confidence", 0.95, "--tolerable", 0.10, "--expected", 0], {"n": 29,
                                                                                          "allowed_deviations": 0}),
])
def test_sample_size_prints_json(runner, args, expected):
    result = run(runner, "sample", "size", *args, "--json")
    assert result.exit_code == 0, result.output
    assert as_json(result) == expected


def test_sample_size_without_json_is_readable(runner):
    result = run(runner, "sample", "size", "--method", "precision", "--margin", 0.05)
    assert result.output.strip() == "n = 385"


def test_expected_rate_not_below_tolerable_is_refused_clearly(runner):
    result = run(runner, "sample", "size", "--method", "attribute", "--tolerable", 0.05, "--expected", 0.05, "--json")
    assert result.exit_code == 1
    error = as_json(result)["error"]
    assert error["code"] == "expected_not_below_tolerable" and "预期偏差率（5%）必须低于可容忍偏差率（5%）" in error["message"]
    plain = run(runner, "sample", "size", "--method", "attribute", "--tolerable", 0.05, "--expected", 0.06)
    assert plain.exit_code == 1 and "预期偏差率" in plain.output


def test_sample_allocate_works_on_any_strata(runner, tmp_path):
    populations = tmp_path / "pops.json"
    populations.write_text(json.dumps({"甲乡": 600, "乙镇": 300, "丙村": 100}), encoding="utf-8")
    result = run(runner, "sample", "allocate", "--total", 100, "--method", "proportional", "--minimum", 20,
                 "--populations", populations, "--json")
    assert result.exit_code == 0, result.output
    assert as_json(result) == {"甲乡": 53, "乙镇": 27, "丙村": 20}
    rates = tmp_path / "rates.json"
    rates.write_text(json.dumps({"甲乡": 0.1, "乙镇": 0.5, "丙村": 0.5}), encoding="utf-8")
    neyman = as_json(run(runner, "sample", "allocate", "--total", 60, "--method", "neyman", "--populations",
                         populations, "--rates", rates, "--json"))
    assert sum(neyman.values()) == 60 and neyman["乙镇"] > neyman["甲乡"] * 300 / 600


def test_sample_allocate_refuses_a_total_larger_than_the_population(runner, tmp_path):
    populations = tmp_path / "pops.json"
    populations.write_text('{"a": 3, "b": 4}', encoding="utf-8")
    result = run(runner, "sample", "allocate", "--total", 8, "--method", "equal", "--populations", populations,
                 "--json")
    assert result.exit_code == 1 and as_json(result)["error"]["code"] == "total_exceeds_population"


def test_campaign_create_prints_the_id(runner):
    result = run(runner, "campaign", "create", "--name", "2026年专项核查", "--counties", "440802,440803", "--json")
    assert result.exit_code == 0, result.output
    assert as_json(result) == {"id": 1}
    listed = as_json(run(runner, "campaign", "list", "--json"))
    assert listed[0]["counties"] == ["440802", "440803"] and listed[0]["current_draw"] is None
    again = run(runner, "campaign", "create", "--name", "2026年专项核查", "--json")
    assert again.exit_code == 1 and as_json(again)["error"]["code"] == "name_taken"


@pytest.fixture
def drawn(app, runner, session):
    """A campaign over two counties with a published draw (public seed), as the CLI makes it."""
    with app.app_context():
        add_roster(session, "440802", 60)
        add_roster(session, "440803", 40, start=100)
    run(runner, "campaign", "create", "--name", "核查", "--counties", "440802,440803")
    result = run(runner, "sample", "draw", "--campaign", 1, "--method", "total", "--total", 20, "--allocation",
                 "proportional", "--minimum", 5, "--reserve-count", 2, "--seed", "2026 04 07", "--json")
    assert result.exit_code == 0, result.output
    return as_json(result)


def test_sample_draw_prints_the_draw_as_json(drawn):
    assert drawn["id"] == 1 and drawn["seed_text"] == "2026 04 07" and drawn["seed"] == "20260407"
    assert drawn["strata"] == {"440802": {"N": 60, "n": 12, "reserves": 2}, "440803": {"N": 40, "n": 8, "reserves": 2}}
    assert drawn["sample"] == 20 and drawn["reserves"] == 4 and drawn["frame_size"] == 100
    assert len(drawn["fingerprint"]) == 64 and drawn["design"]["allocation"] == "proportional"


def test_sample_redraw_needs_a_reason(runner, drawn):
    result = run(runner, "sample", "draw", "--campaign", 1, "--method", "fixed", "--n", 5, "--json")
    assert result.exit_code == 1 and as_json(result)["error"]["code"] == "redraw_needs_reason"
    result = run(runner, "sample", "draw", "--campaign", 1, "--method", "fixed", "--n", 5, "--reason",
                 "县里报送的名册有误", "--json")
    assert result.exit_code == 0 and as_json(result)["supersedes"] == 1


def test_sample_draw_reports_design_problems(runner, drawn):
    result = run(runner, "sample", "draw", "--campaign", 1, "--method", "precision", "--json")
    assert result.exit_code == 1
    assert as_json(result)["error"]["code"] == "design_invalid" and "margin" in as_json(result)["error"]["problems"]


def test_sample_verify_exits_0_on_match_and_1_on_mismatch(app, runner, session, drawn):
    result = run(runner, "sample", "verify", 1)
    assert result.exit_code == 0 and result.output.strip() == "draw 1: match"
    assert as_json(run(runner, "sample", "verify", 1, "--json"))["match"] is True
    with app.app_context():
        session.execute(update(Person).where(Person.id == 3).values(id_number="440802199912310011"))
        session.commit()
    result = run(runner, "sample", "verify", 1)
    assert result.exit_code == 1 and "mismatch" in result.output and "抽样框指纹不一致" in result.output
    data = json.loads(run(runner, "sample", "verify", 1, "--json").output)
    assert data["match"] is False and data["reasons"]


def test_sample_export_xlsx_reads_back_cell_by_cell(app, runner, session, drawn, tmp_path):
    target = tmp_path / "sample.xlsx"
    result = run(runner, "sample", "export", 1, "--format", "xlsx", "--output", target)
    assert result.exit_code == 0 and "wrote 24 rows" in result.output
    book = load_workbook(target)
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:10] == ("县（市、区）代码", "县（市、区）", "分层", "随机位次", "类型", "状态", "姓名", "性别",
                            "公民身份号码", "联系电话")
    assert len(rows) == 25
    first = rows[1]
    assert first[0] == "440802" and first[1] == "赤坎区" and first[3] == 1 and first[4] == "样本"
    assert first[5] == "在样" and first[7] == "男"
    assert first[8].startswith("440802") and "********" in first[8] and len(first[8]) == 18
    assert first[9].startswith("138") and "*" in first[9]
    reserves = [r for r in rows[1:] if r[4] == "备用样本"]
    assert len(reserves) == 4 and {r[5] for r in reserves} == {"备用未启用"}
    assert [r[3] for r in rows[1:] if r[0] == "440802"] == list(range(1, 15))
    facts = dict(book.worksheets[1].iter_rows(values_only=True))
    assert facts["随机数种子（原文）"] == "2026 04 07" and facts["抽样框指纹（SHA-256）"] == drawn["fingerprint"]


def test_sample_export_csv_has_a_bom_and_the_same_cells(runner, drawn, tmp_path):
    xlsx, target = tmp_path / "s.xlsx", tmp_path / "s.csv"
    run(runner, "sample", "export", 1, "--format", "xlsx", "--output", xlsx, "--county", "440803")
    result = run(runner, "sample", "export", 1, "--format", "csv", "--output", target, "--county", "440803")
    assert result.exit_code == 0
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    sheet = [["" if v is None else str(v) for v in row] for row in load_workbook(xlsx).worksheets[0].iter_rows(
        values_only=True)]
    assert rows == sheet and len(rows) == 11 and {r[0] for r in rows[1:]} == {"440803"}


def test_an_auditor_re_derives_the_stored_draw_from_the_exported_frame(app, runner, session, drawn, tmp_path,
                                                                         monkeypatch, capsys):
    import re
    from pathlib import Path

    from sqlalchemy import select

    from models import AuditLog, SampleUnit

    result = run(runner, "sample", "frame", 1, "--output", tmp_path / "frame.csv", "--json")
    assert result.exit_code == 0, result.output
    assert as_json(result)["rows"] == 100 and as_json(result)["fingerprint"] == drawn["fingerprint"]
    assert (tmp_path / "frame.csv").read_bytes().startswith(b"\xef\xbb\xbfkey,stratum\r\n")
    with app.app_context():
        stored = {}
        for stratum, key in session.execute(select(SampleUnit.stratum, SampleUnit.frame_key)
                                            .order_by(SampleUnit.stratum, SampleUnit.rank)):
            stored.setdefault(stratum, []).append(key)
        assert session.scalar(select(AuditLog.action).where(AuditLog.action == "draw.export_frame"))
    docs = (Path(__file__).resolve().parents[2] / "docs" / "sampling.md").read_text("utf-8")
    script = re.search(r"```python\n(.*?)```", docs, re.S).group(1)
    sizes = {h: s["n"] for h, s in drawn["strata"].items()}
    reserves = {h: s["reserves"] for h, s in drawn["strata"].items()}
    for name, value in (("SEED", int(drawn["seed"])), ("SIZES", sizes), ("RESERVES", reserves)):
        script = re.sub(rf"^{name} = .*$", f"{name} = {value!r}", script, count=1, flags=re.M)
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    exec(compile(script, "docs/sampling.md", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    assert printed == [drawn["fingerprint"]] + [
        f"{h} sample {stored[h][:sizes[h]]} reserve {stored[h][sizes[h]:]}" for h in sorted(sizes)]


def test_the_frame_export_is_refused_when_the_frame_changed(app, runner, session, drawn, tmp_path):
    with app.app_context():
        session.execute(update(Person).where(Person.id == 3).values(id_number="440802199912310011"))
        session.commit()
    result = run(runner, "sample", "frame", 1, "--output", tmp_path / "frame.csv", "--json")
    assert result.exit_code == 1 and as_json(result)["error"]["code"] == "frame_changed"
    assert not (tmp_path / "frame.csv").exists()


def test_an_export_says_whether_the_draw_is_in_force_and_gives_the_strata(runner, drawn, tmp_path):
    run(runner, "sample", "draw", "--campaign", 1, "--method", "fixed", "--n", 5, "--reason", "县里报送的名册有误")
    facts = {}
    for draw_id in (1, 2):
        run(runner, "sample", "export", draw_id, "--format", "xlsx", "--output", tmp_path / f"{draw_id}.xlsx")
        sheet = load_workbook(tmp_path / f"{draw_id}.xlsx").worksheets[1]
        facts[draw_id] = {row[0].value: row[1].value for row in sheet.iter_rows()}
    assert facts[1]["状态"] == "已作废" and facts[2]["状态"] == "现行有效"
    assert facts[1]["各层：抽样框人数 / 样本数 / 备用样本数"] == "赤坎区: 60 / 12 / 2; 霞山区: 40 / 8 / 2"
    assert facts[2]["因近期已在其他批次核实而排除的人数"] == "0"


def test_sample_size_options_take_percents(runner):
    result = runner.invoke(args=["sample", "size", "--method", "attribute", "--confidence", "95%", "--tolerable", "5",
                                 "--json"])
    assert result.exit_code == 0, result.output
    assert '"n": 59' in result.output
    result = runner.invoke(args=["sample", "size", "--method", "attribute", "--confidence", "1", "--tolerable", "5",
                                 "--json"])
    assert result.exit_code != 0 and "rate_ambiguous" in result.output
