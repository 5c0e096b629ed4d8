"""The frame of a draw: its keys and strata checked and ordered by key, as code point matrices, and its
fingerprint. Everything is vectorised: no Python loop runs over frame rows (sampling/draw.py has the
algorithm)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from sampling.errors import SamplingInputError


def _text_array(values: Any) -> tuple[np.ndarray, bool]:
    """Return values as a contiguous 1-D array of fixed-width Unicode text, and whether it holds every
    text as given: numpy drops trailing NULs, so "a\0" would silently become "a"."""
    if isinstance(values, np.ndarray):
        arr = values if values.dtype.kind == "U" else values.astype(str)
        return np.ascontiguousarray(arr.reshape(-1)), True
    try:
        joined = "".join(values)  # a list of texts: one C pass, and a known width makes numpy twice as fast
        arr = np.array(values, dtype=f"<U{max(map(len, values), default=0) or 1}")
    except TypeError:
        joined = "".join(map(str, values))
        arr = np.asarray(values).astype(str).reshape(-1)
    return arr, "\0" not in joined  # a NUL anywhere sends the frame to the row by row check


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


@dataclass(frozen=True, eq=False)
class _Columns:
    """A text matrix by column (one row of code points per character position) and each column's range."""

    chars: np.ndarray  # (width, rows): contiguous along rows, so reductions and packing run fast
    lowest: np.ndarray  # lowest code point of each column, NUL padding included
    lowest_char: np.ndarray  # lowest code point other than NUL (the dtype's top for a column of NULs)
    highest: np.ndarray

    @classmethod
    def of(cls, ch: np.ndarray) -> _Columns:
        """Transpose a (rows, width) code point matrix with at least one row and take its ranges."""
        by_column = np.ascontiguousarray(ch.T)
        lowest, highest = by_column.min(axis=1), by_column.max(axis=1)
        lowest_char = lowest.copy()
        for j in np.flatnonzero(lowest == 0).tolist():  # columns where some texts have already ended
            present = by_column[j][by_column[j] != 0]
            lowest_char[j] = present.min() if len(present) else np.iinfo(by_column.dtype).max
        return cls(by_column, lowest, lowest_char, highest)

    def all_clean(self) -> bool:
        """Tell whether no text is empty or holds a control character, NUL or surrogate."""
        c, lowest, highest = self.chars, self.lowest, self.highest
        if lowest[0] == 0 or (self.lowest_char < 32).any():
            return False  # an empty text, or a control character somewhere
        if c.dtype == np.uint32:
            for j in np.flatnonzero((highest >= 0xD800) & (self.lowest_char <= 0xDFFF)).tolist():
                if ((c[j] - np.uint32(0xD800)) < 0x800).any():
                    return False
        # numpy pads texts with NUL, so a NUL inside a text shows as a NUL followed by a character.
        for j in np.flatnonzero((lowest[:-1] == 0) & (highest[1:] > 0)).tolist():
            if ((c[j] == 0) & (c[j + 1] != 0)).any():
                return False
        return True

    def sort_words(self) -> list[np.ndarray]:
        """Return 16-bit columns, most significant first, whose lexicographic order is the texts' order.

        The packing is one to one: two texts are equal exactly when all their words are.
        """
        varying = np.flatnonzero(self.lowest != self.highest)  # a constant column cannot change the order
        parts: list[tuple[np.ndarray, int]] = []
        for j in varying.tolist():
            column, low, top = self.chars[j], int(self.lowest[j]), int(self.highest[j])
            if low == 0:  # some texts end before this column: keep NUL at 0 and count characters from 1
                low = int(self.lowest_char[j]) - 1
                symbols = np.where(column == 0, 0, column - column.dtype.type(low)).astype(column.dtype)
            else:
                symbols = column - column.dtype.type(low)
            width = (top - low).bit_length()
            parts += [(symbols >> 16, width - 16), (symbols & 0xFFFF, 16)] if width > 16 else [(symbols, width)]
        # Pack the small symbols into as few 16-bit columns as possible: numpy's stable sort of 16-bit keys
        # is a radix sort, so each column costs one fast pass of lexsort.
        words: list[np.ndarray] = []
        filled = 16
        for symbols, width in parts:
            if filled + width > 16:
                words.append(symbols.astype(np.uint16))
                filled = width
            else:
                np.left_shift(words[-1], width, out=words[-1])
                np.bitwise_or(words[-1], symbols, out=words[-1], casting="unsafe")  # symbols < 2**width
                filled += width
        return words


