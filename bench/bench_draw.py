"""Benchmark the stratified draw against pandas on a province-sized frame.

Run: .venv/bin/python bench/bench_draw.py [--rows 1000000] [--strata 120] [--total 20000] [--repeat 7]

Prints one table of median and best wall times, measured round robin so that load from other processes
falls on every method alike: draw_stratified as a whole (it also checks every key and stratum, refuses
duplicate keys and sorts the frame by key), the frame fingerprint (the same checks and sort, then SHA-256 of
the sorted lines; a draw computes it only when asked), the draw step alone (uniforms and per-stratum ranking
on a prepared frame), the pandas call the issue names, groupby(...).sample(frac=n/N), and the fastest
idiomatic pandas ways to take exactly n_h rows per stratum; then the ratios, and a rough end-to-end time
(read a CSV frame, draw, write the sample as CSV).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sampling import draw as draw_module  # noqa: E402
from sampling.allocation import allocate, reserve_sizes  # noqa: E402
from sampling.draw import draw_stratified  # noqa: E402
from sampling.frame import frame_fingerprint, prepare  # noqa: E402


def make_frame(rows: int, strata: int, seed: int = 2026) -> tuple[np.ndarray, np.ndarray]:
    """Build a frame of unique 18-character ID-like keys over strata of very uneven size."""
    rng = np.random.default_rng(seed)
    weights = rng.lognormal(0.0, 1.0, strata)  # largest county tens of times the smallest
    codes = rng.choice(strata, rows, p=weights / weights.sum())
    names = np.array([f"44{i:04d}" for i in range(strata)])  # 6-digit codes like GB/T 2260
    serials = rng.choice(10**13, rows, replace=False)
    keys = np.array([f"4408{s:013d}X" for s in serials.tolist()])
    return keys, names[codes]


def timed(fn, repeat: int) -> tuple[float, float]:
    """Run fn repeat times and return the median and the best wall time in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def main() -> None:
    """Generate the frame, time every method and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--strata", type=int, default=120)
    parser.add_argument("--total", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    keys, strata = make_frame(args.rows, args.strata)
    names, counts = np.unique(strata, return_counts=True)
    populations = dict(zip(names.tolist(), counts.tolist(), strict=True))
    sizes = allocate(populations, args.total, "proportional")
    reserves = reserve_sizes(populations, sizes, share=0.1)
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, {os.cpu_count()} CPUs"
    )
    print(
        f"frame: {args.rows:,} rows, {len(populations)} strata (N_h {counts.min():,}..{counts.max():,}), "
        f"total n = {sum(sizes.values()):,} proportional, +{sum(reserves.values()):,} reserves (10%)"
    )

    df = pd.DataFrame({"key": keys, "stratum": strata})
    dfc = df.assign(stratum=df["stratum"].astype("category"))
    want = df["stratum"].map(sizes).to_numpy()
    want_c = dfc["stratum"].map(sizes).astype("int64").to_numpy()
    rng = np.random.default_rng(1)

    def pandas_apply():
        """Sample n_h rows per group with groupby().apply(sample)."""
        return df.groupby("stratum")["key"].apply(lambda g: g.sample(n=sizes[g.name], random_state=rng))

    def pandas_shuffle(frame, wanted):
        """Shuffle once, number rows within each group, keep the first n_h: no Python per group."""
        order = frame.sample(frac=1.0, random_state=rng)
        position = order.groupby("stratum", observed=True).cumcount().to_numpy()
        return order[position < wanted[order.index.to_numpy()]]

    # The draw step alone, on a frame already checked, sorted by key and fingerprinted (as pandas gets its
    # DataFrame ready-made): uniforms in key order, then the first n_h per stratum by (u, key order).
    frame = prepare(keys, strata, list(sizes))
    m_h = np.array([sizes[h] for h in frame.names])
    big_n = np.bincount(frame.codes, minlength=len(frame.names))
    codes_in_key_order = frame.codes[frame.order]

    def draw_step():
        """Run steps 2 and 3 of the algorithm on the prepared frame."""
        u = np.random.Generator(np.random.PCG64(12345)).random(len(frame.order))
        picked, _, _ = draw_module._first_ranked(u, codes_in_key_order, big_n, m_h)
        return frame.keys[frame.order[picked]]

    assert draw_step().tolist() == draw_stratified(keys, strata, sizes, {}, 12345).keys.tolist()
    median_n = int(np.median(list(sizes.values())))
    share = args.total / args.rows  # proportional allocation as one fraction: pandas rounds it per group
    runs = [
        ("draw_stratified (numpy), no reserves", lambda: draw_stratified(keys, strata, sizes, {}, 12345)),
        (
            "draw_stratified (numpy), 10% reserves",
            lambda: draw_stratified(keys, strata, sizes, reserves, 12345),
        ),
        ("frame_fingerprint (checks, sort, SHA-256)", lambda: frame_fingerprint(keys, strata)),
        ("  draw step alone (u + ranking, prepared frame)", draw_step),
        (
            f"pandas groupby.sample(frac={share:.2f}) [issue's call]",
            lambda: df.groupby("stratum").sample(frac=share, random_state=rng),
        ),
        ("pandas shuffle + groupby.cumcount < n_h", lambda: pandas_shuffle(df, want)),
        ("pandas same, stratum as category", lambda: pandas_shuffle(dfc, want_c)),
        ("pandas groupby.apply(sample(n=n_h))", pandas_apply),
        (f"pandas groupby.sample(n={median_n}) [same n]", lambda: df.groupby("stratum").sample(n=median_n)),
    ]
    for _, fn in runs:
        fn()  # warm up: first-touch allocations and lazy imports are not what we measure
    # Round robin: each round times every method once, so that load from other processes on the machine
    # falls on all of them alike rather than on whichever happened to run during a busy spell.
    times: dict[str, list[float]] = {label: [] for label, _ in runs}
    for _ in range(args.repeat):
        for label, fn in runs:
            times[label].append(timed(fn, 1)[0])
    results = [(label, statistics.median(ts), min(ts)) for label, ts in times.items()]

    base = results[0][1]
    equivalent = [r for r in results if r[0].startswith("pandas") and "[" not in r[0]]
    named = next(r for r in results if "[issue's call]" in r[0])
    step = next(r[1] for r in results if r[0].strip().startswith("draw step"))
    print(f"\n{'method':48s} {'median s':>9s} {'best s':>8s} {'/ draw_stratified':>18s}")
    for label, median, best in results:
        print(f"{label:48s} {median:9.3f} {best:8.3f} {median / base:17.2f}x")
    fastest = min(equivalent, key=lambda r: r[1])
    print(f"\npandas call named by the issue: {named[0]} ({named[1]:.3f} s)")
    print(f"  / draw_stratified (whole: checks, key sort, draw): {named[1] / base:.2f}x")
    print(f"fastest pandas taking exactly n_h: {fastest[0]} ({fastest[1]:.3f} s)")
    print(f"  / draw_stratified (whole: checks, key sort, draw): {fastest[1] / base:.2f}x")
    print(f"  / draw step alone: {fastest[1] / step:.1f}x")

    with tempfile.TemporaryDirectory() as tmp:
        frame_csv, sample_csv = Path(tmp) / "frame.csv", Path(tmp) / "sample.csv"
        df.to_csv(frame_csv, index=False)

        def end_to_end():
            """Read the frame CSV, draw with reserves, write the sample as UTF-8 CSV with BOM."""
            frame = pd.read_csv(frame_csv, dtype=str, engine="c")
            drawn = draw_stratified(
                frame["key"].to_numpy(dtype=str), frame["stratum"].to_numpy(dtype=str), sizes, reserves, 12345
            )
            out = pd.DataFrame(
                {"stratum": drawn.strata, "rank": drawn.ranks, "role": drawn.roles, "key": drawn.keys}
            )
            out.to_csv(sample_csv, index=False, encoding="utf-8-sig")

        median, best = timed(end_to_end, 3)
        print(
            f"end to end (read CSV, draw with reserves, write CSV): median {median:.3f} s, best {best:.3f} s"
        )


if __name__ == "__main__":
    main()
