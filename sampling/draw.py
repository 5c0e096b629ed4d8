"""The stratified draw: public seeds and the draw itself (the frame: frame.py; the verifier: verify.py).

ALGORITHM (docs/sampling.md has it step by step, with a snippet an auditor can run): order the rows by key
(Python string order); u = Generator(PCG64(seed)).random(N), given to the rows in that order; in each stratum
rank rows by (u, key order): ranks 1..n_h are the sample, the next r_h the reserves in order. Everything is
vectorised: no Python loop runs over frame rows.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from numbers import Integral

import numpy as np

from sampling.errors import SamplingInputError
from sampling.frame import Frame, prepare

ALGORITHM = "stratified-pcg64-min-keys/1"
# Stored with every draw; numpy promises stable bit streams for PCG64, and the version makes it checkable.
CODE_VERSION = f"{ALGORITHM} numpy/{np.__version__}"

_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def seed_from_text(text: str) -> int:
    """Turn a seed typed in front of witnesses into the integer seed of the draw."""
    if not isinstance(text, str):
        raise SamplingInputError("seed_invalid", seed=text)
    words = text.split()  # every run of whitespace, the ideographic space U+3000 included
    if not words:
        raise SamplingInputError("seed_empty")
    digits = "".join(words).translate(_FULLWIDTH_DIGITS)
    if digits.isascii() and digits.isdigit():
        return int(digits)  # lottery numbers "03 15 22 31" -> 3152231
    canonical = unicodedata.normalize("NFC", " ".join(words))
    return int.from_bytes(hashlib.sha256(canonical.encode("utf-8")).digest(), "big")


@dataclass(frozen=True, eq=False)
class Draw:
    """A stratified draw: its inputs' identity and one row per drawn unit, by stratum then rank."""

    algorithm: str
    seed: int
    frame: Frame = field(repr=False)
    populations: dict[str, int]
    sizes: dict[str, int]
    reserves: dict[str, int]
    positions: np.ndarray  # frame position of each unit, in the caller's original row order
    keys: np.ndarray
    strata: np.ndarray
    roles: np.ndarray  # "sample" or "reserve"
    ranks: np.ndarray  # 1-based rank in the stratum's random order; reserves follow on from n_h + 1

    @property
    def fingerprint(self) -> str:
        """Return the frame fingerprint, computed the first time it is asked for (the draw does not need it)."""
        return self.frame.fingerprint

    def __len__(self) -> int:
        """Return the number of drawn units, reserves included."""
        return len(self.keys)

    def units_by_stratum(self) -> dict[str, list[str]]:
        """Return each stratum's keys in rank order, sample first and reserves after."""
        units: dict[str, list[str]] = {name: [] for name in self.sizes}
        for key, stratum in zip(self.keys.tolist(), self.strata.tolist(), strict=True):
            units[stratum].append(key)
        return units

    def rows(self) -> list[dict[str, object]]:
        """Return the drawn units as plain dicts (position, key, stratum, role, rank)."""
        columns = {"position": self.positions, "key": self.keys, "stratum": self.strata}
        columns.update(role=self.roles, rank=self.ranks)
        lists = {name: values.tolist() for name, values in columns.items()}
        return [{name: lists[name][i] for name in lists} for i in range(len(self))]


def _counts(values: Mapping[str, int], names: list[str], role: str, role_zh: str) -> np.ndarray:
    """Return per-stratum counts in name order, refusing unknown strata and bad numbers."""
    known = set(names)
    for stratum, value in values.items():
        if str(stratum) not in known:
            raise SamplingInputError("unknown_stratum", stratum=stratum)
        if not isinstance(value, Integral) or isinstance(value, bool) or int(value) < 0:
            raise SamplingInputError("size_invalid", stratum=stratum, role=role, role_zh=role_zh, value=value)
    given = {str(h): int(v) for h, v in values.items()}
    return np.array([given.get(h, 0) for h in names], dtype=np.int64)


# The cut that limits the sort to likely winners: m_h + SIGMAS * sqrt(m_h) + SLACK expected rows per stratum.
_CUT_SIGMAS = 8.0
_CUT_SLACK = 16.0


def _first_ranked(
    u: np.ndarray, codes: np.ndarray, big_n: np.ndarray, m_h: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the key-order positions of each stratum's first m_h rows by (u, key order), with owner and rank."""
    # Only rows with u at or below a per-stratum cut are sorted; the cut leaves at least m_h rows in a
    # stratum except with negligible probability, and if it ever does not, every row is sorted. Rows above
    # the cut have a larger u than every row below it, so the result is exactly that of ranking all rows.
    with np.errstate(divide="ignore", invalid="ignore"):
        cut = np.where(m_h > 0, (m_h + _CUT_SIGMAS * np.sqrt(m_h) + _CUT_SLACK) / big_n, -1.0)
    rows = np.flatnonzero(u <= cut[codes])
    counts = np.bincount(codes[rows], minlength=len(m_h))
    if (counts < m_h).any():
        rows, counts = np.arange(len(u)), big_n
    ranked = rows[np.lexsort((u[rows], codes[rows]))]  # lexsort is stable: equal u keeps key order
    owner = np.repeat(np.arange(len(m_h)), m_h)
    rank0 = np.arange(int(m_h.sum())) - np.repeat(np.cumsum(m_h) - m_h, m_h)
    return ranked[(np.cumsum(counts) - counts)[owner] + rank0], owner, rank0


def draw_stratified(
    keys: Sequence[str] | np.ndarray,
    strata: Sequence[str] | np.ndarray,
    sizes: Mapping[str, int],
    reserves: Mapping[str, int],
    seed: int,
) -> Draw:
    """Draw n_h units and r_h reserves from each stratum by the documented seeded algorithm."""
    if not isinstance(seed, Integral) or isinstance(seed, bool) or int(seed) < 0:
        raise SamplingInputError("seed_invalid", seed=seed)
    seed = int(seed)
    frame = prepare(keys, strata, names=[str(h) for h in sizes])
    names = frame.names
    n_h = _counts(sizes, names, "sample", "样本")
    r_h = _counts(reserves, names, "reserve", "备用样本")
    big_n = np.bincount(frame.codes, minlength=len(names)).astype(np.int64)
    over = n_h + r_h > big_n
    if over.any():
        h = int(np.argmax(over))
        raise SamplingInputError(
            "size_exceeds_stratum",
            stratum=names[h],
            population=int(big_n[h]),
            sample=int(n_h[h]),
            reserve=int(r_h[h]),
        )
    u = np.random.Generator(np.random.PCG64(seed)).random(len(frame.order))  # step 2: u in key order
    picked, owner, rank0 = _first_ranked(u, frame.codes[frame.order], big_n, n_h + r_h)
    positions = frame.order[picked]
    name_arr = np.array(names, dtype=str) if names else np.zeros(0, dtype="<U1")
    return Draw(
        algorithm=ALGORITHM,
        seed=seed,
        frame=frame,
        populations=dict(zip(names, big_n.tolist(), strict=True)),
        sizes=dict(zip(names, n_h.tolist(), strict=True)),
        reserves=dict(zip(names, r_h.tolist(), strict=True)),
        positions=positions.astype(np.int64),
        keys=frame.keys[positions],
        strata=name_arr[owner],
        roles=np.where(rank0 < n_h[owner], "sample", "reserve"),
        ranks=(rank0 + 1).astype(np.int64),
    )
