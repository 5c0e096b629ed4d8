"""Sample sizes: precision target with finite population correction, its inverse, and AICPA attribute plans."""

import math
import re
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.special import bdtr

from sampling.errors import MESSAGES, SamplingInputError
from sampling.sizes import (
    AttributePlan,
    attribute_sample_size,
    margin_of_error,
    precision_sample_size,
)

# z at 95% = 1.959964 (z^2 = 3.841459); z at 90% = 1.644854 (z^2 = 2.705543).
PRECISION_CASES = [
    # n0 = 3.841459 * 0.25 / 0.0025 = 384.146; n = 384.146 / (1 + 383.146 / 1000) = 277.73 -> 278
    (0.05, 0.95, 0.5, 1000, 278),
    # no population: n0 = 384.146 -> 385
    (0.05, 0.95, 0.5, None, 385),
    # n0 = 3.841459 * 0.25 / 0.0009 = 1067.07 -> 1068
    (0.03, 0.95, 0.5, None, 1068),
    # n0 = 3.841459 * 0.16 / 0.0025 = 245.85; n = 245.85 / (1 + 244.85 / 500) = 165.03 -> 166
    (0.05, 0.95, 0.2, 500, 166),
    # n0 = 2.705543 * 0.25 / 0.0025 = 270.55 -> 271
    (0.05, 0.90, 0.5, None, 271),
    # a county of 50: n = 384.146 / (1 + 383.146 / 50) = 44.34 -> 45
    (0.05, 0.95, 0.5, 50, 45),
    # a county of 10: n = 384.146 / 39.3146 = 9.77 -> 10, the whole county
    (0.05, 0.95, 0.5, 10, 10),
    (0.05, 0.95, 0.5, 1, 1),
    (0.05, 0.95, 0.5, 0, 0),
    # no variance to estimate
    (0.05, 0.95, 0.0, 1000, 0),
    (0.05, 0.95, 1.0, None, 0),
]


@pytest.mark.parametrize(("margin", "confidence", "rate", "population", "expected"), PRECISION_CASES)
def test_precision_sample_size_matches_hand_computation(margin, confidence, rate, population, expected):
    assert precision_sample_size(margin, confidence, rate, population) == expected


def test_margin_of_error_inverts_the_precision_rule_at_the_hand_computed_case():
    # e = 1.959964 * sqrt(0.25 / 278 * (1000 - 278) / 999) = 0.049967
    assert margin_of_error(278, 1000, 0.95, 0.5) == pytest.approx(0.049967, abs=1e-6)
    assert margin_of_error(277, 1000, 0.95, 0.5) > 0.05


def test_margin_of_error_is_zero_for_a_census_and_infinite_without_a_sample():
    assert margin_of_error(1000, 1000, 0.95, 0.5) == 0.0
    assert margin_of_error(5, 3, 0.95, 0.5) == 0.0
    assert margin_of_error(0, 0, 0.95, 0.5) == 0.0
    assert margin_of_error(0, 10, 0.95, 0.5) == math.inf


def test_margin_of_error_without_population_has_no_correction():
    # 1.959964 * sqrt(0.25 / 385) = 0.049944
    assert margin_of_error(385, None, 0.95, 0.5) == pytest.approx(0.049944, abs=1e-6)


@given(
    margin=st.floats(0.005, 0.5),
    confidence=st.sampled_from([0.8, 0.9, 0.95, 0.99]),
    rate=st.floats(0.01, 0.99),
    population=st.integers(1, 10**6),
)
def test_precision_size_is_the_smallest_n_meeting_the_margin_and_never_above_n(
    margin, confidence, rate, population
):
    n = precision_sample_size(margin, confidence, rate, population)
    assert 1 <= n <= population
    assert margin_of_error(n, population, confidence, rate) <= margin * (1 + 1e-9)
    if n > 1:
        assert margin_of_error(n - 1, population, confidence, rate) > margin * (1 - 1e-9)


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ((0, 0.95, 0.5, 10), "margin_out_of_range"),
        ((1, 0.95, 0.5, 10), "margin_out_of_range"),
        ((float("nan"), 0.95, 0.5, 10), "margin_out_of_range"),
        ((0.05, 1.0, 0.5, 10), "confidence_out_of_range"),
        ((0.05, 0, 0.5, 10), "confidence_out_of_range"),
        ((0.05, 0.95, 1.2, 10), "rate_out_of_range"),
        ((0.05, 0.95, -0.1, 10), "rate_out_of_range"),
        ((0.05, 0.95, 0.5, -1), "population_invalid"),
        ((0.05, 0.95, 0.5, 2.5), "population_invalid"),
        ((0.05, 0.95, 0.5, True), "population_invalid"),
    ],
)
def test_precision_sample_size_refuses_bad_input_with_a_code(args, code):
    with pytest.raises(SamplingInputError) as info:
        precision_sample_size(*args)
    assert info.value.code == code
    assert info.value.message("zh") and info.value.message("en")


