"""Cleaning the fields of a roster row (roster/normalize.py): names, phone numbers, dates and Excel
serials, counties, codes, free text, certificate numbers."""

from datetime import date, datetime

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roster import normalize as nz
from support.roster_rows import check, good_row, make_id


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("张 三", "张三"),
        ("　张三　", "张三"),  # ideographic spaces
        ("阿卜杜拉•买买提", "阿卜杜拉·买买提"),
        ("阿卜杜拉・买买提", "阿卜杜拉·买买提"),
        ("阿卜杜拉.买买提", "阿卜杜拉·买买提"),
        ("  Maria   Lopez ", "Maria Lopez"),
    ],
)
def test_names_are_cleaned(given, expected):
    assert check(good_row(name=given)).record["name"] == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("13812345678", "+8613812345678"),
        ("138 1234 5678", "+8613812345678"),
        ("+86 138-1234-5678", "+8613812345678"),
        ("0086 13812345678", "+8613812345678"),
        ("１３８１２３４５６７８", "+8613812345678"),
        (13812345678.0, "+8613812345678"),
        ("0759-3388123", "+867593388123"),
        ("(0759)3388123", "+867593388123"),
        ("020-12345678", "+862012345678"),
        (7593388123.0, "+867593388123"),  # a landline in a number cell lost its leading 0
        ("13812345678/0759-3388123", "+8613812345678"),
        ("13812345678 13987654321", "+8613812345678"),
        ("", None),
        (None, None),
    ],
)
def test_phone_numbers_are_normalised_to_e164(given, expected):
    result = check(good_row(phone=given))
    assert result.problems == []
    assert result.record["phone"] == expected


def phonenumbers_says(number: str) -> str | None:
    """Return what phonenumbers makes of a number: E.164 if valid, else None."""
    parsed = phonenumbers.parse(number, "CN")
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def ours(number: object) -> str | None:
    """Return what roster.normalize makes of a number, None if invalid."""
    try:
        return nz.phone(number)
    except nz.NormalizeError:
        return None


def test_mobile_fast_path_agrees_with_phonenumbers_for_every_five_digit_prefix():
    for prefix in range(10000, 20000):
        for tail in ("000000", "987654"):
            number = f"{prefix}{tail}"
            assert ours(number) == phonenumbers_says(number), number


@settings(deadline=None)
@given(st.from_regex(r"1[0-9]{10}", fullmatch=True))
def test_mobile_fast_path_agrees_with_phonenumbers(number):
    assert ours(number) == phonenumbers_says(number)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2025-03-01", date(2025, 3, 1)),
        ("2025/3/1", date(2025, 3, 1)),
        ("2025.3.1", date(2025, 3, 1)),
        ("20250301", date(2025, 3, 1)),
        ("2025年3月1日", date(2025, 3, 1)),
        ("２０２５年３月１日", date(2025, 3, 1)),
        ("2025-03-01 00:00:00", date(2025, 3, 1)),
        ("2025-3-1T08:30", date(2025, 3, 1)),
        (45717, date(2025, 3, 1)),  # Excel serial
        (45717.75, date(2025, 3, 1)),  # serial with a time of day
        (20250301, date(2025, 3, 1)),  # typed as a number
        (date(2025, 3, 1), date(2025, 3, 1)),
        (datetime(2025, 3, 1, 10, 0), date(2025, 3, 1)),
    ],
)
def test_dates_in_every_form(given, expected):
    assert check(good_row(registered_on=given)).record["registered_on"] == expected


@pytest.mark.parametrize(
    ("serial", "expected"),
    [(1, date(1900, 1, 1)), (59, date(1900, 2, 28)), (61, date(1900, 3, 1)), (36526, date(2000, 1, 1))],
)
def test_excel_serials_follow_the_1900_date_system(serial, expected):
    assert nz.excel_serial_to_date(serial) == expected


@pytest.mark.parametrize("serial", [0, 60, -5, 3_000_000])
def test_excel_serials_that_are_no_day(serial):
    with pytest.raises(nz.NormalizeError):
        nz.excel_serial_to_date(serial)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("440802", "440802"),
        (440802.0, "440802"),
        (440802, "440802"),
        ("440802.0", "440802"),
        ("４４０８０２", "440802"),
        ("440802000000", "440802"),  # 12-digit statistical division code
        ("赤坎区", "440802"),
        ("湛江市霞山区", "440803"),
        ("开发区", "440871"),
    ],
)
def test_county_forms(given, expected):
    assert check(good_row(county_code=given)).record["county_code"] == expected


@pytest.mark.parametrize(
    ("field", "given", "expected"),
    [
        ("gender", "1", "1"),
        ("gender", "Female", "2"),
        ("gender", 2.0, "2"),
        ("gender", " 女性 ", "2"),
        ("unemployment_reason", "03", "03"),
        ("unemployment_reason", 3.0, "03"),
        ("unemployment_reason", "3", "03"),
        ("unemployment_reason", "resigned", "03"),
        ("unemployment_reason", "辞职", "03"),
        ("employment_status", "10", "10"),
        ("employment_status", "Unemployed", "10"),
        ("employment_status", "未就业", "10"),
        ("employment_status", "", None),
    ],
)
def test_codes_accept_code_chinese_english_and_aliases(field, given, expected):
    changes = {field: given}
    if field == "gender":
        changes["id_number"] = make_id(male=expected == "1")
    assert check(good_row(**changes)).record[field] == expected


def test_free_text_is_folded_and_trimmed():
    record = check(
        good_row(residence_address="  广东省湛江市　赤坎区   中山一路１号 ", registering_agency="赤坎区\t就业中心")
    ).record
    assert record["residence_address"] == "广东省湛江市 赤坎区 中山一路1号"
    assert record["registering_agency"] == "赤坎区 就业中心"


def test_tabs_and_line_breaks_in_free_text_fold_to_spaces():
    record = check(good_row(household_address="湛江市\t赤坎区\r\n中山一路\x0b1号\u2028", registering_agency="\x1c中心")).record
    assert record["household_address"] == "湛江市 赤坎区 中山一路 1号"
    assert record["registering_agency"] == "中心"


def test_a_control_character_is_shown_spelt_out_in_the_message():
    [problem] = check(good_row(household_address="湛江\x00市")).problems
    assert problem.value_as_given == "湛江\x00市"
    assert "湛江\\x00市" in problem.message_zh and "\x00" not in problem.message_zh + problem.message_en


def test_private_use_characters_of_rare_hanzi_are_kept():
    assert check(good_row(household_address="湛江市\ue000村")).record["household_address"] == "湛江市\ue000村"


def test_certificate_number_from_a_number_cell():
    # Up to 15 digits survive a number cell; 16 and more are precision_lost (see ERROR_CASES).
    assert check(good_row(certificate_number=440802000012345.0)).record["certificate_number"] == (
        "440802000012345"
    )
