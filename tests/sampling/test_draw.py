"""The stratified draw: public seeds, frame fingerprint and the draw (its verifier and randomness: own files)."""

import csv
import hashlib
import json
import re
import subprocess
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sampling import draw as draw_module
from sampling import frame as frame_module
from sampling.draw import ALGORITHM, CODE_VERSION, draw_stratified, seed_from_text
from sampling.errors import SamplingInputError
from sampling.frame import frame_fingerprint
from support.frames import small_frame

ROOT = Path(__file__).resolve().parents[2]


def reference_draw(keys, strata, sizes, reserves, seed):
    """Re-derive a draw the way docs/sampling.md tells an auditor to, with plain Python and numpy."""
    rows = sorted(zip(keys, strata, strict=True))  # Python string order of the (unique) keys
    k = np.array([key for key, _ in rows])
    s = np.array([stratum for _, stratum in rows])
    u = np.random.Generator(np.random.PCG64(seed)).random(len(rows))
    fingerprint = hashlib.sha256("".join(f"{a}\t{b}\n" for a, b in rows).encode("utf-8")).hexdigest()
    units = {}
    for h in sorted(sizes):
        idx = np.flatnonzero(s == h)  # this stratum's rows, in key order
        idx = idx[np.argsort(u[idx], kind="stable")]  # by u; equal u keeps key order
        units[h] = k[idx[: sizes[h] + reserves.get(h, 0)]].tolist()
    return units, fingerprint


# ---- seeds -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seed"),
    [
        ("03 15 22 31", 3152231),  # lottery numbers read out in front of witnesses
        ("  0315 2231\n", 3152231),
        ("０３　１５", 315),  # full-width digits and the ideographic space typed with a Chinese IME
        ("42", 42),
    ],
)
def test_digit_seeds_are_the_number_the_digits_spell(text, seed):
    assert seed_from_text(text) == seed


def test_text_seeds_are_the_sha256_of_the_nfc_text_with_whitespace_collapsed():
    expected = int.from_bytes(hashlib.sha256("上证指数 3201.55".encode()).digest(), "big")
    assert seed_from_text("上证指数 3201.55") == expected
    assert seed_from_text("  上证指数\u3000\u30003201.55\n") == expected
    decomposed = unicodedata.normalize("NFD", "café 2026")
    assert decomposed != "café 2026"
    assert seed_from_text(decomposed) == seed_from_text("café 2026")


def test_separators_other_than_spaces_make_a_text_seed():
    assert seed_from_text("03-15") != 315
    assert seed_from_text("03-15") == int.from_bytes(hashlib.sha256(b"03-15").digest(), "big")


@pytest.mark.parametrize(
    ("text", "code"), [("", "seed_empty"), (" \u3000\n", "seed_empty"), (315, "seed_invalid")]
)
def test_empty_or_non_text_seeds_are_refused(text, code):
    with pytest.raises(SamplingInputError) as info:
        seed_from_text(text)
    assert info.value.code == code


# ---- fingerprint -------------------------------------------------------------------------------------


def test_fingerprint_is_sha256_of_sorted_key_tab_stratum_lines():
    keys = ["b", "a10", "张三", "a9", "😀x", "é", "zz"]
    strata = ["赤坎区", "霞山区", "x", "𝔸", "440802", "440802", "赤坎区"]
    lines = "".join(f"{k}\t{s}\n" for k, s in sorted(zip(keys, strata, strict=True)))
    assert frame_fingerprint(keys, strata) == hashlib.sha256(lines.encode("utf-8")).hexdigest()


def test_fingerprint_ignores_row_order_but_not_a_changed_stratum():
    keys, strata = small_frame()
    base = frame_fingerprint(keys, strata)
    assert frame_fingerprint(keys[::-1], strata[::-1]) == base
    strata[4] = "440803" if strata[4] == "440802" else "440802"
    assert frame_fingerprint(keys, strata) != base


@pytest.mark.parametrize(
    ("keys", "code"),
    [
        (["a", "b", "a"], "duplicate_key"),
        (["a", "", "c"], "key_invalid"),
        (["a", "b\tc", "d"], "key_invalid"),
        (["a", "b\nc", "d"], "key_invalid"),
        (["a", "b\x00c", "d"], "key_invalid"),
        (["a", "b"], "frame_length_mismatch"),
    ],
)
def test_frames_with_ambiguous_keys_are_refused(keys, code):
    with pytest.raises(SamplingInputError) as info:
        frame_fingerprint(keys, ["x", "x", "x"])
    assert info.value.code == code