def test_margin_of_error_refuses_a_negative_sample():
    with pytest.raises(SamplingInputError) as info:
        margin_of_error(-1, 100, 0.95, 0.5)
    assert info.value.code == "sample_size_invalid"


# AICPA Audit Guide "Audit Sampling" (2017), Appendix A, Table A-1 (5% risk of overreliance) and Table A-2
# (10%): sample sizes by tolerable rate (key) down the expected-rate rows below, as far as the guide prints
# them. Values as transcribed in the jfa R package's validation tests (koenderks/jfa,
# tests/testthat/test-validation-appendix-a.R); three cells of Table A-2 are discussed where they occur.
EXPECTED_ROWS = [
    r / 100 for r in (0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.25, 2.5, 2.75, 3, 3.25, 3.5)
] + [r / 100 for r in (3.75, 4, 5, 6, 7, 8, 9, 10, 12.5, 15, 17.5)]
TABLE_A1 = {
    0.02: [149, 236, 313, 386, 590, 1030],
    0.03: [99, 157, 157, 208, 257, 303, 392, 562, 846, 1466],
    0.04: [74, 117, 117, 117, 156, 156, 192, 227, 294, 390, 513, 722, 1098, 1936],
    0.05: [59, 93, 93, 93, 93, 124, 124, 153, 181, 208, 234, 286, 361, 458, 624, 877, 1348],
    0.06: [49, 78, 78, 78, 78, 78, 103, 103, 127, 127, 150, 173, 195, 238, 280, 341, 421, 1580],
    0.07: [42, 66, 66, 66, 66, 66, 66, 88, 88, 88, 109, 109, 129, 148, 167, 185, 221, 478, 1832],
    0.08: [36, 58, 58, 58, 58, 58, 58, 77, 77, 77, 77, 95, 95, 112, 112, 129, 146, 240, 532],
    0.09: [32, 51, 51, 51, 51, 51, 51, 51, 68, 68, 68, 68, 84, 84, 84, 100, 100, 158, 266, 585],
    0.10: [29, 46, 46, 46, 46, 46, 46, 46, 46, 61, 61, 61, 61, 61, 76, 76, 89, 116, 179, 298, 649],
    0.15: [19] + [30] * 13 + [40] * 4 + [50, 68, 85, 110, 150, 576],
    0.20: [14] + [22] * 16 + [30, 30, 37, 37, 44, 50, 88, 193, 720],
}
TABLE_A2 = {
    0.02: [114, 194, 194, 265, 398, 708, 1463],
    0.03: [76, 129, 129, 129, 176, 221, 265, 390, 590, 974],
    0.04: [57, 96, 96, 96, 96, 132, 132, 166, 198, 262, 353, 471, 730, 1258],
    # 3.5% expected: 400 with 14 deviations, since 0.035 * 400 is exactly 14. The float product is
    # 14.000000000000002, whose ceiling 15 leads to 423: the value in jfa's matrix, which its comments
    # attribute to that float artefact.
    0.05: [45, 77, 77, 77, 77, 77, 105, 105, 132, 132, 158, 209, 258, 306, 400, 583, 873],
    0.06: [38, 64, 64, 64, 64, 64, 64, 88, 88, 88, 110, 132, 132, 153, 194, 235, 274, 1019],
    # 3.25% and 3.5% expected: the guide prints 112, but P(X <= 4; 112, 0.07) = 0.1007 > 0.10; 113 is the
    # smallest size the rule allows (0.0966).
    0.07: [32, 55, 55, 55, 55, 55, 55, 55, 75, 75, 75, 94, 94, 113, 113, 131, 149, 318, 1150],
    # 7% expected: 1300 with 91 deviations (0.07 * 1300 = 91 exactly), the guide's value per jfa's comments;
    # the float product 91.00000000000001 would give 1313.
    0.08: [28, 48, 48, 48, 48, 48, 48, 48, 48, 65, 65, 65, 65, 82, 82, 98, 98, 160, 349, 1300],
    0.09: [25, 42, 42, 42, 42, 42, 42, 42, 42, 42, 58, 58, 58, 58, 73, 73, 73, 115, 182, 385, 1437],
    0.10: [22] + [38] * 10 + [52] * 5 + [65, 78, 116, 199, 424, 1577],
    0.15: [15] + [25] * 16 + [34, 43, 52, 60, 77, 100, 368],
    0.20: [11] + [18] * 17 + [25, 25, 25, 32, 38, 63, 126, 457],
}


@pytest.mark.parametrize(("confidence", "table"), [(0.95, TABLE_A1), (0.90, TABLE_A2)])
def test_attribute_sizes_reproduce_every_cell_of_the_aicpa_tables(confidence, table):
    wrong = []
    for tolerable, column in table.items():
        for expected, size in zip(EXPECTED_ROWS, column, strict=False):
            plan = attribute_sample_size(confidence, tolerable, expected)
            if plan.n != size:
                wrong.append((tolerable, expected, size, plan.n))
    assert wrong == []


