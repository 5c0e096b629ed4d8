"""Tests for the synthetic demo roster."""

import csv
from collections import Counter
from datetime import date, timedelta

import phonenumbers
import pytest
from stdnum import numdb
from stdnum.cn import ric

from config.codelists import EMPLOYMENT_STATUSES, GENDERS, UNEMPLOYMENT_REASONS, code_for
from config.counties import ZHANJIANG_COUNTIES
from demo.roster import (
    AREA_CODES_BY_COUNTY,
    CSV_HEADERS,
    DIRTY_PER_30K,
    PAIR_KINDS,
    county_spec,
    generate_roster,
    iter_roster_chunks,
    write_csv,
)

TODAY = date(2026, 3, 16)
FIELDS = {"county_code", "name", "gender", "id_number", "phone", "household_address", "residence_address",
          "unemployment_reason", "registered_on", "registering_agency", "certificate_number",
          "employment_status", "cancelled_on"}
AREAS = numdb.get("cn/loc")


@pytest.fixture(scope="module")
def roster():
    """Generate the default 30,000-person roster once."""
    return generate_roster(seed=20260316, today=TODAY)


@pytest.fixture(scope="module")
def clean(roster):
    """Return the rows in no dirty list."""
    dirty = {i for rows in roster.dirty.values() for i in rows}
    return [r for i, r in enumerate(roster.rows) if i not in dirty]


