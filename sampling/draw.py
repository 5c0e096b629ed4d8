"""The stratified draw: public seeds, the frame fingerprint, the draw itself and its verifier.

ALGORITHM (docs/sampling.md has it step by step, with a snippet an auditor can run): order the rows by key
(Python string order); u = Generator(PCG64(seed)).random(N), given to the rows in that order; in each stratum
rank rows by (u, key order): ranks 1..n_h are the sample, the next r_h the reserves in order. Everything is
vectorised: no Python loop runs over frame rows.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from numbers import Integral

import numpy as np

from sampling.errors import Finding, SamplingInputError

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


def _text_array(values: object) -> np.ndarray:
    """Return values as a contiguous 1-D numpy array of fixed-width Unicode text."""
    arr = np.asarray(values)
    return np.ascontiguousarray((arr if arr.dtype.kind == "U" else arr.astype(str)).reshape(-1))


def _chars(arr: np.ndarray) -> np.ndarray:
    """Return the (rows, width) code point matrix of a text array, zero padded, as uint8 if all ASCII."""
    if arr.dtype.itemsize == 0:
        return np.zeros((len(arr), 1), dtype=np.uint8)
    cp = arr.view(np.uint32).reshape(len(arr), arr.dtype.itemsize // 4)
    if cp.size == 0 or int(cp.max()) < 0x80:
        return cp.astype(np.uint8)  # a quarter of the memory traffic for every later step
    return cp


def _bad_text(text: str) -> bool:
    """Tell whether a key or stratum name is empty or holds a control character, NUL or surrogate."""
    return not text or any(ord(c) < 32 or 0xD800 <= ord(c) <= 0xDFFF for c in text)


def _first_bad(arr: np.ndarray, ch: np.ndarray) -> int | None:
    """Return the index of the first bad text, checking whole arrays first and rows only on failure."""
    if ch.size == 0:
        return None
    faulty = bool((ch[:, 0] == 0).any() or ((ch - ch.dtype.type(1)) < 31).any())  # NUL padding wraps to top
    if ch.dtype == np.uint32:
        faulty = faulty or bool(((ch - np.uint32(0xD800)) < 0x800).any())
    # numpy pads with NUL, so a text holding a NUL has fewer non-NUL characters than its length.
    faulty = faulty or np.count_nonzero(ch) != int(np.strings.str_len(arr).sum())
    return next(i for i, text in enumerate(arr.tolist()) if _bad_text(text)) if faulty else None


def _sort_columns(ch: np.ndarray) -> list[np.ndarray]:
    """Return 16-bit columns, most significant first, whose lexicographic order is the texts' order."""
    by_column = np.ascontiguousarray(ch.T)  # reductions along contiguous rows are several times faster
    lo, hi = by_column.min(axis=1), by_column.max(axis=1)
    cols = np.flatnonzero(lo != hi)  # a constant column cannot change the order
    sub = by_column[cols].astype(np.uint16 if ch.dtype == np.uint8 else np.uint32)
    parts = []
    for row, low, top in zip(sub, lo[cols].tolist(), hi[cols].tolist(), strict=True):
        if low == 0:  # some texts end before this column: keep NUL at 0 and count characters from 1
            low = int(row[row != 0].min()) - 1
            row = np.where(row == 0, 0, row - row.dtype.type(low))
        else:
            row -= row.dtype.type(low)
        width = (top - low).bit_length()
        parts += [(row >> 16, width - 16), (row & 0xFFFF, 16)] if width > 16 else [(row, width)]
    # Pack the small symbols into as few 16-bit columns as possible: numpy's stable sort of 16-bit keys is
    # a radix sort, so each column costs one fast pass of lexsort.
    words: list[np.ndarray] = []
    filled = 16
    for row, width in parts:
        if filled + width > 16:
            words.append(row.astype(np.uint16))
            filled = width
        else:
            words[-1] = (words[-1] << np.uint16(width)) | row.astype(np.uint16)
            filled += width
    return words


def _rows_view(matrix: np.ndarray) -> np.ndarray:
    """View each row of a 2-D array as one opaque record, so that gathers and compares move whole rows."""
    matrix = np.ascontiguousarray(matrix)
    return matrix.view(np.dtype((np.void, matrix.shape[1] * matrix.itemsize))).ravel()


