"""The import's comparison counts a chunk a whole list at a time when it can; it must agree with counting
every record one by one, in file order."""

import random

from roster.checking import CheckedChunk
from roster.guard import FIRST_ROWS
from roster.import_check import _Comparison


def comparison(current: dict, first_import: set) -> _Comparison:
    """A comparison whose counties are loaded already (no database): two with a roster, one without."""
    compared = _Comparison(session=None)
    for county in ("440802", "440803", "440804"):
        compared.before[county] = sum(key.startswith(county) for key in current)
    compared.current = dict(current)
    compared.first_import = set(first_import)
    return compared


def chunks(seed: int) -> list[CheckedChunk]:
    """Chunks of one county or mixed, with ID numbers new, on the roster, changed, repeated."""
    rng = random.Random(seed)
    made, row = [CheckedChunk(None, [], [], [], [], {}, [], 5, 5, 0)], 2  # a chunk whose every row was rejected
    for _ in range(40):
        size = rng.randint(1, 30)
        one = rng.choice(("440802", "440803", "440804"))
        counties = [one if rng.random() < 0.8 else rng.choice(("440802", "440803", "440804")) for _ in range(size)]
        keys = [f"{c}:{rng.randint(1, 1500)}" for c in counties]
        digests = [rng.randint(1, 3) for _ in counties]
        numbers = list(range(row, row + size))
        row += size + rng.randint(0, 2)
        made.append(CheckedChunk(None, counties, keys, digests, numbers, {}, [], size, 0, 0))
    return made


def count_row_by_row(compared: _Comparison, chunk: CheckedChunk) -> None:
    """The definition: each record in file order; the n-th record of an ID number in a county is matched
    with the roster's n-th person of that ID ("county:ID#n" from the 2nd on)."""
    for county, base, digest, number in zip(chunk.counties, chunk.keys, chunk.digests, chunk.row_numbers,
                                            strict=True):
        repeat = compared.in_file.get(base, 0) + 1
        compared.in_file[base] = repeat
        if len(compared.first_rows[county]) < FIRST_ROWS:
            compared.first_rows[county].append(number)
        if county in compared.first_import:
            kind = "added"
        else:
            old = compared.current.pop(base if repeat == 1 else f"{base}#{repeat}", None)
            kind = "added" if old is None else ("unchanged" if old == digest else "updated")
        compared.kinds[kind] += 1
        compared.by_county[county, kind] += 1


def test_whole_chunk_counting_agrees_with_row_by_row():
    for seed in range(30):
        rng = random.Random(1000 + seed)
        current = {f"{c}:{n}": rng.randint(1, 3) for c in ("440802", "440803") for n in range(1, 600)}
        current.update({f"440802:{n}#2": rng.randint(1, 3) for n in range(1, 600, 7)})  # IDs twice on the roster
        fast, slow = comparison(current, {"440804"}), comparison(current, {"440804"})
        for chunk in chunks(seed):
            fast.add(chunk)
            count_row_by_row(slow, chunk)
        for name in ("kinds", "by_county", "first_rows", "in_file", "current"):
            assert dict(getattr(fast, name)) == dict(getattr(slow, name)), (seed, name)
        assert fast.kinds["unchanged"] and fast.kinds["updated"] and fast.kinds["added"]
