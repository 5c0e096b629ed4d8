"""Specification of reading a rate field: 95, 95 %, 0.95 and full-width digits alike, and saying which was read."""

from decimal import Decimal

import pytest

from sampling.errors import SamplingInputError
from sampling.percent import FRACTION, PERCENT, parse_rate

READINGS = [
    ("95", Decimal("0.95"), PERCENT),
    ("95%", Decimal("0.95"), PERCENT),
    ("95 %", Decimal("0.95"), PERCENT),
    (" 95 ％ ", Decimal("0.95"), PERCENT),
    ("０．９５", Decimal("0.95"), FRACTION),
    ("0.95", Decimal("0.95"), FRACTION),
    ("5", Decimal("0.05"), PERCENT),
    ("0.05", Decimal("0.05"), FRACTION),
    ("2.5%", Decimal("0.025"), PERCENT),
    ("0.5%", Decimal("0.005"), PERCENT),
    ("1%", Decimal("0.01"), PERCENT),
    ("100%", Decimal("1"), PERCENT),
    ("0", Decimal("0"), FRACTION),
    (95, Decimal("0.95"), PERCENT),
    (0.95, Decimal("0.95"), FRACTION),
    (Decimal("0.05"), Decimal("0.05"), FRACTION),
]


@pytest.mark.parametrize(("text", "value", "reading"), READINGS)
def test_values_above_one_are_percents_and_the_rest_fractions(text, value, reading):
    result = parse_rate(text, "rate", low_inclusive=True, high_inclusive=True)
    assert (result.value, result.reading) == (value, reading)


def test_the_reading_is_shown_as_a_percent():
    assert parse_rate("0.95", "confidence").shown == "95%"
    assert parse_rate("2.5", "tolerable").shown == "2.5%"


def test_a_float_is_read_as_the_decimal_it_was_written_as():
    assert parse_rate(0.05, "tolerable").value == Decimal("0.05")


@pytest.mark.parametrize("text", ["1", "1.0", " １ ", 1, 1.0])
def test_a_bare_one_is_refused_as_ambiguous(text):
    with pytest.raises(SamplingInputError) as caught:
        parse_rate(text, "confidence")
    assert caught.value.code == "rate_ambiguous"
    assert "1%" in caught.value.message("zh") and "100%" in caught.value.message("zh")


@pytest.mark.parametrize(("text", "code"), [
    ("", "value_missing"), (None, "value_missing"), ("abc", "not_a_number"), ("95%%", "not_a_number"),
    ("nan", "not_a_number"), ("inf", "not_a_number"), (True, "not_a_number"),
    ("-5", "percent_out_of_range"), ("100", "percent_out_of_range"), ("0", "percent_out_of_range"),
    ("150%", "percent_out_of_range"),
])
def test_a_confidence_outside_zero_and_one_exclusive_is_refused(text, code):
    with pytest.raises(SamplingInputError) as caught:
        parse_rate(text, "confidence")
    assert caught.value.code == code


def test_an_inclusive_field_takes_zero_and_one_hundred_percent():
    assert parse_rate("0", "rate", low_inclusive=True, high_inclusive=True).value == 0
    assert parse_rate("100%", "rate", low_inclusive=True, high_inclusive=True).value == 1


def test_an_out_of_range_value_says_how_it_was_read():
    with pytest.raises(SamplingInputError) as caught:
        parse_rate("100", "confidence")
    assert "100%" in caught.value.message("zh") and "置信水平" in caught.value.message("zh")