def _utf8(cp: np.ndarray) -> np.ndarray:
    """Return the UTF-8 bytes of each text as a (rows, k) byte matrix, zero where there is no byte."""
    if cp.size == 0 or int(cp.max()) < 0x80:
        return cp.astype(np.uint8, copy=False)
    c = cp.astype(np.uint32)
    one, two, three = c < 0x80, c < 0x800, c < 0x10000
    t0, t1, t2 = (0x80 | ((c >> shift) & 0x3F) for shift in (0, 6, 12))
    lead = np.where(
        one, c, np.where(two, 0xC0 | (c >> 6), np.where(three, 0xE0 | (c >> 12), 0xF0 | (c >> 18)))
    )
    out = np.stack([lead, np.where(two, t0, np.where(three, t1, t2)), np.where(three, t0, t1), t0], axis=2)
    count = np.where(c == 0, 0, np.where(one, 1, np.where(two, 2, np.where(three, 3, 4))))
    out[np.arange(4)[None, None, :] >= count[:, :, None]] = 0
    return out.reshape(len(cp), -1).astype(np.uint8)


def _stratum_codes(s: np.ndarray, names: Sequence[str] | None) -> tuple[np.ndarray, list[str]]:
    """Return each row's index into the sorted stratum names, and those names; refuse values not named."""
    words = _sort_columns(_chars(s)) if len(s) else []
    if len(words) <= 1:
        # Short names such as county codes fit one 16-bit symbol: look each distinct symbol up once.
        word = words[0] if words else np.zeros(len(s), dtype=np.uint16)
        seen, example = np.zeros(2**16, dtype=bool), np.zeros(2**16, dtype=np.int64)
        seen[word], example[word] = True, np.arange(len(s))
        symbols = np.flatnonzero(seen)
        distinct = s[example[symbols]].tolist()
        names = sorted(set(distinct) if names is None else names)
        index = {name: i for i, name in enumerate(names)}
        table = np.full(2**16, -1, dtype=np.int64)
        table[symbols] = [index.get(value, -1) for value in distinct]
        codes = table[word]
    else:
        names = sorted(np.unique(s).tolist() if names is None else names)
        name_arr, codes = np.array(names, dtype=str), np.full(len(s), -1, dtype=np.int64)
        if names:
            found = np.searchsorted(name_arr, s)
            hit = name_arr[np.minimum(found, len(names) - 1)] == s
            codes[hit] = found[hit]
    if (codes < 0).any():
        raise SamplingInputError("stratum_without_size", stratum=str(s[np.argmax(codes < 0)]))
    return codes.astype(np.int64), names


@dataclass(frozen=True, eq=False)
class _Frame:
    """A checked frame: keys, stratum codes over sorted names, key order and fingerprint."""

    keys: np.ndarray
    names: list[str]
    codes: np.ndarray
    order: np.ndarray
    fingerprint: str


def _prepare(keys: object, strata: object, names: Sequence[str] | None = None) -> _Frame:
    """Check a frame, order it by key and compute its fingerprint; names fixes the allowed strata."""
    k, s = _text_array(keys), _text_array(strata)
    if len(k) != len(s):
        raise SamplingInputError("frame_length_mismatch", keys=len(k), strata=len(s))
    ch = _chars(k)
    bad = _first_bad(k, ch)
    if bad is not None:
        raise SamplingInputError("key_invalid", position=bad + 1)
    words = _sort_columns(ch) if len(ch) else []
    order = np.lexsort(words[::-1]) if words else np.arange(len(ch))
    # Gather and compare whole rows as opaque fixed-width records: much faster than 2-D fancy indexing.
    sorted_ch = _rows_view(ch)[order]
    same = sorted_ch[1:] == sorted_ch[:-1]
    if same.any():
        raise SamplingInputError("duplicate_key", key=str(k[order[1:][np.argmax(same)]]))
    codes, name_list = _stratum_codes(s, None if names is None else [str(n) for n in names])
    for name in name_list:
        if _bad_text(name):
            raise SamplingInputError("stratum_name_invalid", stratum=name)
    name_arr = np.array(name_list, dtype=str) if name_list else np.zeros(0, dtype="<U1")
    # Fingerprint: SHA-256 of "key<TAB>stratum<LF>" lines in key order, UTF-8, built without a row loop.
    kb = _utf8(sorted_ch.view(ch.dtype).reshape(len(k), ch.shape[1]))
    name_bytes = _utf8(_chars(np.ascontiguousarray(name_arr)))
    lines = np.empty((len(k), kb.shape[1] + name_bytes.shape[1] + 2), dtype=np.uint8)
    lines[:, : kb.shape[1]] = kb
    lines[:, kb.shape[1]] = 9
    stratum_bytes = _rows_view(name_bytes)[codes[order]].view(np.uint8)
    lines[:, kb.shape[1] + 1 : -1] = stratum_bytes.reshape(len(k), name_bytes.shape[1])
    lines[:, -1] = 10
    # UTF-8 never encodes a character with a zero byte, so the zeros are exactly the padding to drop.
    full = kb.size == 0 or (bool(kb[:, -1].all()) and bool(name_bytes[:, -1].all()))
    digest = hashlib.sha256(lines if full else lines[lines != 0]).hexdigest()  # hashes the buffer, no copy
    return _Frame(k, name_list, codes, order, digest)


