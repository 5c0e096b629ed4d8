"""The draw's verifier (sampling/verify.py) confirms an untouched draw and names what changed in a
tampered one."""

import pytest

from sampling.draw import draw_stratified, seed_from_text
from sampling.verify import verify_draw
from support.frames import small_frame


@pytest.fixture
def recorded():
    keys, strata = small_frame()
    sizes, reserves = {"440802": 3, "440803": 2}, {"440802": 2, "440803": 1}
    drawn = draw_stratified(keys, strata, sizes, reserves, seed_from_text("03 15 22 31"))
    return keys, strata, sizes, reserves, drawn


def test_verifier_confirms_an_untouched_draw(recorded):
    keys, strata, sizes, reserves, drawn = recorded
    result = verify_draw(
        keys,
        strata,
        sizes,
        reserves,
        drawn.seed,
        drawn.units_by_stratum(),
        drawn.fingerprint,
        seed_text="03 15 22 31",
    )
    assert result.match and result.reasons == [] and result.messages() == []


def test_verifier_reports_a_changed_frame(recorded):
    keys, strata, sizes, reserves, drawn = recorded
    keys, strata = [*keys, "P999"], [*strata, "440802"]
    result = verify_draw(
        keys, strata, sizes, reserves, drawn.seed, drawn.units_by_stratum(), drawn.fingerprint
    )
    assert not result.match
    assert "fingerprint_mismatch" in [f.code for f in result.findings]
    assert any("抽样框指纹不一致" in m for m in result.messages("zh"))


def test_verifier_reports_a_different_seed(recorded):
    keys, strata, sizes, reserves, drawn = recorded
    result = verify_draw(
        keys, strata, sizes, reserves, drawn.seed + 1, drawn.units_by_stratum(), drawn.fingerprint
    )
    codes = [f.code for f in result.findings]
    assert not result.match
    assert "draw_differs" in codes and "unit_mismatch" in codes
    assert "fingerprint_mismatch" not in codes


def test_verifier_reports_a_public_seed_that_does_not_give_the_recorded_seed(recorded):
    keys, strata, sizes, reserves, drawn = recorded
    result = verify_draw(
        keys,
        strata,
        sizes,
        reserves,
        drawn.seed,
        drawn.units_by_stratum(),
        drawn.fingerprint,
        seed_text="03 15 22 32",
    )
    assert not result.match
    assert [f.code for f in result.findings] == ["seed_text_mismatch"]


def test_verifier_reports_a_tampered_unit_list(recorded):
    keys, strata, sizes, reserves, drawn = recorded
    units = drawn.units_by_stratum()
    outsider = next(k for k in keys if k not in units["440802"] and strata[keys.index(k)] == "440802")
    units["440802"][1] = outsider
    result = verify_draw(keys, strata, sizes, reserves, drawn.seed, units, drawn.fingerprint)
    (finding,) = [f for f in result.findings if f.code == "unit_mismatch"]
    assert finding.params["stratum"] == "440802" and finding.params["rank"] == 2
    assert finding.params["recorded"] == outsider


def test_verifier_reports_an_other_algorithm_and_an_undrawable_frame(recorded):
    keys, strata, sizes, reserves, drawn = recorded
    result = verify_draw(
        keys[:3],
        strata[:3],
        sizes,
        reserves,
        drawn.seed,
        drawn.units_by_stratum(),
        drawn.fingerprint,
        recorded_algorithm="stratified-pcg64-min-keys/0",
    )
    assert [f.code for f in result.findings] == ["algorithm_mismatch", "frame_not_drawable"]
    assert all(result.messages("zh")) and all(result.reasons)
