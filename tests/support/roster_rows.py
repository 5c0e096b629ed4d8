"""Roster rows as a county file gives them, and validating one as row 7 of a file (dated 2026-01-15)."""

from datetime import date

from stdnum.cn import ric

from config.counties import COUNTY_BY_CODE
from roster.validate import validate_row

TODAY = date(2026, 1, 15)
KNOWN = frozenset(COUNTY_BY_CODE)


def make_id(area: str = "440802", birth: str = "19900101", order: str = "12", male: bool = True) -> str:
    """Return a valid 18-character ID number, its check digit computed by python-stdnum."""
    body = area + birth + order + ("1" if male else "2")
    return body + ric.calc_check_digit(body + "?")


MAN_1990 = make_id()
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def wrong_check_digit(number: str) -> str:
    """Return the number with a different, wrong check digit."""
    return number[:17] + ("1" if number[17] != "1" else "2")


def good_row(**changes):
    """Return a clean raw row as a county CSV gives it, with some values changed."""
    row = {
        "county_code": "440802",
        "name": "张三",
        "gender": "男",
        "id_number": MAN_1990,
        "phone": "13812345678",
        "household_address": "广东省湛江市赤坎区中山一路1号",
        "residence_address": "广东省湛江市赤坎区中山一路1号",
        "unemployment_reason": "本人辞职",
        "registered_on": "2025-03-01",
        "registering_agency": "赤坎区公共就业服务中心",
        "certificate_number": "4408020000012345",
        "employment_status": "失业",
        "cancelled_on": "",
    }
    row.update(changes)
    return row


def check(row, **kwargs):
    """Validate a row as row 7 of a file."""
    return validate_row(row, 7, TODAY, KNOWN, **kwargs)
