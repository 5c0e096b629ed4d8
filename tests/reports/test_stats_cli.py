"""`flask stats estimate`: the estimates of a sample worked outside the app, and clear errors naming the row."""

import json
import math

import pytest

GOOD = "stratum,N,m,d,open\n赤坎区,1200,40,6,5\n霞山区,800,30,3,2\n徐闻县,500,0,0,8\n"


def run(runner, tmp_path, text, *options, name="strata.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return runner.invoke(args=["stats", "estimate", "--input", str(path), *options])


def test_csv_input_gives_the_worked_example_of_the_docs(runner, tmp_path):
    result = run(runner, tmp_path, GOOD, "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    chikan, xiashan, xuwen = out["strata"]
    assert chikan["p"] == pytest.approx(0.15) and chikan["weight"] == pytest.approx(1200 / 2500)
    assert (chikan["low"], chikan["high"]) == pytest.approx((0.0706, 0.2907), abs=5e-5)
    assert xuwen["p"] is None and (xuwen["low"], xuwen["high"]) == (0.0, 1.0)
    overall = out["overall"]
    assert overall["p"] == pytest.approx(0.13) and overall["se"] == pytest.approx(math.sqrt(0.0016156), rel=1e-4)
    assert (overall["low"], overall["high"]) == pytest.approx((0.0685, 0.2329), abs=5e-5)
    assert overall["df"] == 68 and overall["strata_excluded"] == ["徐闻县"] and not overall["complete"]
    assert overall["worst_case"] == pytest.approx(0.367, abs=5e-4)
    assert out["interval"] == "wilson" and out["overall_interval"] == "logit"


def test_json_input_and_clopper_pearson(runner, tmp_path):
    strata = [{"stratum": "A", "N": 1200, "m": 40, "d": 6}, {"stratum": "B", "N": 800, "m": 30, "d": 3}]
    result = run(runner, tmp_path, json.dumps({"strata": strata}), "--json", "--ci", "clopper-pearson",
                 name="strata.json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["interval"] == "clopper-pearson"
    assert out["strata"][0]["low"] < 0.0706  # exact intervals are wider than Wilson's
    assert out["overall"]["p"] == pytest.approx(0.13)


def test_table_output_without_json(runner, tmp_path):
    result = run(runner, tmp_path, GOOD)
    assert result.exit_code == 0
    assert "overall p_st = 13.00%" in result.output and "incomplete" in result.output


@pytest.mark.parametrize("text, expected", [
    ("stratum,N,m,d\nA,100,10,11\n", "row 2 (stratum A): The discrepant count d=11 exceeds the resolved count m=10."),
    ("stratum,N,m,d\nA,100,10,1\nB,5,10,1\n", "row 3 (stratum B): Resolved plus open units (10) exceed the population N=5."),
    ("stratum,N,m,d\nA,100,-3,0\n", "row 2 (stratum A): The resolved count m must be a whole number of at least 0"),
    ("stratum,N,m,d\nA,100,abc,0\n", "row 2 (stratum A): The resolved count m must be a whole number"),
    ("stratum,N,m\nA,100,10\n", "row 1 (header): missing column(s) d"),
    ("stratum,N,m,d\nA,100,10,\n", "row 2 (stratum A): missing value(s) for d"),
    ("stratum,N,m,d\nA,0,0,0\n", "row 2 (stratum A): The population N is 0"),
    ("stratum,N,m,d\nA,100,10,1\nA,100,10,1\n", "row 3 (stratum A): the stratum is repeated (first at row 2)"),
    ("stratum,N,m,d\n", "the file has no strata"),
])
def test_bad_csv_input_names_the_row_and_exits_non_zero(runner, tmp_path, text, expected):
    result = run(runner, tmp_path, text, "--json")
    assert result.exit_code != 0
    assert expected in result.output


@pytest.mark.parametrize("entries, expected", [
    ([{"stratum": "A", "N": 10, "m": 2, "d": 5}], "entry 1 (stratum A): The discrepant count d=5"),
    ([{"stratum": "A", "N": 10, "m": 2}], "entry 1 (stratum A): missing value(s) for d"),
    ([{"stratum": "A", "N": 10, "m": 2, "d": 1}, {"stratum": "B", "N": -1, "m": 0, "d": 0}],
     "entry 2 (stratum B): The population N must be a whole number of at least 0"),
    ({"rows": []}, "the JSON must be a list of objects"),
])
def test_bad_json_input_names_the_entry(runner, tmp_path, entries, expected):
    result = run(runner, tmp_path, json.dumps(entries), name="strata.json")
    assert result.exit_code != 0 and expected in result.output


def test_unknown_interval_method_is_refused(runner, tmp_path):
    result = run(runner, tmp_path, GOOD, "--ci", "wald")
    assert result.exit_code == 2 and "wald" in result.output


def test_tolerable_adds_an_exact_audit_conclusion_to_every_stratum(runner, tmp_path):
    text = "stratum,N,m,d,open\n赤坎区,1200,40,6,5\n霞山区,800,30,3,2\n徐闻县,500,0,0,8\n麻章区,300,1,1,0\n"
    result = run(runner, tmp_path, text, "--json", "--tolerable", "5%", "--confidence", "95")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    audits = {s["stratum"]: s["audit"] for s in out["strata"]}
    assert audits["赤坎区"]["status"] == "over" and audits["赤坎区"]["n_needed"] is None
    assert audits["赤坎区"]["lower"] == pytest.approx(0.0674, abs=5e-5)
    assert audits["霞山区"] == pytest.approx({"status": "inconclusive", "upper": 0.2386, "lower": 0.0278,
                                              "n_needed": 123}, abs=5e-5)
    assert audits["徐闻县"]["status"] == "inconclusive" and audits["徐闻县"]["n_needed"] == 59
    # One of one at 5 %: the upper tail is exactly 0.05, which decides nothing.
    assert audits["麻章区"]["status"] == "inconclusive"
    assert out["tolerable"] == {"text": "5%", "value": 0.05, "reading": "percent", "shown": "5%"}
    assert out["confidence"] == 0.95 and out["confidence_reading"]["reading"] == "percent"


def test_without_tolerable_there_is_no_audit(runner, tmp_path):
    out = json.loads(run(runner, tmp_path, GOOD, "--json").output)
    assert "audit" not in out["strata"][0] and out["tolerable"] is None


@pytest.mark.parametrize(("option", "value", "says"), [
    ("--tolerable", "1", "ambiguous"), ("--confidence", "1", "ambiguous"), ("--tolerable", "abc", "number"),
    ("--confidence", "100", "read as 100%"), ("--confidence", "0.3", "at least 0.5"),
])
def test_a_bad_rate_option_is_refused_naming_it(runner, tmp_path, option, value, says):
    extra = () if option == "--tolerable" else ("--tolerable", "0.05")
    result = run(runner, tmp_path, GOOD, "--json", option, value, *extra)
    assert result.exit_code != 0 and option in result.output and says in result.output


def test_the_text_output_says_how_the_rates_were_read_and_the_conclusions(runner, tmp_path):
    result = run(runner, tmp_path, GOOD, "--tolerable", "0.05", "--confidence", "95 %")
    assert result.exit_code == 0, result.output
    assert "confidence 95% (read as a percent)" in result.output
    assert "tolerable rate 5% (read as a fraction)" in result.output
    assert "over" in result.output and "inconclusive" in result.output