def _first_repeat(words: list[np.ndarray], order: np.ndarray) -> int | None:
    """Return the key-order position of a text equal to the one before it, if any."""
    if len(order) < 2:
        return None
    if not words:
        return 1  # no column varies: every text is the same
    # Compare four 16-bit words at once as one 64-bit number (only equality matters here), first over
    # every neighbouring pair in key order, then only over the pairs still equal.
    pairs: np.ndarray | None = None
    for start in range(0, len(words), 4):
        group = words[start : start + 4]
        group += [np.zeros_like(group[0])] * (4 - len(group))
        packed = np.stack(group, axis=1).view(np.uint64).ravel()
        if pairs is None:
            ranked = packed[order]
            pairs = np.flatnonzero(ranked[1:] == ranked[:-1])
        else:
            pairs = pairs[packed[order[pairs]] == packed[order[pairs + 1]]]
        if len(pairs) == 0:
            return None
    return int(pairs[0]) + 1  # type: ignore[index]  # words is not empty, so the loop set pairs


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
    words = _Columns.of(_chars(s)).sort_words() if len(s) else []
    if len(words) <= 1:
        # Short names such as county codes fit one 16-bit symbol: look each distinct symbol up once.
        word = words[0] if words else np.zeros(len(s), dtype=np.uint16)
        symbols = np.flatnonzero(np.bincount(word, minlength=2**16))
        example = np.zeros(2**16, dtype=np.int32 if len(s) < 2**31 else np.int64)
        example[word] = np.arange(len(s), dtype=example.dtype)  # some row of each symbol
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
    return codes.astype(np.int64, copy=False), names


@dataclass(frozen=True, eq=False)
class Frame:
    """A checked frame: keys, stratum codes over sorted names and key order; the fingerprint on demand."""

    keys: np.ndarray
    names: list[str]
    codes: np.ndarray
    order: np.ndarray
    key_chars: np.ndarray  # (rows, width) code points of the keys, for the fingerprint

    @cached_property
    def fingerprint(self) -> str:
        """Return the SHA-256 of "key<TAB>stratum<LF>" lines in key order, UTF-8, built without a row loop."""
        ch, n = self.key_chars, len(self.keys)
        name_arr = np.array(self.names, dtype=str) if self.names else np.zeros(0, dtype="<U1")
        # Gather whole rows as opaque fixed-width records (np.take: faster still than [] on records).
        kb = _utf8(np.take(_rows_view(ch), self.order).view(ch.dtype).reshape(n, ch.shape[1]))
        name_bytes = _utf8(_chars(np.ascontiguousarray(name_arr)))
        lines = np.empty((n, kb.shape[1] + name_bytes.shape[1] + 2), dtype=np.uint8)
        lines[:, : kb.shape[1]] = kb
        lines[:, kb.shape[1]] = 9
        stratum_bytes = np.take(_rows_view(name_bytes), self.codes[self.order]).view(np.uint8)
        lines[:, kb.shape[1] + 1 : -1] = stratum_bytes.reshape(n, name_bytes.shape[1])
        lines[:, -1] = 10
        # UTF-8 never encodes a character with a zero byte, so the zeros are exactly the padding to drop.
        full = kb.size == 0 or (bool(kb[:, -1].all()) and bool(name_bytes[:, -1].all()))
        # hashes the buffer, no copy (numpy's stubs do not say that an array is a buffer)
        return hashlib.sha256(lines if full else lines[lines != 0]).hexdigest()  # type: ignore[arg-type]


def prepare(keys: Any, strata: Any, names: Sequence[str] | None = None) -> Frame:
    """Check a frame and order it by key; names fixes the allowed strata."""
    (k, keys_faithful), (s, strata_faithful) = _text_array(keys), _text_array(strata)
    if len(k) != len(s):
        raise SamplingInputError("frame_length_mismatch", keys=len(k), strata=len(s))
    if not keys_faithful:
        bad = next(i for i, key in enumerate(keys) if _bad_text(str(key)))
        raise SamplingInputError("key_invalid", position=bad + 1)
    if not strata_faithful:
        bad = next(i for i, name in enumerate(strata) if _bad_text(str(name)))
        raise SamplingInputError("stratum_name_invalid", stratum=repr(str(strata[bad])))
    ch = _chars(k)
    words: list[np.ndarray] = []
    if len(k):
        columns = _Columns.of(ch)
        if not columns.all_clean():
            bad = next(i for i, text in enumerate(k.tolist()) if _bad_text(text))
            raise SamplingInputError("key_invalid", position=bad + 1)
        words = columns.sort_words()
    order = np.lexsort(words[::-1]) if words else np.arange(len(k))
    repeat = _first_repeat(words, order)
    if repeat is not None:
        raise SamplingInputError("duplicate_key", key=str(k[order[repeat]]))
    codes, name_list = _stratum_codes(s, None if names is None else [str(n) for n in names])
    for name in name_list:
        if _bad_text(name):
            raise SamplingInputError("stratum_name_invalid", stratum=name)
    return Frame(k, name_list, codes, order, ch)


def frame_fingerprint(keys: Sequence[str] | np.ndarray, strata: Sequence[str] | np.ndarray) -> str:
    """Return the SHA-256 hex digest of the frame's "key<TAB>stratum<LF>" lines sorted by key."""
    return prepare(keys, strata).fingerprint
