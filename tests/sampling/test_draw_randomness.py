"""The draw is random as it should be, tested statistically over many seeds: every unit and reserve is
drawn with probability n/N, every subset of the sample size is equally likely, and sample and
reserves follow a uniform random order."""

from collections import Counter
from itertools import permutations

import numpy as np
from scipy.stats import chi2, chisquare

from sampling.draw import draw_stratified

# ---- randomness --------------------------------------------------------------------------------------

SEEDS = range(2000)
ALPHA = 0.001


def inclusion_p_value(counts, draws, n, population):
    """Return the p-value of equal inclusion frequencies n/N per unit over independent draws.

    Pearson's X^2 against draws * n / N per unit is not chi-square(N - 1) here: each draw takes n distinct
    units, so Cov(I_i, I_j) = -pi(1 - pi)/(N - 1). On the sum-zero space the counts have covariance
    draws * pi(1 - pi) * N/(N - 1) * I, so X^2 * (N - 1)/(N - n) is chi-square with N - 1 degrees of freedom.
    """
    expected = np.full(population, draws * n / population)
    statistic = chisquare(counts, expected).statistic * (population - 1) / (population - n)
    return chi2.sf(statistic, population - 1)


def test_every_unit_is_drawn_with_probability_n_over_n_and_reserves_too():
    population = {"a": 7, "b": 12, "c": 30}
    sizes, reserves = {"a": 2, "b": 5, "c": 3}, {"a": 1, "b": 2, "c": 4}
    keys = [f"{h}{i:02d}" for h, n in population.items() for i in range(n)]
    strata = [h for h, n in population.items() for _ in range(n)]
    index = {k: i for i, k in enumerate(keys)}
    sample = np.zeros(len(keys))
    reserve = np.zeros(len(keys))
    for seed in SEEDS:
        drawn = draw_stratified(keys, strata, sizes, reserves, seed)
        for k, role in zip(drawn.keys.tolist(), drawn.roles.tolist(), strict=True):
            (sample if role == "sample" else reserve)[index[k]] += 1
    for h, n_pop in population.items():
        members = [index[k] for k in keys if k.startswith(h)]
        assert inclusion_p_value(sample[members], len(SEEDS), sizes[h], n_pop) > ALPHA
        assert inclusion_p_value(reserve[members], len(SEEDS), reserves[h], n_pop) > ALPHA


def test_every_subset_of_the_sample_size_is_equally_likely():
    # 5 persons, 2 drawn: 10 possible samples, each expected 200 times in 2000 draws.
    keys, strata = list("abcde"), ["x"] * 5
    seen = Counter(frozenset(draw_stratified(keys, strata, {"x": 2}, {}, s).keys.tolist()) for s in SEEDS)
    assert len(seen) == 10
    assert chisquare(list(seen.values())).pvalue > ALPHA


def test_sample_and_ordered_reserves_follow_a_uniform_random_order():
    # 4 persons, 1 drawn and 2 reserves in order: 24 ordered outcomes, each expected 2000/24 times.
    keys, strata = list("abcd"), ["x"] * 4
    seen = Counter(tuple(draw_stratified(keys, strata, {"x": 1}, {"x": 2}, s).keys.tolist()) for s in SEEDS)
    assert set(seen) == set(permutations(keys, 3))
    assert chisquare(list(seen.values())).pvalue > ALPHA
