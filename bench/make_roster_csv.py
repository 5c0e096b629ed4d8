"""Write a large synthetic roster CSV in the county file format, for import and sampling benchmarks.

    python bench/make_roster_csv.py --rows 1000000 --counties 120 --seed 1 --output bench/data/roster_1m.csv

Counties: Zhanjiang's ten, then current Guangdong county-level codes from python-stdnum's GB/T 2260
table (real codes, invented towns and sizes), then, if more are asked for, synthetic codes 449001,
449002, … (no such division exists; places are named 样例市样例NN县). Rows are generated and written
chunk by chunk, so memory stays flat whatever --rows says.
"""

import argparse
import gc
import sys
import time
from datetime import date
from importlib import resources
from pathlib import Path

import numpy as np

# Run as a plain script from the repository root: make the project packages importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from demo.roster import county_spec, iter_roster_chunks, write_csv, zhanjiang_counties  # noqa: E402


def guangdong_counties() -> list[tuple[str, str]]:
    """List current Guangdong county-level codes outside Zhanjiang with their place names."""
    text = (resources.files("stdnum") / "cn" / "loc.dat").read_text(encoding="utf-8")
    block = text.split('\n44 province="广东省"\n', 1)[1].split("\n45 ", 1)[0]
    cities, out = {}, []
    for line in block.splitlines():
        suffix, _, value = line.strip().partition(" county=")
        latest = value.strip('"').split(",")[-1]
        period, _, name = latest[1:].partition("]") if latest.startswith("[") else ("-", "", latest)
        if not period.endswith("-"):
            continue  # abolished or renumbered
        if suffix.endswith("00"):
            cities[suffix[:2]] = name
        elif not suffix.endswith("01") and suffix[:2] not in ("00", "08") and suffix[:2] in cities:
            out.append(("44" + suffix, cities[suffix[:2]] + name))
    return out


def province_counties(count: int, seed: int) -> list:
    """Build `count` county specs: Zhanjiang's, real Guangdong ones, then synthetic ones."""
    specs = list(zhanjiang_counties())[:count]
    rng = np.random.Generator(np.random.PCG64(seed))
    extra = guangdong_counties()[: count - len(specs)]
    extra += [(f"4490{i:02d}", f"样例市样例{i:02d}县") for i in range(1, count - len(specs) - len(extra) + 1)]
    for code, place in extra:
        county = place.split("市", 1)[-1] or place
        agency = (place if county.endswith("区") else county) + "公共就业服务中心"
        # County sizes vary about tenfold, as Guangdong's do.
        specs.append(county_spec(code, "广东省" + place, agency, float(rng.lognormal(2.3, 0.6))))
    return specs


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, write the CSV and report the time taken."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--counties", type=int, default=120)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--today", type=date.fromisoformat, default=date.today(), help="YYYY-MM-DD")
    parser.add_argument("--chunk-size", type=int, default=100_000)
    parser.add_argument("--output", type=Path, default=Path("bench/data/roster_1m.csv"))
    args = parser.parse_args(argv)
    if not 1 <= args.counties <= 1000 or args.rows < 0:
        parser.error("--counties must be 1 to 1000 and --rows not negative")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    # The rows hold no reference cycles; the collector would only rescan each chunk's dicts (~20%).
    gc.disable()
    started = time.perf_counter()
    counties = province_counties(args.counties, args.seed)
    chunks = iter_roster_chunks(args.seed, args.today, args.rows, counties, args.chunk_size)
    written = write_csv((row for chunk in chunks for row in chunk.rows), args.output)
    seconds = time.perf_counter() - started
    print(f"{written} rows, {len(counties)} counties -> {args.output} "
          f"({args.output.stat().st_size / 1e6:.0f} MB) in {seconds:.1f} s ({written / seconds:,.0f} rows/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
