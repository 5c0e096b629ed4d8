"""Specification of the AAPOR-style outcome rates for a list sample in which every unit is eligible."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from config.dispositions import CATEGORIES
from sampling.checks import EstimateInputError
from sampling.rates import (
    AAPOR_CODES,
    OUTCOME_LABELS,
    Outcome,
    contact_rate_1,
    cooperation_rate_1,
    outcome_counts,
    outcome_rates,
    refusal_rate_1,
    response_rate_1,
    response_rate_2,
)

# 100 sample units: I 60, P 5, R 10, NC 15, O 5, still open 5.
FIELDWORK = {Outcome.COMPLETE: 60, Outcome.PARTIAL: 5, Outcome.REFUSAL: 10, Outcome.NON_CONTACT: 15,
             Outcome.OTHER: 5, Outcome.OPEN: 5}


def test_rates_by_hand_with_open_units():
    rates = outcome_rates(FIELDWORK)
    assert rates.total == 100
    assert rates.open_units == 5 and not rates.final
    assert rates.response_rate_1 == pytest.approx(60 / 100)  # I / all
    assert rates.response_rate_2 == pytest.approx(65 / 100)  # (I + P) / all
    assert rates.refusal_rate_1 == pytest.approx(10 / 100)  # R / all
    assert rates.cooperation_rate_1 == pytest.approx(60 / 80)  # I / (I + P + R + O)
    assert rates.contact_rate_1 == pytest.approx(80 / 100)  # (I + P + R + O) / all


def test_final_rates_by_hand():
    counts = {"completed": 42, "partial": 3, "refusal": 6, "non_contact": 7, "other": 2}
    assert response_rate_1(counts) == pytest.approx(42 / 60)
    assert response_rate_2(counts) == pytest.approx(45 / 60)
    assert refusal_rate_1(counts) == pytest.approx(6 / 60)
    assert cooperation_rate_1(counts) == pytest.approx(42 / 53)
    assert contact_rate_1(counts) == pytest.approx(53 / 60)
    assert outcome_rates(counts).final


def test_open_units_count_like_non_contacts_in_every_denominator():
    with_open = outcome_rates({"completed": 10, "non_contact": 4, "open": 6})
    as_non_contacts = outcome_rates({"completed": 10, "non_contact": 10})
    for name in ("response_rate_1", "response_rate_2", "refusal_rate_1", "cooperation_rate_1", "contact_rate_1"):
        assert getattr(with_open, name) == getattr(as_non_contacts, name)


def test_missing_categories_are_zero_and_empty_samples_have_no_rates():
    assert outcome_counts({"completed": 2}) == {o: (2 if o is Outcome.COMPLETE else 0) for o in Outcome}
    rates = outcome_rates({})
    assert rates.total == 0
    assert rates.response_rate_1 is None and rates.contact_rate_1 is None and rates.cooperation_rate_1 is None


def test_nobody_reached_has_no_cooperation_rate():
    assert cooperation_rate_1({"non_contact": 12}) is None
    assert contact_rate_1({"non_contact": 12}) == 0.0


def test_every_outcome_has_labels_and_an_aapor_code():
    assert set(OUTCOME_LABELS) == set(AAPOR_CODES) == set(Outcome)
    assert [AAPOR_CODES[o] for o in Outcome] == ["I", "P", "R", "NC", "O", "OPEN"]


def test_outcomes_are_the_disposition_categories_of_the_follow_up():
    assert {code for code, _, _ in CATEGORIES} == {o.value for o in Outcome} - {"open"}


@pytest.mark.parametrize(("counts", "code"), [
    ({"I": 1}, "outcome_unknown"),
    ({"out_of_scope": 1}, "outcome_unknown"),  # replaced by reserves, never counted
    ({"completed": -1}, "count_invalid"),
    ({"refusal": 2.5}, "count_invalid"),
    ({"non_contact": None}, "count_invalid"),
])
def test_bad_counts_are_refused_with_a_stable_code(counts, code):
    with pytest.raises(EstimateInputError) as caught:
        outcome_rates(counts)
    assert caught.value.code == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(caught.value))
    assert caught.value.message_en.isascii()


@given(st.dictionaries(st.sampled_from(list(Outcome)), st.integers(0, 10_000)))
def test_rates_are_proportions_and_fit_together(counts):
    rates = outcome_rates(counts)
    for name in ("response_rate_1", "response_rate_2", "refusal_rate_1", "cooperation_rate_1", "contact_rate_1"):
        value = getattr(rates, name)
        assert value is None or 0.0 <= value <= 1.0
    if rates.total:
        assert rates.response_rate_1 <= rates.response_rate_2
        assert rates.response_rate_2 + rates.refusal_rate_1 <= rates.contact_rate_1 + 1e-12
        if rates.cooperation_rate_1 is not None:
            # RR1 = COOP1 x CON1 when every unit is eligible: I/T = I/C x C/T.
            assert rates.response_rate_1 == pytest.approx(rates.cooperation_rate_1 * rates.contact_rate_1)