@pytest.mark.parametrize(
    ("confidence", "tolerable", "expected", "plan"),
    [
        (0.95, 0.05, 0.0, (59, 0)),
        (0.95, 0.10, 0.0, (29, 0)),
        (0.95, 0.05, 0.01, (93, 1)),
        (0.95, 0.10, 0.02, (46, 1)),
        (0.90, 0.05, 0.0, (45, 0)),
        (0.90, 0.10, 0.01, (38, 1)),
        (0.95, 0.04, 0.01, (156, 2)),  # 117 would need k = ceil(1.17) = 2 deviations, and fails with 2
        (0.95, 0.05, 0.02, (181, 4)),
        (0.95, 0.06, 0.03, (195, 6)),
        (0.95, 0.08, 0.04, (146, 6)),
        (0.95, 0.10, 0.06, (179, 11)),
    ],
)
def test_attribute_plan_gives_the_parenthetical_deviations_of_the_tables(
    confidence, tolerable, expected, plan
):
    assert attribute_sample_size(confidence, tolerable, expected) == AttributePlan(*plan)


@given(
    confidence=st.sampled_from([0.8, 0.9, 0.95, 0.99]),
    tolerable=st.sampled_from([0.03, 0.05, 0.08, 0.1, 0.2]),
    share=st.sampled_from([0, 0.1, 0.25, 0.4, 0.5]),
)
def test_attribute_plan_is_the_smallest_n_whose_allowed_deviations_keep_the_risk(
    confidence, tolerable, share
):
    expected = round(tolerable * share, 4)
    plan = attribute_sample_size(confidence, tolerable, expected)
    rate = Fraction(str(expected))
    risk = 1 - confidence + 1e-12

    def allowed(n):
        return math.ceil(n * rate)

    assert plan.allowed_deviations == allowed(plan.n)
    assert bdtr(plan.allowed_deviations, plan.n, tolerable) <= risk
    assert all(bdtr(allowed(n), n, tolerable) > risk for n in range(1, plan.n))


@pytest.mark.parametrize(("expected", "tolerable"), [(0.05, 0.05), (0.06, 0.05)])
def test_expected_rate_at_or_above_tolerable_is_refused_with_a_clear_message(expected, tolerable):
    with pytest.raises(SamplingInputError) as info:
        attribute_sample_size(0.95, tolerable, expected)
    assert info.value.code == "expected_not_below_tolerable"
    assert "必须低于可容忍偏差率" in info.value.message()
    assert "must be below the tolerable rate" in info.value.message("en")


def test_attribute_size_beyond_the_limit_is_refused():
    with pytest.raises(SamplingInputError) as info:
        attribute_sample_size(0.95, 0.05, 0.0499, limit=10_000)
    assert info.value.code == "attribute_size_too_large"
    assert info.value.params["limit"] == 10_000


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ((1.0, 0.05, 0.0), "confidence_out_of_range"),
        ((0.95, 0.0, 0.0), "tolerable_out_of_range"),
        ((0.95, 1.0, 0.0), "tolerable_out_of_range"),
        ((0.95, 0.05, -0.01), "expected_out_of_range"),
    ],
)
def test_attribute_sample_size_refuses_out_of_range_rates(args, code):
    with pytest.raises(SamplingInputError) as info:
        attribute_sample_size(*args)
    assert info.value.code == code


def test_errors_speak_chinese_first_and_english_on_request():
    with pytest.raises(SamplingInputError) as info:
        precision_sample_size(0, 0.95, 0.5)
    error = info.value
    assert str(error) == error.message() == error.message_zh
    assert "允许误差" in error.message_zh
    assert error.message("en") == error.message_en and error.message_en.startswith("The margin of error")


def test_every_code_the_sampling_core_uses_has_chinese_and_english_messages():
    root = Path(__file__).resolve().parents[2] / "sampling"
    source = "".join((root / name).read_text("utf-8") for name in ("sizes.py", "allocation.py", "draw.py"))
    codes = set(re.findall(r'(?:SamplingInputError|Finding|note)\(\s*"([a-z_]+)"', source))
    assert codes and codes <= set(MESSAGES)
    for zh, en in MESSAGES.values():
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh) and en.isascii()


@pytest.mark.parametrize(("call", "code", "zh"), [
    (lambda: precision_sample_size(None, 0.95, 0.5, 1000), "value_missing", "未填写允许误差（margin）。"),
    (lambda: attribute_sample_size(0.95, None, 0.0), "value_missing", "未填写可容忍偏差率（tolerable）。"),
    (lambda: precision_sample_size("0.05", 0.95, 0.5, 1000), "not_a_number",
     "允许误差（margin）必须是数字（按小数填写，如 0.05），收到的是“0.05”。"),
    (lambda: attribute_sample_size(0.95, 0.05, "0"), "not_a_number",
     "预期偏差率（expected）必须是数字（按小数填写，如 0.05），收到的是“0”。"),
])
def test_a_missing_or_textual_parameter_is_named_not_shown_as_none(call, code, zh):
    with pytest.raises(SamplingInputError) as caught:
        call()
    assert caught.value.code == code and caught.value.message("zh") == zh
    assert "None" not in caught.value.message("en")
