"""Validating roster rows: every problem code, ID numbers, boundaries and the fast paths (fields: normalize)."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from roster.columns import FIELD_NAMES
from roster.problems import ERROR, MESSAGES, PROBLEM_CODES, WARNING
from roster.validate import _clean_record, _validate_thoroughly, validate_row
from support.roster_rows import (
    FULL_WIDTH,
    KNOWN,
    LEAN_VARIANTS,
    MAN_1990,
    TODAY,
    check,
    good_row,
    make_id,
    wrong_check_digit,
)


def test_a_clean_row_becomes_a_canonical_record():
    result = check(good_row())
    assert result.problems == []
    assert result.record == {
        "county_code": "440802",
        "name": "张三",
        "gender": "1",
        "id_number": MAN_1990,
        "phone": "+8613812345678",
        "household_address": "广东省湛江市赤坎区中山一路1号",
        "residence_address": "广东省湛江市赤坎区中山一路1号",
        "unemployment_reason": "03",
        "registered_on": date(2025, 3, 1),
        "registering_agency": "赤坎区公共就业服务中心",
        "certificate_number": "4408020000012345",
        "employment_status": "10",
        "cancelled_on": None,
    }
    assert list(result.record) == list(FIELD_NAMES)


# (changes, field, code): each rejects the row.
ERROR_CASES = [
    ({"name": "  "}, "name", "required_missing"),
    ({"name": "张三2"}, "name", "name_invalid"),
    ({"name": "张三?"}, "name", "name_invalid"),
    ({"id_number": None}, "id_number", "required_missing"),
    ({"id_number": 4.40802199001011e17}, "id_number", "precision_lost"),
    ({"id_number": "4.40802199001011E+17"}, "id_number", "precision_lost"),
    ({"id_number": "440802199001011000.0"}, "id_number", "precision_lost"),
    ({"id_number": MAN_1990[:17]}, "id_number", "id_number_length"),
    ({"id_number": "440802900101121"}, "id_number", "id_number_first_generation"),
    ({"id_number": MAN_1990[:17] + "Y"}, "id_number", "id_number_format"),
    ({"id_number": "44O802199001011231"}, "id_number", "id_number_format"),
    ({"id_number": wrong_check_digit(MAN_1990)}, "id_number", "id_number_checksum"),
    ({"id_number": make_id(birth="19900230")}, "id_number", "id_number_birth_date"),
    ({"id_number": make_id(birth="18991231")}, "id_number", "id_number_birth_date"),
    ({"id_number": make_id(birth="20270101")}, "id_number", "id_number_birth_date"),
    ({"county_code": ""}, "county_code", "required_missing"),
    ({"county_code": "440899"}, "county_code", "county_unknown"),
    ({"county_code": "湛江市"}, "county_code", "county_unknown"),
    ({"gender": "未知"}, "gender", "code_unknown"),
    ({"unemployment_reason": "不想上班"}, "unemployment_reason", "code_unknown"),
    ({"employment_status": "待业中"}, "employment_status", "code_unknown"),
    ({"registered_on": ""}, "registered_on", "required_missing"),
    ({"registered_on": "03/01/2025"}, "registered_on", "date_format"),
    ({"registered_on": "上月"}, "registered_on", "date_format"),
    ({"registered_on": "2025-02-30"}, "registered_on", "date_invalid"),
    ({"registered_on": 60.0}, "registered_on", "date_invalid"),
    ({"registered_on": "2026-01-16"}, "registered_on", "registered_in_future"),
    ({"registered_on": "1989-12-31"}, "registered_on", "registered_before_birth"),
    ({"registered_on": "2005-12-31"}, "registered_on", "registered_under_16"),
    ({"cancelled_on": "2025-02-28"}, "cancelled_on", "cancelled_before_registration"),
    ({"cancelled_on": "2025/13/01"}, "cancelled_on", "date_invalid"),
    ({"certificate_number": 4.408021990010112e17}, "certificate_number", "precision_lost"),
    ({"household_address": "湛江市\x00赤坎区"}, "household_address", "control_character"),
    ({"residence_address": "赤坎区\x1b[31m"}, "residence_address", "control_character"),
    ({"registering_agency": "中心\x85\x9f"}, "registering_agency", "control_character"),
    ({"certificate_number": "4408\x0020000"}, "certificate_number", "control_character"),
    ({"unemployment_reason": "03\x00"}, "unemployment_reason", "control_character"),
]


@pytest.mark.parametrize(("changes", "field", "code"), ERROR_CASES)
def test_errors_reject_the_row(changes, field, code):
    result = check(good_row(**changes))
    assert result.record is None
    [problem] = result.problems
    assert (problem.row, problem.field, problem.code, problem.severity) == (7, field, code, ERROR)
    assert problem.value_as_given == changes[field]
    assert problem.message_zh and problem.message_en


# (changes, field, code): each keeps the row and flags it.
WARNING_CASES = [
    ({"gender": "女"}, "gender", "gender_mismatch"),
    ({"phone": "12345"}, "phone", "phone_invalid"),
    ({"phone": "1381234567"}, "phone", "phone_invalid"),
    ({"phone": "3388123"}, "phone", "phone_invalid"),  # a landline without its area code
    ({"cancelled_on": "2026-03-01"}, "cancelled_on", "cancelled_in_future"),
    (
        {"id_number": make_id(birth="19600101"), "registered_on": "2024-06-01"},
        "registered_on",
        "registered_past_retirement",
    ),
]


@pytest.mark.parametrize(("changes", "field", "code"), WARNING_CASES)
def test_warnings_keep_the_row(changes, field, code):
    result = check(good_row(**changes))
    assert result.record is not None
    [problem] = result.problems
    assert (problem.field, problem.code, problem.severity) == (field, code, WARNING)


def test_an_invalid_phone_is_kept_out_of_the_record_but_not_the_frame():
    result = check(good_row(phone="138-1234"))
    assert result.record["phone"] is None
    assert result.problems[0].value_as_given == "138-1234"


def test_county_mismatch_with_the_file_county_is_an_error():
    result = check(good_row(county_code="440803"), default_county="440802")
    assert [p.code for p in result.problems] == ["county_mismatch"]
    assert result.record is None


def test_default_county_fills_an_empty_county():
    result = check(good_row(county_code=None), default_county="440881")
    assert result.record["county_code"] == "440881"


def test_every_problem_code_is_tested_and_documented():
    tested = {code for _, _, code in ERROR_CASES + WARNING_CASES} | {"county_mismatch"}
    assert tested == set(PROBLEM_CODES)
    import roster.validate

    for code, (severity, _, _) in MESSAGES.items():
        assert f"| {code}" in roster.validate.__doc__
        assert severity in (ERROR, WARNING)


def test_all_problems_of_a_row_are_reported_not_just_the_first():
    result = check(good_row(name="", id_number="123", registered_on="明天", phone="1"))
    assert {p.code for p in result.problems} == {"required_missing", "id_number_length", "date_format", "phone_invalid"}
    assert result.record is None


# --- boundaries ------------------------------------------------------------------------------


def test_boundaries_are_inclusive_where_the_rule_allows():
    born_2000 = make_id(birth="20000229", male=False)
    assert check(good_row(id_number=born_2000, gender="女", registered_on="2016-03-01")).problems == []
    assert check(good_row(id_number=born_2000, gender="女", registered_on="2016-02-29")).problems[0].code == (
        "registered_under_16"
    )
    assert check(good_row(registered_on=TODAY.isoformat())).problems == []
    assert check(good_row(cancelled_on=TODAY.isoformat())).problems == []
    assert check(good_row(cancelled_on="2025-03-01")).problems == []


# --- ID numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        make_id("110101", "19850615"),  # Beijing
        make_id("310115", "19920101"),  # Shanghai Pudong
        make_id("650102", "19880808"),  # Urumqi
        make_id("540102", "19950505"),  # Lhasa
        make_id("810000", "19900101"),  # Hong Kong residents' residence permit
        make_id("440802", "19700101"),  # 赤坎区 code dates from 1984: stdnum's full check rejects it
        make_id("440871", "19900101"),  # the development zone's local code: unknown to stdnum
        make_id("990000", "19900101"),  # no such area at all: still not our business
    ],
)
def test_id_numbers_from_anywhere_are_accepted(number):
    # The area code is where the number was first issued, not where the person registers.
    result = check(good_row(id_number=number, gender=""))
    assert result.problems == []
    assert result.record["id_number"] == number


def test_stdnum_full_validation_would_wrongly_reject_older_zhanjiang_ids():
    # Why validate.py uses only stdnum's check digit and birth date: validate() also checks the area
    # code against the year the code came into use, and 440802 only exists since 1984.
    assert not ric.is_valid(make_id("440802", "19700101"))
    assert ric.is_valid(make_id("440802", "19900101"))


@settings(deadline=None)
@given(st.from_regex(r"[0-9]{17}", fullmatch=True))
def test_check_digit_agrees_with_stdnum(body):
    number = body + ric.calc_check_digit(body + "?")
    problems = check(good_row(id_number=number, gender="", registered_on="2025-03-01")).problems
    assert "id_number_checksum" not in {p.code for p in problems}
    wrong = check(good_row(id_number=wrong_check_digit(number))).problems
    assert "id_number_checksum" in {p.code for p in wrong}


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (MAN_1990.translate(FULL_WIDTH), MAN_1990),
        (f" {MAN_1990[:6]} {MAN_1990[6:14]} {MAN_1990[14:]} ", MAN_1990),
        ("'" + MAN_1990, MAN_1990),  # Excel's text-prefix apostrophe
        ('="' + MAN_1990 + '"', MAN_1990),  # ="…" written by some CSV exports
        (int(MAN_1990) if MAN_1990[17] != "X" else MAN_1990, MAN_1990),  # an exact int is fine
    ],
)
def test_id_number_forms_that_are_cleaned(given, expected):
    assert check(good_row(id_number=given)).record["id_number"] == expected


def test_lower_case_x_is_upper_cased():
    number = next(
        make_id(order=f"{n:02d}") for n in range(100) if make_id(order=f"{n:02d}").endswith("X")
    )
    result = check(good_row(id_number=number.lower()))
    assert result.record["id_number"] == number


def test_empty_gender_is_taken_from_the_id():
    woman = make_id(male=False)
    assert check(good_row(id_number=woman, gender="")).record["gender"] == "2"


# --- invariants ------------------------------------------------------------------------------

cell_values = st.one_of(
    st.none(), st.text(max_size=30), st.floats(allow_nan=True), st.integers(), st.booleans(),
    st.dates(), st.datetimes(),
)


@settings(max_examples=300, deadline=None)
@given(st.fixed_dictionaries({}, optional={name: cell_values for name in FIELD_NAMES}))
def test_validate_row_never_raises_and_only_errors_reject(raw):
    result = validate_row(raw, 2, TODAY, KNOWN, None)
    has_error = any(p.severity == ERROR for p in result.problems)
    assert (result.record is None) == has_error
    for problem in result.problems:
        assert problem.code in MESSAGES and problem.row == 2
    if result.record is not None:
        assert len(result.record["id_number"]) == 18
        assert result.record["county_code"] in KNOWN
        assert result.record["registered_on"] <= TODAY


# --- the lean path -------------------------------------------------------------------------


@settings(max_examples=500, deadline=None)
@given(st.fixed_dictionaries({field: st.sampled_from(values) for field, values in LEAN_VARIANTS.items()}),
       st.sampled_from([None, "440802", "440899"]))
def test_lean_path_agrees_with_the_thorough_path(raw, default_county):
    assert validate_row(raw, 3, TODAY, KNOWN, default_county) == _validate_thoroughly(
        raw, 3, TODAY, KNOWN, default_county
    )


@pytest.mark.parametrize(
    "changes",
    [{}, {"gender": ""}, {"phone": ""}, {"cancelled_on": "2025-06-01"}, {"registered_on": date(2025, 3, 1)}],
)
def test_clean_rows_take_the_lean_path(changes):
    assert _clean_record(good_row(**changes), TODAY, KNOWN, None) is not None


@pytest.mark.parametrize("birth", ["99400101", "99991231", "18991231", "00010101", "20991231"])
def test_impossible_birth_dates_are_a_coded_error_not_a_crash(birth):
    number = make_id(birth=birth)
    problems = check(good_row(id_number=number, gender="")).problems
    assert "id_number_birth_date" in {p.code for p in problems}