def age(born: date, on: date) -> int:
    """Return the age in whole years on a date."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def test_same_seed_gives_same_roster_and_another_seed_another():
    first, again = generate_roster(7, TODAY, 3000), generate_roster(7, TODAY, 3000)
    assert first == again
    other = generate_roster(8, TODAY, 3000)
    assert [r["id_number"] for r in other.rows] != [r["id_number"] for r in first.rows]


def test_rows_have_exactly_the_canonical_fields_and_codes(roster):
    assert len(roster.rows) == 30000
    reasons, statuses = ({c for c, _, _ in lst} for lst in (UNEMPLOYMENT_REASONS, EMPLOYMENT_STATUSES))
    for r in roster.rows:
        assert set(r) == FIELDS
        assert r["gender"] in {"1", "2"} and r["unemployment_reason"] in reasons
        assert r["employment_status"] in statuses
        assert isinstance(r["registered_on"], date)
        assert 2 <= len(r["name"]) <= 3 and r["residence_address"].startswith("广东省湛江市")
        assert r["household_address"].endswith(("号", "房"))


def test_every_id_number_has_a_correct_check_digit_real_birth_date_and_known_area_code(roster):
    for r in roster.rows:
        number = r["id_number"]
        assert len(number) == 18 and number[:17].isdigit() and number == number.upper()
        assert number[-1] == ric.calc_check_digit(number)
        ric.get_birth_date(number)
    for area in {r["id_number"][:6] for r in roster.rows}:
        assert "county" in AREAS.info(area)[-1][1], area


def test_stdnum_is_valid_rejects_genuine_ids_of_people_born_before_their_area_code_existed():
    # Why the test above does not call ric.is_valid: 440802 exists since 1984, yet every Chikan
    # resident born earlier holds a 440802 number.
    body = "44080219700101123"
    assert not ric.is_valid(body + ric.calc_check_digit(body + "0"))


def test_area_codes_are_the_countys_own_except_about_five_percent(roster):
    assert set(AREA_CODES_BY_COUNTY) == {c.code for c in ZHANJIANG_COUNTIES}
    assert AREA_CODES_BY_COUNTY["440871"] == ("440803", "440811")
    away = [r for r in roster.rows if r["id_number"][:6] not in AREA_CODES_BY_COUNTY[r["county_code"]]]
    assert 0.035 < len(away) / len(roster.rows) < 0.065
    assert {r["id_number"][:2] for r in away} >= {"44", "45"}
    assert not any(r["id_number"].startswith("440871") for r in roster.rows)


def test_gender_matches_the_seventeenth_digit(roster):
    for r in roster.rows:
        assert int(r["id_number"][16]) % 2 == (1 if r["gender"] == "1" else 0)
    men = sum(r["gender"] == "1" for r in roster.rows) / len(roster.rows)
    assert 0.5 < men < 0.6


def test_clean_people_are_of_working_age_at_registration_and_today(clean):
    ages = []
    for r in clean:
        born = ric.get_birth_date(r["id_number"])
        ages.append(age(born, r["registered_on"]))
        assert ages[-1] >= 16
        assert age(born, TODAY) < (60 if r["gender"] == "1" else 55)
    assert 28 < sum(ages) / len(ages) < 40


def test_registrations_fall_on_working_days_within_three_years(roster):
    for r in roster.rows:
        assert TODAY - timedelta(days=3 * 365) <= r["registered_on"] < TODAY
        assert r["registered_on"].weekday() < 5


def test_about_eight_percent_are_cancelled_after_registration_and_not_as_unemployed(clean):
    cancelled = [r for r in clean if r["cancelled_on"]]
    assert 0.06 < len(cancelled) / len(clean) < 0.10
    for r in clean:
        if r["cancelled_on"]:
            assert r["registered_on"] < r["cancelled_on"] <= TODAY and r["employment_status"] != "10"
        else:
            assert r["employment_status"] == "10"
    assert {"20", "21", "22"} <= {r["employment_status"] for r in cancelled}


def test_id_phone_and_certificate_numbers_are_unique_outside_the_duplicates(roster, clean):
    assert len({r["id_number"] for r in clean}) == len(clean)
    assert len({r["phone"] for r in clean}) == len(clean)
    certificates = [r["certificate_number"] for r in roster.rows]
    assert len(set(certificates)) == len(certificates)
    for r in roster.rows:
        cert = r["certificate_number"]
        assert len(cert) == 16 and cert.isdigit() and cert.startswith(r["county_code"])
        assert cert[6:8] == f"{r['registered_on'].year % 100:02d}"


def test_phones_are_valid_mainland_mobile_numbers_in_e164(roster):
    for r in roster.rows:
        if r["phone"] is not None:
            number = phonenumbers.parse(r["phone"])
            assert phonenumbers.is_valid_number(number), r["phone"]
            assert phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE
            assert phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == r["phone"]


def test_counties_are_all_present_and_uneven(roster):
    sizes = Counter(r["county_code"] for r in roster.rows)
    assert set(sizes) == {c.code for c in ZHANJIANG_COUNTIES}
    assert sizes["440881"] > sizes["440802"] > sizes["440871"]
    assert max(sizes.values()) > 4 * min(sizes.values())
    agencies = {r["county_code"]: r["registering_agency"] for r in roster.rows}
    assert agencies["440802"] == "湛江市赤坎区公共就业服务中心"
    assert agencies["440881"] == "廉江市公共就业服务中心"
    assert agencies["440871"] == "湛江经济技术开发区公共就业服务中心"


def test_each_dirty_kind_has_its_expected_count_and_the_kinds_are_disjoint(roster):
    assert set(roster.dirty) == set(DIRTY_PER_30K)
    for kind, count in DIRTY_PER_30K.items():
        assert len(roster.dirty[kind]) == count * (2 if kind in PAIR_KINDS else 1), kind
    every = [i for rows in roster.dirty.values() for i in rows]
    assert len(every) == len(set(every))


@pytest.mark.parametrize("kind, same_county", [("duplicate_across_counties", False), ("duplicate_in_county", True)])
def test_duplicate_pairs_share_one_registered_person(roster, kind, same_county):
    pairs = roster.dirty[kind]
    for first, second in zip(pairs[::2], pairs[1::2], strict=True):
        a, b = roster.rows[first], roster.rows[second]
        assert a["id_number"] == b["id_number"] and a["name"] == b["name"] and a["gender"] == b["gender"]
        assert (a["county_code"] == b["county_code"]) == same_county
        assert a["cancelled_on"] is None and b["cancelled_on"] is None
        assert a["certificate_number"] != b["certificate_number"]
        assert a["registered_on"] <= b["registered_on"]


def test_past_retirement_people_are_clearly_past_and_still_registered(roster):
    for i in roster.dirty["past_retirement_age"]:
        r = roster.rows[i]
        limit = 63 if r["gender"] == "1" else 58  # the highest ages the 2025 reform phases in
        assert age(ric.get_birth_date(r["id_number"]), TODAY) > limit
        assert r["cancelled_on"] is None and r["employment_status"] == "10"


def test_missing_phones_and_future_cancellations_are_exactly_the_marked_rows(roster):
    assert [i for i, r in enumerate(roster.rows) if r["phone"] is None] == roster.dirty["missing_phone"]
    future = [i for i, r in enumerate(roster.rows) if r["cancelled_on"] and r["cancelled_on"] > TODAY]
    assert future == roster.dirty["future_cancellation"]
    assert all(roster.rows[i]["employment_status"] != "10" for i in future)


def test_small_rosters_scale_the_dirty_cases_down_and_tiny_ones_have_none():
    small = generate_roster(3, TODAY, 1000)
    assert len(small.rows) == 1000
    assert {k: len(v) for k, v in small.dirty.items()} == {
        "duplicate_across_counties": 4, "duplicate_in_county": 2, "past_retirement_age": 2,
        "missing_phone": 5, "future_cancellation": 1}
    assert not any(generate_roster(3, TODAY, 50).dirty.values())
    empty = generate_roster(3, TODAY, 0)
    assert empty.rows == [] and set(empty.dirty) == set(DIRTY_PER_30K)


def test_chunks_keep_numbers_unique_across_chunks_and_accept_other_counties():
    counties = [county_spec("440802", "广东省湛江市赤坎区", "湛江市赤坎区公共就业服务中心", 1),
                county_spec("449901", "广东省某市某县", "某县公共就业服务中心", 3)]
    chunks = list(iter_roster_chunks(5, TODAY, 2500, counties=counties, chunk_size=1000))
    assert [len(c.rows) for c in chunks] == [1000, 1000, 500]
    rows = [r for c in chunks for r in c.rows]
    duplicates = sum(len(c.dirty[k]) // 2 for c in chunks for k in PAIR_KINDS)
    assert len({r["id_number"] for r in rows}) == len(rows) - duplicates
    assert len({r["certificate_number"] for r in rows}) == len(rows)
    assert {r["county_code"] for r in rows} == {"440802", "449901"}


def test_write_csv_round_trips_through_the_csv_module(roster, tmp_path):
    path = tmp_path / "roster.csv"
    assert write_csv(roster.rows[:500], path) == 500
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with open(path, newline="", encoding="utf-8-sig") as f:
        read = list(csv.DictReader(f))
    assert list(read[0]) == list(CSV_HEADERS) and len(read) == 500
    for line, r in zip(read, roster.rows[:500], strict=True):
        assert code_for(GENDERS, line["性别"]) == r["gender"]
        assert line["公民身份号码"] == r["id_number"] and line["县区代码"] == r["county_code"]
        assert line["联系电话"] == (r["phone"][3:] if r["phone"] else "")
        assert code_for(UNEMPLOYMENT_REASONS, line["失业原因"]) == r["unemployment_reason"]
        assert code_for(EMPLOYMENT_STATUSES, line["就业状态"]) == r["employment_status"]
        assert date.fromisoformat(line["失业登记日期"]) == r["registered_on"]
        assert line["注销日期"] == (r["cancelled_on"].isoformat() if r["cancelled_on"] else "")
        assert (line["姓名"], line["常住地址"], line["就业创业证编号"]) == (
            r["name"], r["residence_address"], r["certificate_number"])
