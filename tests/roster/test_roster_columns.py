"""Recognising the columns of county roster files, however a county names them."""

import pytest

from roster.columns import FIELD_NAMES, FIELDS, REQUIRED_FIELDS, map_headers, recognise

# --- columns ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("姓名", "name"),
        ("*姓名", "name"),
        ("＊姓 名", "name"),
        ("★身份证号码", "id_number"),
        ("公民身份号码", "id_number"),
        ("公民身份号码（18位）", "id_number"),
        ("身份证号", "id_number"),
        ("ID Number", "id_number"),
        ("id_no", "id_number"),
        ("ＩＤ", "id_number"),
        ("联系电话", "phone"),
        ("手机号码", "phone"),
        ("Mobile", "phone"),
        ("性别", "gender"),
        ("SEX", "gender"),
        ("户籍地址", "household_address"),
        ("常住地址/居住地址", "residence_address"),
        ("居住地址", "residence_address"),
        ("失业原因", "unemployment_reason"),
        ("失业登记日期", "registered_on"),
        ("登记日期\n(yyyy-mm-dd)", "registered_on"),
        ("登记单位", "registering_agency"),
        ("就业创业证号", "certificate_number"),
        ("就业状态", "employment_status"),
        ("注销日期", "cancelled_on"),
        ("县（市、区）", "county_code"),
        ("区县代码", "county_code"),
        ("行政区划代码", "county_code"),
        ("County", "county_code"),
        ("备注", None),
        ("", None),
        (None, None),
    ],
)
def test_headers_are_recognised_tolerantly(header, field):
    assert recognise(header) == field


def test_map_headers_reports_what_the_mapping_step_must_ask():
    mapping = map_headers(["序号", "姓名", "证件", "联系电话", "手机号码", "", "登记日期"])
    assert mapping.field_by_index == {1: "name", 3: "phone", 6: "registered_on"}
    assert mapping.unknown_headers == [(2, "证件")]
    assert mapping.ignored_headers == [(0, "序号")]
    assert mapping.duplicate_headers == [(4, "手机号码", "phone")]
    assert mapping.missing_required == ["county_code", "id_number"]
    assert not mapping.is_complete


def test_overrides_map_unknown_columns_and_skip_others():
    headers = ["姓名", "证件", "登记日期", "联系电话"]
    mapping = map_headers(headers, {"证件": "id_number", 3: None}, default_county="440802")
    assert mapping.field_by_index == {0: "name", 1: "id_number", 2: "registered_on"}
    assert mapping.missing_required == []
    assert mapping.ignored_headers == [(3, "联系电话")]


def test_overrides_must_name_a_field():
    with pytest.raises(ValueError):
        map_headers(["a"], {"a": "not_a_field"})


def test_extractor_pads_short_rows():
    mapping = map_headers(["姓名", "身份证号", "县区"])
    extract = mapping.extractor()
    assert extract(["张三"]) == {"name": "张三", "id_number": None, "county_code": None}
    assert extract(["张三", "1", "440802", "extra"]) == {"name": "张三", "id_number": "1", "county_code": "440802"}


def test_fields_expose_labels_for_the_mapping_page():
    assert [f.name for f in FIELDS] == list(FIELD_NAMES)
    assert set(REQUIRED_FIELDS) == {"county_code", "name", "id_number", "registered_on"}
    assert all(f.label_zh and f.label_en for f in FIELDS)