@given(
    st.lists(
        st.one_of(
            st.text(st.characters(exclude_categories=()), max_size=5),  # every code point, surrogates and controls too
            st.text("09AX张", min_size=1, max_size=4),  # look-alike keys that share long prefixes
            st.text("ab\x00\x1f\ud800\udfff张😀", max_size=4),  # the troublemakers, often
        ),
        max_size=25,
    )
)
@example(["a\x00b", "c"])  # a NUL inside a key
@example(["a", "a\x00"])  # a NUL at the end, which numpy's text arrays drop
@example(["b", "a\ud800"])  # a lone surrogate
@example(["a9", "a10", "a"])  # shorter keys sort first
@settings(max_examples=400)
def test_key_checks_and_key_order_equal_plain_python(keys):
    # The vectorised checks and sort work column by column; this holds them to the row by row meaning.
    bad = [i for i, key in enumerate(keys) if frame_module._bad_text(key)]
    try:
        frame = frame_module.prepare(keys, ["x"] * len(keys))
    except SamplingInputError as error:
        if bad:
            assert error.code == "key_invalid" and error.params["position"] == bad[0] + 1
        else:
            assert error.code == "duplicate_key" and keys.count(error.params["key"]) > 1
        return
    assert not bad and len(set(keys)) == len(keys)
    assert [keys[i] for i in frame.order.tolist()] == sorted(keys)


def test_duplicate_key_error_names_the_key():
    with pytest.raises(SamplingInputError) as info:
        draw_stratified(["p1", "p2", "p1"], ["x", "x", "y"], {"x": 1, "y": 1}, {}, 1)
    assert info.value.params["key"] == "p1"
    assert "p1" in info.value.message()


# ---- the draw ----------------------------------------------------------------------------------------


def test_draw_is_pinned_for_a_known_frame_and_seed():
    # Pinned once, by this code and by the reference procedure; a change means numpy's stream or the
    # algorithm changed, and old draws would no longer re-derive.
    keys, strata = small_frame()
    drawn = draw_stratified(keys, strata, {"440802": 3, "440803": 2}, {"440802": 2, "440803": 1}, 20260501)
    assert drawn.units_by_stratum() == {
        "440802": ["P001", "P010", "P005", "P014", "P008"],
        "440803": ["P006", "P009", "P015"],
    }
    assert drawn.fingerprint == "97bd7bcf20b2dba83944a505f7790c071f1c25ff80b94df8d7ce57296c6d3b90"
    assert drawn.algorithm == ALGORITHM and CODE_VERSION.startswith(ALGORITHM)
    assert drawn.roles.tolist() == ["sample"] * 3 + ["reserve"] * 2 + ["sample"] * 2 + ["reserve"]
    assert drawn.ranks.tolist() == [1, 2, 3, 4, 5, 1, 2, 3]
    assert [keys[p] for p in drawn.positions.tolist()] == drawn.keys.tolist()


def test_uniform_keys_are_the_pcg64_bit_stream_in_53_bit_steps():
    # rng.random() is (next 64-bit output >> 11) / 2**53: an auditor can rebuild u from the bit stream alone.
    u = np.random.Generator(np.random.PCG64(20260501)).random(1000)
    raw = np.random.PCG64(20260501).random_raw(1000)
    assert np.array_equal(u, (raw >> np.uint64(11)).astype(np.float64) / 2**53)


@st.composite
def frames(draw):
    n_strata = draw(st.integers(1, 5))
    names = [f"44{i:04d}" if i % 2 else f"县{i}" for i in range(n_strata)]
    keys = draw(
        st.lists(st.text("0123456789AXé张", min_size=1, max_size=6), min_size=0, max_size=60, unique=True)
    )
    strata = [draw(st.sampled_from(names)) for _ in keys]
    counts = Counter(strata)
    sizes, reserves = {}, {}
    for h in names:
        sizes[h] = draw(st.integers(0, counts[h]))
        reserves[h] = draw(st.integers(0, counts[h] - sizes[h]))
    seed = draw(st.integers(0, 2**128))
    return keys, strata, sizes, reserves, seed


@given(frames())
@settings(max_examples=150)
def test_draw_equals_the_documented_reference_procedure(frame):
    keys, strata, sizes, reserves, seed = frame
    drawn = draw_stratified(keys, strata, sizes, reserves, seed)
    units, fingerprint = reference_draw(keys, strata, sizes, reserves, seed)
    assert drawn.units_by_stratum() == units
    assert drawn.fingerprint == fingerprint