def frame_fingerprint(keys: Sequence[str] | np.ndarray, strata: Sequence[str] | np.ndarray) -> str:
    """Return the SHA-256 hex digest of the frame's "key<TAB>stratum<LF>" lines sorted by key."""
    return _prepare(keys, strata).fingerprint


@dataclass(frozen=True, eq=False)
class Draw:
    """A stratified draw: its inputs' identity and one row per drawn unit, by stratum then rank."""

    algorithm: str
    seed: int
    fingerprint: str
    populations: dict[str, int]
    sizes: dict[str, int]
    reserves: dict[str, int]
    positions: np.ndarray  # frame position of each unit, in the caller's original row order
    keys: np.ndarray
    strata: np.ndarray
    roles: np.ndarray  # "sample" or "reserve"
    ranks: np.ndarray  # 1-based rank in the stratum's random order; reserves follow on from n_h + 1

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
    frame = _prepare(keys, strata, names=[str(h) for h in sizes])
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
        fingerprint=frame.fingerprint,
        populations=dict(zip(names, big_n.tolist(), strict=True)),
        sizes=dict(zip(names, n_h.tolist(), strict=True)),
        reserves=dict(zip(names, r_h.tolist(), strict=True)),
        positions=positions.astype(np.int64),
        keys=frame.keys[positions],
        strata=name_arr[owner],
        roles=np.where(rank0 < n_h[owner], "sample", "reserve"),
        ranks=(rank0 + 1).astype(np.int64),
    )


@dataclass(frozen=True)
class Verification:
    """The verifier's verdict: match, and if not, why (English reasons and coded findings)."""

    match: bool
    reasons: list[str]
    findings: list[Finding]

    def messages(self, lang: str = "zh") -> list[str]:
        """Return the findings as messages in Chinese ("zh", default) or English ("en")."""
        return [f.message(lang) for f in self.findings]


def _compare_units(recorded: Mapping[str, Sequence[str]], derived: Mapping[str, list[str]]) -> list[Finding]:
    """Compare recorded and re-derived keys stratum by stratum, position by position."""
    rec = {str(h): [str(k) for k in v] for h, v in recorded.items() if len(v)}
    der = {h: v for h, v in derived.items() if v}
    found: list[Finding] = []
    only_rec, only_der = sorted(set(rec) - set(der)), sorted(set(der) - set(rec))
    if only_rec or only_der:
        listed = {"recorded_only": ", ".join(only_rec) or "-", "derived_only": ", ".join(only_der) or "-"}
        found.append(Finding("strata_mismatch", listed))
    for h in sorted(set(rec) & set(der)):
        a, b = rec[h], der[h]
        if len(a) != len(b):
            found.append(
                Finding("unit_count_mismatch", {"stratum": h, "recorded": len(a), "derived": len(b)})
            )
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y]
        if diff:
            first = {"stratum": h, "rank": diff[0] + 1, "recorded": a[diff[0]], "derived": b[diff[0]]}
            found.append(Finding("unit_mismatch", first | {"count": len(diff)}))
    return found


def verify_draw(
    keys: Sequence[str] | np.ndarray,
    strata: Sequence[str] | np.ndarray,
    sizes: Mapping[str, int],
    reserves: Mapping[str, int],
    seed: int,
    recorded_units: Mapping[str, Sequence[str]],
    recorded_fingerprint: str,
    *,
    recorded_algorithm: str = ALGORITHM,
    seed_text: str | None = None,
) -> Verification:
    """Re-derive a draw from its seed and frame and report whether it matches the record."""
    found: list[Finding] = []

    def note(code: str, **params: object) -> None:
        """Record one finding."""
        found.append(Finding(code, params))

    if recorded_algorithm != ALGORITHM:
        note("algorithm_mismatch", recorded=recorded_algorithm, current=ALGORITHM)
    if seed_text is not None:
        try:
            derived_seed: int | None = seed_from_text(seed_text)
        except SamplingInputError:
            derived_seed = None
        if derived_seed != seed:
            note("seed_text_mismatch", seed_text=seed_text, derived=derived_seed, seed=seed)
    try:
        draw = draw_stratified(keys, strata, sizes, reserves, seed)
    except SamplingInputError as exc:
        note("frame_not_drawable", reason=exc.message("en"), reason_zh=exc.message("zh"))
        return Verification(False, [f.message("en") for f in found], found)
    if draw.fingerprint != recorded_fingerprint:
        note("fingerprint_mismatch", recorded=recorded_fingerprint, derived=draw.fingerprint)
    units = _compare_units(recorded_units, draw.units_by_stratum())
    if units and draw.fingerprint == recorded_fingerprint:
        note(
            "draw_differs"
        )  # same frame and code, other units: the seed or the sizes are not the recorded ones
    found.extend(units)
    return Verification(not found, [f.message("en") for f in found], found)
