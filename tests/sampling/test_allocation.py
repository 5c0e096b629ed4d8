"""Allocation of a total over strata: equal, proportional, Neyman; minimums, caps, exact rounding."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sampling.allocation import allocate, oversampled, per_stratum_sizes, reserve_sizes
from sampling.errors import SamplingInputError
from sampling.sizes import attribute_sample_size, precision_sample_size

HAND_CASES = [
    # 100 * (100, 200, 700) / 1000: no rounding needed
    ({"a": 100, "b": 200, "c": 700}, 100, "proportional", 0, None, {"a": 10, "b": 20, "c": 70}),
    # 10 * (333, 333, 334) / 1000 = 3.33, 3.33, 3.34: floors 3, 3, 3, the spare unit to the largest remainder
    ({"a": 333, "b": 333, "c": 334}, 10, "proportional", 0, None, {"a": 3, "b": 3, "c": 4}),
    # equal: 10 / 3 = 3.33 each; remainders tie, so the larger stratum (all equal here), then the first name
    ({"a": 10, "b": 10, "c": 10}, 10, "equal", 0, None, {"a": 4, "b": 3, "c": 3}),
    # equal with a tie on remainders: the larger stratum c gets the spare unit
    ({"a": 10, "b": 20, "c": 30}, 10, "equal", 0, None, {"a": 3, "b": 3, "c": 4}),
    # N_a = 3 is below the minimum 5: a gives all 3; b and c share 87 -> 43.5 each, tie to the larger c
    ({"a": 3, "b": 200, "c": 700}, 90, "equal", 5, None, {"a": 3, "b": 43, "c": 44}),
    # strata of 0 and 1 with minimum 20: a = 3, o = 1, z = 0 fixed; 96 over b, c: 21.33 and 74.67 -> 21, 75
    (
        {"a": 3, "b": 200, "c": 700, "z": 0, "o": 1},
        100,
        "proportional",
        20,
        None,
        {"a": 3, "b": 21, "c": 75, "z": 0, "o": 1},
    ),
    # proportional would give a 5 < minimum 10: a fixed at 10, b takes the other 90
    ({"a": 50, "b": 950}, 100, "proportional", 10, None, {"a": 10, "b": 90}),
    # equal would give 25 each but a holds only 2: a capped at 2, b takes 48
    ({"a": 2, "b": 100}, 50, "equal", 0, None, {"a": 2, "b": 48}),
    # Neyman: S = sqrt(0.25) = 0.5 and sqrt(0.09) = 0.3; weights 500 : 300 -> 62.5, 37.5; tie to name a
    ({"a": 1000, "b": 1000}, 100, "neyman", 0, {"a": 0.5, "b": 0.1}, {"a": 63, "b": 37}),
    # Neyman with b's rate missing (0.5): weights 100 * 0.3 = 30 and 100 * 0.5 = 50 -> 6 and 10 of 16
    ({"a": 100, "b": 100}, 16, "neyman", 0, {"a": 0.1}, {"a": 6, "b": 10}),
    # Neyman rate 0 gives weight 0: b gets nothing while a has room ...
    ({"a": 100, "b": 5}, 50, "neyman", 0, {"b": 0.0}, {"a": 50, "b": 0}),
    # ... and only the 3 units a cannot hold once a is full
    ({"a": 100, "b": 5}, 103, "neyman", 0, {"b": 0.0}, {"a": 100, "b": 3}),
    # total exactly N: every stratum is taken whole
    ({"a": 7, "b": 0, "c": 13}, 20, "neyman", 3, None, {"a": 7, "b": 0, "c": 13}),
    # total 0 with no minimum
    ({"a": 7, "b": 13}, 0, "proportional", 0, None, {"a": 0, "b": 0}),
]


@pytest.mark.parametrize(("populations", "total", "method", "minimum", "rates", "expected"), HAND_CASES)
def test_allocation_matches_hand_computation(populations, total, method, minimum, rates, expected):
    assert allocate(populations, total, method, minimum, rates) == expected


def test_allocation_keeps_the_callers_stratum_order_and_does_not_depend_on_it():
    pops = {"440882": 900, "440802": 120, "440811": 345}
    forward = allocate(pops, 100, "equal", 2)
    backward = allocate(dict(reversed(pops.items())), 100, "equal", 2)
    assert list(forward) == list(pops)
    assert forward == backward


def test_total_larger_than_the_frame_is_refused():
    with pytest.raises(SamplingInputError) as info:
        allocate({"a": 10, "b": 5}, 16, "proportional")
    assert info.value.code == "total_exceeds_population"
    assert info.value.params == {"total": 16, "population": 15}
    assert "超过了抽样框总人数 15" in info.value.message()


def test_minimums_that_need_more_than_the_total_are_refused():
    # min(8, N_h) for three strata of 10 needs 24 units, more than the 20 asked for
    with pytest.raises(SamplingInputError) as info:
        allocate({"a": 10, "b": 10, "c": 10}, 20, "equal", minimum=8)
    assert info.value.code == "minimum_exceeds_total"
    assert info.value.params["required"] == 24


def test_minimum_counts_small_strata_only_at_their_size():
    # min(8, N_h) = 2 + 8 = 10 units, so a total of 10 is feasible
    assert allocate({"a": 2, "b": 50}, 10, "proportional", minimum=8) == {"a": 2, "b": 8}


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"method": "random"}, "method_unknown"),
        ({"total": -1}, "total_invalid"),
        ({"total": 2.5}, "total_invalid"),
        ({"total": True}, "total_invalid"),
        ({"minimum": -1}, "minimum_invalid"),
        ({"populations": {"a": -1}}, "stratum_population_invalid"),
        ({"method": "neyman", "rates": {"a": 1.5}}, "stratum_rate_out_of_range"),
        ({"method": "neyman", "rates": {"zz": 0.5}}, "unknown_stratum"),
    ],
)
def test_allocation_refuses_bad_input(kwargs, code):
    args = {"populations": {"a": 10, "b": 10}, "total": 5, "method": "proportional"} | kwargs
    with pytest.raises(SamplingInputError) as info:
        allocate(**args)
    assert info.value.code == code


def reference_shares(pops, total, weights, minimum):
    """Bounded proportional shares clamp(lam * w_h, L_h, N_h) by bisection on lam, in floats."""
    lower = {h: min(minimum, n) for h, n in pops.items()}
    live = {h: w for h, w in weights.items() if w > 0}
    if sum(pops[h] for h in live) + sum(lower[h] for h in pops if h not in live) < total:
        # positive weights all full; the rest goes to zero-weight strata by N_h
        shares = {h: float(pops[h]) for h in live}
        rest = {h: pops[h] for h in pops if h not in live}
        shares |= reference_shares(rest, total - sum(shares.values()), dict(rest), minimum)
        return shares

    def placed(lam):
        return sum(min(max(lam * weights[h], lower[h]), pops[h]) for h in pops)

    lo, hi = 0.0, 1.0
    while placed(hi) < total and hi < 1e12:
        hi *= 2
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if placed(mid) < total else (lo, mid)
    return {h: min(max(hi * weights[h], lower[h]), pops[h]) for h in pops}


@st.composite
def allocation_problems(draw):
    pops = draw(
        st.dictionaries(
            st.text("abcdefgh", min_size=1, max_size=3), st.integers(0, 400), min_size=1, max_size=12
        )
    )
    method = draw(st.sampled_from(["equal", "proportional", "neyman"]))
    minimum = draw(st.integers(0, 30))
    rates = draw(
        st.dictionaries(st.sampled_from(sorted(pops)), st.sampled_from([0.0, 0.05, 0.1, 0.3, 0.5, 1.0]))
    )
    required = sum(min(minimum, n) for n in pops.values())
    total = draw(st.integers(required, sum(pops.values())))
    return pops, total, method, minimum, rates


@given(allocation_problems())
def test_allocations_add_up_respect_bounds_and_round_the_exact_shares(problem):
    pops, total, method, minimum, rates = problem
    sizes = allocate(pops, total, method, minimum, rates)
    assert sum(sizes.values()) == total
    assert set(sizes) == set(pops)
    for h, n in sizes.items():
        assert min(minimum, pops[h]) <= n <= pops[h]
    if method == "equal":
        weights = {h: 1.0 for h in pops}
    elif method == "proportional":
        weights = {h: float(n) for h, n in pops.items()}
    else:
        weights = {h: n * math.sqrt(rates.get(h, 0.5) * (1 - rates.get(h, 0.5))) for h, n in pops.items()}
    shares = reference_shares(pops, total, weights, minimum)
    for h, n in sizes.items():
        assert abs(n - shares[h]) < 1 + 1e-6


@given(allocation_problems())
def test_allocation_does_not_depend_on_the_order_of_the_strata(problem):
    pops, total, method, minimum, rates = problem
    backward = dict(reversed(list(pops.items())))
    assert allocate(pops, total, method, minimum, rates) == allocate(backward, total, method, minimum, rates)


def test_per_stratum_precision_rule_uses_each_countys_own_population():
    # 1000 -> 278 and 50 -> 45 as in test_sampling_sizes; an empty county needs nothing
    sizes = per_stratum_sizes(
        {"440802": 1000, "440803": 50, "440804": 0},
        lambda n: precision_sample_size(0.05, 0.95, 0.5, n),
    )
    assert sizes == {"440802": 278, "440803": 45, "440804": 0}


def test_per_stratum_attribute_rule_is_capped_at_the_county_size():
    plan = attribute_sample_size(0.95, 0.05, 0.0)  # 59
    assert per_stratum_sizes({"a": 1000, "b": 40}, lambda n: plan.n) == {"a": 59, "b": 40}


def test_per_stratum_rule_returning_nonsense_is_refused():
    with pytest.raises(SamplingInputError) as info:
        per_stratum_sizes({"a": 10}, lambda n: -1)
    assert info.value.code == "rule_result_invalid"


def test_reserves_by_share_round_up_and_stop_at_the_stratum_size():
    pops = {"a": 33, "b": 5, "c": 10}
    sizes = {"a": 30, "b": 5, "c": 5}
    # 0.1 * 30 = 3 exactly; 0.1 * 5 = 0.5 -> 1, but b has nobody left; c: 1
    assert reserve_sizes(pops, sizes, share=0.1) == {"a": 3, "b": 0, "c": 1}
    assert reserve_sizes(pops, sizes, count=4) == {"a": 3, "b": 0, "c": 4}


@pytest.mark.parametrize("kwargs", [{}, {"share": 0.1, "count": 1}, {"share": -0.1}, {"count": -2}])
def test_reserve_spec_must_be_one_share_or_one_count(kwargs):
    with pytest.raises(SamplingInputError) as info:
        reserve_sizes({"a": 10}, {"a": 5}, **kwargs)
    assert info.value.code == "reserve_spec_invalid"


def test_reserves_refuse_a_sample_larger_than_its_stratum():
    with pytest.raises(SamplingInputError) as info:
        reserve_sizes({"a": 10}, {"a": 11}, count=1)
    assert info.value.code == "size_exceeds_stratum"


# ---- oversampling (a factor per stratum) --------------------------------------------------------------


def test_oversampling_factor_multiplies_a_strata_sampling_fraction():
    pops = {"a|finding": 10, "a|none": 40}
    assert allocate(pops, 20, "proportional") == {"a|finding": 4, "a|none": 16}
    # Weights 10 * 2 and 40: shares 6 2/3 and 13 1/3, fractions 0.7 and 0.325 after rounding.
    assert allocate(pops, 20, "proportional", factors={"a|finding": 2}) == {"a|finding": 7, "a|none": 13}


def test_oversampling_stops_at_the_stratum_size_and_the_rest_goes_elsewhere():
    pops = {"a|finding": 5, "a|none": 45}
    assert allocate(pops, 20, "proportional", factors={"a|finding": 10}) == {"a|finding": 5, "a|none": 15}


def test_oversampling_applies_to_equal_and_neyman_weights_too():
    pops = {"x": 100, "y": 100}
    assert allocate(pops, 30, "equal", factors={"x": 2}) == {"x": 20, "y": 10}
    assert allocate(pops, 30, "neyman", rates={"x": 0.5, "y": 0.5}, factors={"y": 1.5}) == {"x": 12, "y": 18}


@pytest.mark.parametrize("factors, code", [({"a": 0.5}, "stratum_factor_out_of_range"),
                                           ({"a": 101}, "stratum_factor_out_of_range"),
                                           ({"a": True}, "stratum_factor_out_of_range"),
                                           ({"zz": 2}, "unknown_stratum")])
def test_oversampling_factors_are_checked(factors, code):
    with pytest.raises(SamplingInputError) as info:
        allocate({"a": 10, "b": 10}, 5, "proportional", factors=factors)
    assert info.value.code == code
    assert info.value.message("zh") and info.value.message("en")


def test_per_stratum_sizes_are_oversampled_rounding_up_within_the_stratum():
    pops = {"a": 12, "b": 100, "c": 100}
    assert oversampled(pops, {"a": 10, "b": 10, "c": 10}, {"a": 1.5, "b": 1.25}) == {"a": 12, "b": 13, "c": 10}