@given(frames())
@settings(max_examples=150)
def test_draw_has_exact_sizes_no_duplicates_and_only_frame_members(frame):
    keys, strata, sizes, reserves, seed = frame
    drawn = draw_stratified(keys, strata, sizes, reserves, seed)
    assert len(set(drawn.keys.tolist())) == len(drawn)
    assert set(drawn.keys.tolist()) <= set(keys)
    member_of = dict(zip(keys, strata, strict=True))
    assert all(member_of[k] == h for k, h in zip(drawn.keys.tolist(), drawn.strata.tolist(), strict=True))
    assert all(keys[p] == k for p, k in zip(drawn.positions.tolist(), drawn.keys.tolist(), strict=True))
    roles = Counter(zip(drawn.strata.tolist(), drawn.roles.tolist(), strict=True))
    for h in sizes:
        assert roles[(h, "sample")] == sizes[h]
        assert roles[(h, "reserve")] == reserves[h]
    sample = {k for k, r in zip(drawn.keys.tolist(), drawn.roles.tolist(), strict=True) if r == "sample"}
    reserve = {k for k, r in zip(drawn.keys.tolist(), drawn.roles.tolist(), strict=True) if r == "reserve"}
    assert not sample & reserve


@given(frames(), st.randoms(use_true_random=False))
@settings(max_examples=100)
def test_the_order_of_the_frame_rows_does_not_change_the_draw(frame, rnd):
    keys, strata, sizes, reserves, seed = frame
    rows = list(zip(keys, strata, strict=True))
    rnd.shuffle(rows)
    shuffled = draw_stratified([k for k, _ in rows], [s for _, s in rows], sizes, reserves, seed)
    drawn = draw_stratified(keys, strata, sizes, reserves, seed)
    assert shuffled.units_by_stratum() == drawn.units_by_stratum()
    assert shuffled.fingerprint == drawn.fingerprint


def big_frame(rows=60_000, n_strata=40, seed=11):
    """Return a frame of ID-number-like keys over uneven strata, with sizes and reserves."""
    rng = np.random.default_rng(seed)
    weights = rng.lognormal(0, 1, n_strata)
    codes = rng.choice(n_strata, rows, p=weights / weights.sum())
    names = np.array([f"44{i:04d}" for i in range(n_strata)])
    keys = np.array([f"4408{i:014d}" for i in rng.choice(10**13, rows, replace=False)])
    counts = np.bincount(codes, minlength=n_strata)
    sizes = {h: int(min(c, 5 + c // 40)) for h, c in zip(names.tolist(), counts, strict=True)}
    reserves = {h: int(min(counts[i] - sizes[h], 2 + sizes[h] // 10)) for i, h in enumerate(names.tolist())}
    return keys, names[codes], sizes, reserves


def test_large_draw_equals_the_reference_and_so_does_the_full_sort_fallback(monkeypatch):
    keys, strata, sizes, reserves = big_frame()
    units, fingerprint = reference_draw(keys.tolist(), strata.tolist(), sizes, reserves, 99)
    drawn = draw_stratified(keys, strata, sizes, reserves, 99)
    assert drawn.units_by_stratum() == units and drawn.fingerprint == fingerprint
    # A cut with no margin leaves strata short of candidates and forces the sort of every row.
    monkeypatch.setattr(draw_module, "_CUT_SIGMAS", 0.0)
    monkeypatch.setattr(draw_module, "_CUT_SLACK", 0.0)
    assert draw_stratified(keys, strata, sizes, reserves, 99).units_by_stratum() == units


def test_equal_uniform_keys_fall_back_to_key_order(monkeypatch):
    class TiedGenerator:
        """Stand in for numpy's Generator, giving every row the same u."""

        def __init__(self, bit_generator):
            """Ignore the bit generator."""

        def random(self, size):
            """Return size equal uniforms."""
            return np.full(size, 0.5)

    monkeypatch.setattr(np.random, "Generator", TiedGenerator)
    drawn = draw_stratified(["k3", "k1", "k2", "k0"], ["x"] * 4, {"x": 2}, {"x": 1}, 1)
    assert drawn.keys.tolist() == ["k0", "k1", "k2"]


@pytest.mark.parametrize(
    ("sizes", "reserves", "seed", "code"),
    [
        ({"440802": 14, "440803": 0}, {}, 1, "size_exceeds_stratum"),  # 440802 has 14: 14 + 1 reserve > 14
        ({"440802": 1}, {}, 1, "stratum_without_size"),  # 440803 rows on the frame but no size for it
        ({"440802": 1, "440803": 1, "440999": 0}, {"440804": 1}, 1, "unknown_stratum"),
        ({"440802": -1, "440803": 1}, {}, 1, "size_invalid"),
        ({"440802": 1, "440803": 1}, {"440803": 1.5}, 1, "size_invalid"),
        ({"440802": 1, "440803": 1}, {}, -5, "seed_invalid"),
        ({"440802": 1, "440803": 1}, {}, "7", "seed_invalid"),
    ],
)
def test_impossible_draws_are_refused(sizes, reserves, seed, code):
    keys, strata = small_frame()
    if code == "size_exceeds_stratum":
        reserves = {"440802": 1}
    with pytest.raises(SamplingInputError) as info:
        draw_stratified(keys, strata, sizes, reserves, seed)
    assert info.value.code == code


def test_a_stratum_in_sizes_but_absent_from_the_frame_may_only_ask_for_nothing():
    keys, strata = small_frame()
    drawn = draw_stratified(keys, strata, {"440802": 1, "440803": 1, "440804": 0}, {}, 3)
    assert drawn.populations == {"440802": 14, "440803": 6, "440804": 0}
    with pytest.raises(SamplingInputError):
        draw_stratified(keys, strata, {"440802": 1, "440803": 1, "440804": 1}, {}, 3)


def test_empty_frame_gives_an_empty_draw():
    drawn = draw_stratified([], [], {"440802": 0}, {}, 1)
    assert len(drawn) == 0
    assert drawn.fingerprint == hashlib.sha256(b"").hexdigest()


SCRIPT = """
import json, sys
sys.path.insert(0, {root!r})
import numpy as np
from sampling.draw import draw_stratified
rng = np.random.default_rng(5)
keys = [f"K{{i:06d}}" for i in rng.permutation(5000)]
strata = [f"S{{i % 7}}" for i in range(5000)]
d = draw_stratified(keys, strata, {{f"S{{h}}": 20 + h for h in range(7)}}, {{f"S{{h}}": 3 for h in range(7)}}, 777)
print(json.dumps({{"units": d.units_by_stratum(), "fingerprint": d.fingerprint}}))
"""


def test_same_seed_and_frame_give_the_same_draw_in_another_process():
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(root=str(ROOT))],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    there = json.loads(out.stdout)
    rng = np.random.default_rng(5)
    keys = [f"K{i:06d}" for i in rng.permutation(5000)]
    strata = [f"S{i % 7}" for i in range(5000)]
    here = draw_stratified(
        keys, strata, {f"S{h}": 20 + h for h in range(7)}, {f"S{h}": 3 for h in range(7)}, 777
    )
    assert there == {"units": here.units_by_stratum(), "fingerprint": here.fingerprint}


def test_the_auditor_script_in_the_docs_re_derives_the_draw(tmp_path, monkeypatch, capsys):
    script = re.search(
        r"```python\n(.*?)```", (ROOT / "docs" / "sampling.md").read_text("utf-8"), re.S
    ).group(1)
    keys, strata, sizes, reserves = big_frame(rows=3000, n_strata=6, seed=4)
    keys, strata = keys.tolist()[::-1], strata.tolist()[::-1]
    seed = seed_from_text("上证指数 3201.55")
    for name, value in (("SEED", seed), ("SIZES", sizes), ("RESERVES", reserves)):
        script = re.sub(rf"^{name} = .*$", f"{name} = {value!r}", script, count=1, flags=re.M)
    with open(tmp_path / "frame.csv", "w", newline="", encoding="utf-8-sig") as f:
        writer = csv.writer(f)
        writer.writerow(["key", "stratum"])
        writer.writerows(zip(keys, strata, strict=True))
    monkeypatch.chdir(tmp_path)
    exec(compile(script, "docs/sampling.md", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    drawn = draw_stratified(keys, strata, sizes, reserves, seed)
    units = drawn.units_by_stratum()
    expected = [drawn.fingerprint] + [
        f"{h} sample {units[h][: sizes[h]]} reserve {units[h][sizes[h] :]}" for h in sorted(sizes)
    ]
    assert printed == expected
