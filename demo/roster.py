"""Synthetic roster of registered unemployed persons for demos, tests and benchmarks.

Everything here is invented: names, phones and addresses come from lists of common values; ID numbers
have a correct GB 11643 check digit, a real area code and birth date, but belong to nobody we know of.
Certificate numbers (就业创业证编号) use a made-up layout, not an official one: county code (6) +
two-digit year of issue + eight-digit serial.

ID area codes are those a real resident would hold: the county's GB/T 2260 code; for people of
廉江/雷州/吴川 old enough to have had a card before the county became a city, often the old county's
code (IDs are never renumbered); in the development zone (local code 440871, not in GB/T 2260)
440803 or 440811, after the district its town came from; for about 5% a code from elsewhere (people
register where they live). AREA_CODES_BY_COUNTY lists the local codes. Do not check these IDs with
stdnum.cn.ric.is_valid(): it wants the area code to have existed in the birth year, which rejects
genuine IDs of everyone born before their county's code (440802 exists since 1984).

Dirty cases (DemoRoster.dirty) are disjoint, and clean rows stay clear of them: clean persons are at
least 16 at registration and under 60 (men) / 55 (women) today, have a phone, unique ID, phone and
certificate numbers, and a cancellation date (if any) after registration and not after today.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple, TextIO

import numpy as np
from stdnum.cn import ric

from config.codelists import EMPLOYMENT_STATUSES, GENDERS, UNEMPLOYMENT_REASONS, label
from config.counties import ZHANJIANG_COUNTIES
from demo import vocabulary

# Rows per kind in 30,000 (pair kinds: pairs); scaled with the roster size, at least one each.
DIRTY_PER_30K = {"duplicate_across_counties": 60, "duplicate_in_county": 20, "past_retirement_age": 50,
                 "missing_phone": 150, "future_cancellation": 20}
PERSON_FIELDS = ("county_code", "name", "gender", "id_number", "phone", "household_address", "residence_address",
                 "unemployment_reason", "registered_on", "registering_agency", "certificate_number",
                 "employment_status", "cancelled_on")
PAIR_KINDS = ("duplicate_across_counties", "duplicate_in_county")
CSV_HEADERS = ("姓名", "性别", "公民身份号码", "联系电话", "户籍地址", "常住地址", "失业原因", "失业登记日期",
               "登记机构", "就业创业证编号", "就业状态", "注销日期", "县区代码")

_REASONS = (("01", 22), ("02", 14), ("03", 30), ("04", 6), ("05", 12), ("06", 5), ("07", 3), ("08", 2),
            ("09", 0.5), ("99", 5.5))
_LEAVING_STATUSES = (("20", 55), ("21", 20), ("22", 10), ("30", 4), ("40", 1), ("50", 4), ("90", 6))
_CANCELLED_SHARE, _MALE_SHARE = 0.08, 0.55
_EPOCH = np.datetime64("1940-01-01", "D")
_YEAR = 365.2425


class CountySpec(NamedTuple):
    """A county as the generator sees it: its code, places, agency and relative size."""

    code: str
    place: str  # address prefix, e.g. 广东省湛江市赤坎区
    agency: str
    weight: float
    towns: tuple[tuple[str, str], ...]  # (town, area code of IDs issued there)


@dataclass
class DemoRoster:
    """Roster rows and, by kind, the indexes of dirty rows (pairs: two consecutive indexes, earlier first)."""

    rows: list[dict] = field(default_factory=list)
    dirty: dict[str, list[int]] = field(default_factory=dict)


def county_spec(code: str, place: str, agency: str, weight: float, towns: str = vocabulary.GENERIC_TOWNS) -> CountySpec:
    """Build a county spec; a town written 乐华街道/440803 has its own ID area code."""
    pairs = tuple((t.partition("/")[0], t.partition("/")[2] or code) for t in towns.split())
    return CountySpec(code, place, agency, weight, pairs)


def zhanjiang_counties() -> tuple[CountySpec, ...]:
    """Describe Zhanjiang's ten county-level units for the generator."""
    specs = []
    for c in ZHANJIANG_COUNTIES:
        place = "广东省湛江市" + (c.name_zh[2:] if c.name_zh.startswith("湛江") else c.name_zh)
        agency = ("湛江市" if c.name_zh.endswith("区") and c.official else "") + c.name_zh + "公共就业服务中心"
        specs.append(county_spec(c.code, place, agency, vocabulary.WEIGHTS[c.code], vocabulary.TOWNS[c.code]))
    return tuple(specs)


AREA_CODES_BY_COUNTY = {
    c.code: tuple(sorted({a for _, a in c.towns} | ({vocabulary.OLD_CODES[c.code][0]} if c.code in vocabulary.OLD_CODES else set())))
    for c in zhanjiang_counties()
}


def generate_roster(seed: int, today: date, total: int = 30000) -> DemoRoster:
    """Generate a deterministic demo roster of `total` persons in Zhanjiang."""
    empty = DemoRoster([], {kind: [] for kind in DIRTY_PER_30K})
    return next(iter_roster_chunks(seed, today, total, chunk_size=max(total, 1)), empty)


def iter_roster_chunks(seed: int, today: date, total: int, counties: Sequence[CountySpec] | None = None,
                       chunk_size: int = 100_000) -> Iterator[DemoRoster]:
    """Yield a roster of `total` persons chunk by chunk; dirty indexes are local to each chunk."""
    gen = _Generator(seed, today, counties or zhanjiang_counties())
    for start in range(0, total, chunk_size):
        yield gen.chunk(min(chunk_size, total - start))


def write_csv(rows: Iterable[Mapping], path_or_file: str | os.PathLike | TextIO,
              encoding: str = "utf-8-sig") -> int:
    """Write rows in the county file format and return how many; an open file keeps its own encoding."""
    if isinstance(path_or_file, (str, os.PathLike)):
        with open(path_or_file, "w", newline="", encoding=encoding) as f:
            return write_csv(rows, f)
    genders, reasons, statuses = ({code: label(lst, code) for code, _, _ in lst}
                                  for lst in (GENDERS, UNEMPLOYMENT_REASONS, EMPLOYMENT_STATUSES))
    writer = csv.writer(path_or_file)
    writer.writerow(CSV_HEADERS)
    count = 0
    for r in rows:
        count += 1
        phone, cancelled = r["phone"], r["cancelled_on"]
        writer.writerow((
            r["name"], genders[r["gender"]], r["id_number"], phone[3:] if phone else "",
            r["household_address"], r["residence_address"], reasons[r["unemployment_reason"]],
            r["registered_on"].isoformat(), r["registering_agency"], r["certificate_number"],
            statuses[r["employment_status"]], cancelled.isoformat() if cancelled else "", r["county_code"],
        ))
    return count


def _ymd(days: np.ndarray) -> np.ndarray:
    """Turn datetime64[D] values into YYYYMMDD integers (whole-year ages are differences // 10000)."""
    years, months = days.astype("M8[Y]"), days.astype("M8[M]")
    month = (months - years.astype("M8[M]")).astype(np.int64) + 1
    day = (days - months.astype("M8[D]")).astype(np.int64) + 1
    return (years.astype(np.int64) + 1970) * 10000 + month * 100 + day


def _occurrence(keys: np.ndarray) -> np.ndarray:
    """Number each key's occurrences 0, 1, 2… in array order."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    idx = np.arange(len(keys))
    starts = np.maximum.accumulate(np.where(np.r_[True, ordered[1:] != ordered[:-1]], idx, 0))
    out = np.empty(len(keys), np.int64)
    out[order] = idx - starts
    return out


def _in_sorted(values: np.ndarray, ordered: np.ndarray) -> np.ndarray:
    """Tell which values occur in a sorted array."""
    if not len(ordered):
        return np.zeros(len(values), bool)
    return ordered[np.searchsorted(ordered, values).clip(0, len(ordered) - 1)] == values


def _weighted(pairs) -> tuple[list, np.ndarray]:
    """Split (value, weight) pairs into values and probabilities."""
    weights = np.array([w for _, w in pairs], float)
    return [v for v, _ in pairs], weights / weights.sum()


class _Generator:
    """Draw roster chunks from one random stream, keeping ID, phone and certificate numbers unique."""

    def __init__(self, seed: int, today: date, counties: Sequence[CountySpec]):
        self.rng = np.random.Generator(np.random.PCG64(seed))
        self.today = np.datetime64(today, "D")
        self.counties = tuple(counties)
        self.p_county = _weighted([(c, c.weight) for c in self.counties])[1]
        # Origins of out-of-area IDs: the other counties first, then places further away.
        self.origins = [(c.towns[0][1], c.place, c.towns) for c in self.counties]
        self.origins += [(code, place, ()) for code, place, _ in vocabulary.ORIGINS]
        far = _weighted([(o, w) for *o, w in vocabulary.ORIGINS])[1]
        self.p_origin = np.r_[vocabulary.FROM_NEARBY_COUNTY * self.p_county, (1 - vocabulary.FROM_NEARBY_COUNTY) * far]
        areas = {a for c in self.counties for _, a in c.towns} | {o[0] for o in self.origins}
        areas |= {old for old, _ in vocabulary.OLD_CODES.values()}
        self.area_index = {a: i for i, a in enumerate(sorted(areas))}
        self.n_days = int((self.today - _EPOCH).astype(int)) + 1
        self.id_counts = np.zeros(len(areas) * self.n_days * 2, np.int16)
        self.cert_counts: dict[int, int] = {}
        self.used_phones = np.empty(0, np.int64)
        self.surnames, self.p_surname = _weighted([(t[0], int(t[1:])) for t in vocabulary.SURNAMES.split()])
        self.n_towns = np.array([len(c.towns) for c in self.counties])

    def chunk(self, n: int) -> DemoRoster:
        """Generate n persons, sorted by county and registration date, with their dirty cases."""
        rng, today = self.rng, self.today
        county = rng.choice(len(self.counties), n, p=self.p_county)
        reg = today - rng.integers(1, 3 * 365 - 1, n).astype("m8[D]")
        weekday = (reg.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0
        reg -= np.maximum(weekday - 4, 0).astype("m8[D]")  # agencies register on working days: back to Friday
        order = np.lexsort((reg, county))
        county, reg = county[order], reg[order]
        male = rng.random(n) < _MALE_SHARE
        birth = self._working_age_births(reg, male)
        cancelled = rng.random(n) < _CANCELLED_SHARE
        dirty = self._pick_dirty(county, cancelled)
        past = np.array(dirty["past_retirement_age"], np.int64)
        # Clearly past even the raised retirement ages being phased in from 2025 (men 63, women 58).
        age = np.where(male[past], rng.uniform(64.05, 69.9, len(past)), rng.uniform(59.05, 64.9, len(past)))
        birth[past] = today - (age * _YEAR).astype("m8[D]")
        future = np.array(dirty["future_cancellation"], np.int64)
        cancelled[future] = True

        town = (rng.random(n) * self.n_towns[county]).astype(np.int64)
        area, home = self._area_codes(county, town, birth)
        ids = self._id_numbers(area, birth, male)
        names = self._names(male)
        phones = self._phones(n)
        residence = self._addresses([self.counties[c].place for c in county],
                                    [self.counties[c].towns[t][0] for c, t in zip(county, town, strict=True)])
        household = self._household(home, county, residence)
        reasons = self._reasons(reg, birth, male)
        status = np.full(n, "10", dtype="<U2")
        cancel_on = np.full(n, np.datetime64("NaT"), "M8[D]")
        self._cancellations(cancelled, reg, birth, status, cancel_on)
        cancel_on[future] = today + rng.integers(1, 121, len(future)).astype("m8[D]")
        status[future] = "20"
        for i in dirty["missing_phone"]:
            phones[i] = None
        for kind in PAIR_KINDS:
            pairs = dirty[kind]
            for src, dst in zip(pairs[::2], pairs[1::2], strict=True):
                ids[dst], names[dst], male[dst], birth[dst] = ids[src], names[src], male[src], birth[src]
                household[dst], phones[dst], reg[dst] = household[src], phones[src], max(reg[src], reg[dst])
                if kind == "duplicate_in_county":
                    residence[dst] = residence[src]
        certs = self._certificates(county, reg)
        counties = [self.counties[c] for c in county.tolist()]
        columns = ([c.code for c in counties], names, ["1" if m else "2" for m in male.tolist()], ids, phones,
                   household, residence, reasons, reg.tolist(), [c.agency for c in counties], certs,
                   status.tolist(), cancel_on.tolist())
        rows = [dict(zip(PERSON_FIELDS, values, strict=True)) for values in zip(*columns, strict=True)]
        return DemoRoster(rows, dirty)

    def _working_age_births(self, reg: np.ndarray, male: np.ndarray) -> np.ndarray:
        """Draw birth dates: at least 16 at registration, under 60 (men) / 55 (women) today."""
        rng, n = self.rng, len(reg)
        cap = np.where(male, 59, 54)  # highest whole-year age today
        birth = reg - ((16 + 43 * rng.beta(2.2, 3.3, n)) * _YEAR).astype("m8[D]")
        today_ymd = int(_ymd(np.array([self.today]))[0])
        bad = np.ones(n, bool)
        while bad.any():
            by = _ymd(birth)
            bad = ((_ymd(reg) - by) // 10000 < 16) | ((today_ymd - by) // 10000 > cap)
            span = cap[bad] + 0.97 - (self.today - reg[bad]).astype(np.int64) / _YEAR
            birth[bad] = reg[bad] - (rng.uniform(16.03, span) * _YEAR).astype("m8[D]")
        return birth

    def _pick_dirty(self, county: np.ndarray, cancelled: np.ndarray) -> dict[str, list[int]]:
        """Choose disjoint registered rows for each dirty kind; pairs take a second row to overwrite."""
        n = len(county)
        dirty: dict[str, list[int]] = {kind: [] for kind in DIRTY_PER_30K}
        if n < 100:
            return dirty
        pool = self.rng.permutation(np.flatnonzero(~cancelled)).tolist()
        for kind, base in DIRTY_PER_30K.items():
            want = max(1, round(base * n / 30000))
            if kind not in PAIR_KINDS:
                dirty[kind], pool = sorted(pool[:want]), pool[want:]
                continue
            same = kind == "duplicate_in_county"
            for _ in range(want):
                src = pool.pop()
                match = next((j for j, row in enumerate(pool) if (county[row] == county[src]) == same), None)
                if match is not None:
                    dirty[kind] += sorted((src, pool.pop(match)))
        return dirty

    def _area_codes(self, county: np.ndarray, town: np.ndarray, birth: np.ndarray) -> tuple[list, np.ndarray]:
        """Pick each ID's area code; return the codes and each person's origin (-1 = local)."""
        rng, n = self.rng, len(county)
        area = [self.counties[c].towns[t][1] for c, t in zip(county.tolist(), town.tolist(), strict=True)]
        birth_year = birth.astype("M8[Y]").astype(np.int64) + 1970
        for c, spec in enumerate(self.counties):
            if spec.code in vocabulary.OLD_CODES:
                old, since = vocabulary.OLD_CODES[spec.code]
                for i in np.flatnonzero((county == c) & (birth_year <= since - 17) & (rng.random(n) < 0.7)):
                    area[i] = old
        origin = np.where(rng.random(n) < vocabulary.OUT_OF_AREA_SHARE, rng.choice(len(self.origins), n, p=self.p_origin), -1)
        # Someone from the county itself is not out of area: send them further away instead.
        own = origin == county
        origin[own] = len(self.counties) + rng.integers(0, len(vocabulary.ORIGINS), int(own.sum()))
        for i in np.flatnonzero(origin >= 0):
            area[i] = self.origins[origin[i]][0]
        return area, origin

    def _id_numbers(self, area: list, birth: np.ndarray, male: np.ndarray) -> list[str]:
        """Build unique 18-character ID numbers; the sequence code's parity carries the gender."""
        area_idx = np.array([self.area_index[a] for a in area], np.int64)
        keys = (area_idx * self.n_days + (birth - _EPOCH).astype(np.int64)) * 2 + male
        nth = self.id_counts[keys] + _occurrence(keys)
        np.add.at(self.id_counts, keys, 1)
        if nth.size and nth.max() >= 499:
            raise ValueError("too many people share an area code and birth date")
        # Spread the sequence codes instead of starting every birth date at 001.
        seq = 2 * (1 + ((keys * 2654435761 + nth) % 499)) + male
        bodies = [f"{a}{d}{s:03d}" for a, d, s in zip(area, _ymd(birth).tolist(), seq.tolist(), strict=True)]
        return [b + ric.calc_check_digit(b + "0") for b in bodies]

    def _names(self, male: np.ndarray) -> list[str]:
        """Draw names: a weighted surname and one or two given-name characters."""
        rng, n = self.rng, len(male)
        surname = rng.choice(len(self.surnames), n, p=self.p_surname).tolist()
        first, last = rng.integers(0, 1 << 30, n).tolist(), rng.integers(0, 1 << 30, n).tolist()
        two = (rng.random(n) < 0.78).tolist()
        out = []
        for s, m, f, la, t in zip(surname, male.tolist(), first, last, two, strict=True):
            chars = vocabulary.MALE_CHARS if m else vocabulary.FEMALE_CHARS
            lead = (vocabulary.FIRST_CHARS + chars)[f % (len(vocabulary.FIRST_CHARS) + len(chars))] if t else ""
            out.append(self.surnames[s] + lead + chars[la % len(chars)])
        return out

    def _phones(self, n: int) -> list:
        """Draw mobile numbers in E.164, unique across the whole roster."""
        numbers = vocabulary.MOBILE_PREFIXES[self.rng.integers(0, len(vocabulary.MOBILE_PREFIXES), n)] * 10**8
        numbers += self.rng.integers(0, 10**8, n)
        used = self.used_phones
        while (clash := _in_sorted(numbers, used) | (_occurrence(numbers) > 0)).any():
            numbers[clash] = numbers[clash] // 10**8 * 10**8 + self.rng.integers(0, 10**8, int(clash.sum()))
        # Two sorted runs: the stable sort merges them in linear time (isin/union1d would rehash all).
        self.used_phones = np.sort(np.concatenate([used, np.sort(numbers)]), kind="stable")
        return [f"+86{x}" for x in numbers.tolist()]

    def _addresses(self, places: list[str], towns: list[str]) -> list[str]:
        """Write street addresses in towns with 街道, village addresses in 镇 and 乡."""
        rng, n = self.rng, len(places)
        road, num, flat = rng.integers(0, len(vocabulary.ROADS), n), rng.integers(1, 240, n), rng.random(n) < 0.45
        block, room = rng.integers(1, 25, n), rng.integers(1, 19, n) * 100 + rng.integers(1, 9, n)
        head, tail = rng.integers(0, len(vocabulary.VILLAGE_HEADS), n), rng.integers(0, len(vocabulary.VILLAGE_TAILS), n)
        out = []
        for p, t, r, nu, f, b, ro, h, ta in zip(places, towns, road.tolist(), num.tolist(), flat.tolist(),
                                                block.tolist(), room.tolist(), head.tolist(), tail.tolist(),
                                                strict=True):
            if t.endswith(("镇", "乡")):
                out.append(f"{p}{t}{vocabulary.VILLAGE_HEADS[h]}{vocabulary.VILLAGE_TAILS[ta]}村{nu}号")
            else:
                out.append(f"{p}{t}{vocabulary.ROADS[r]}{nu}号" + (f"{b}栋{ro}房" if f else ""))
        return out

    def _household(self, origin: np.ndarray, county: np.ndarray, residence: list[str]) -> list[str]:
        """Give household (户籍) addresses: mostly where people live, at their origin if out of area."""
        rng = self.rng
        source = np.where(origin >= 0, origin, county)  # the first origins are the counties themselves
        redo = np.flatnonzero((origin >= 0) | (rng.random(len(county)) < 0.3))
        picks = [self.origins[o] for o in source[redo].tolist()]
        towns = [o[2][k % len(o[2])][0] if o[2] else "" for o, k in zip(
            picks, rng.integers(0, 1 << 30, len(redo)).tolist(), strict=True)]
        out = list(residence)
        for i, address in zip(redo.tolist(), self._addresses([o[1] for o in picks], towns), strict=True):
            out[i] = address
        return out

    def _reasons(self, reg: np.ndarray, birth: np.ndarray, male: np.ndarray) -> list[str]:
        """Draw reasons for unemployment, keeping graduates young and veterans mostly young men."""
        codes, p = _weighted(_REASONS)
        reason = np.array(codes)[self.rng.choice(len(codes), len(reg), p=p)]
        age = (_ymd(reg) - _ymd(birth)) // 10000
        reason[(reason == "05") & (age > 26)] = "03"
        reason[(reason == "08") & (~male | (age > 35))] = "01"
        return reason.tolist()

    def _cancellations(self, cancelled: np.ndarray, reg: np.ndarray, birth: np.ndarray, status: np.ndarray,
                       cancel_on: np.ndarray) -> None:
        """Date the cancellations between registration and today and say why the person left."""
        rng, idx = self.rng, np.flatnonzero(cancelled)
        gap = (self.today - reg[idx]).astype(np.int64)
        cancel_on[idx] = reg[idx] + (1 + (rng.random(len(idx)) * gap).astype(np.int64)).astype("m8[D]")
        codes, p = _weighted(_LEAVING_STATUSES)
        status[idx] = np.array(codes)[rng.choice(len(codes), len(idx), p=p)]
        young = (_ymd(cancel_on[idx]) - _ymd(birth[idx])) // 10000 < 50
        status[idx[young & (status[idx] == "30")]] = "20"  # nobody retires before 50

    def _certificates(self, county: np.ndarray, reg: np.ndarray) -> list[str]:
        """Number certificates per county and year of issue (a synthetic layout)."""
        yy = reg.astype("M8[Y]").astype(np.int64) + 1970 - 2000
        keys = county.astype(np.int64) * 100 + yy
        unique, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
        before = np.array([self.cert_counts.get(k, 0) for k in unique.tolist()], np.int64)
        nth = _occurrence(keys) + before[inverse]
        self.cert_counts.update(zip(unique.tolist(), (before + counts).tolist(), strict=True))
        codes = [c.code for c in self.counties]
        # A per-county offset keeps serials from all starting at 00000001 (room for 10^6 a year).
        return [f"{codes[c]}{y:02d}{(c * 7919 % 90 + 10) * 10**6 + k + 1:08d}"
                for c, y, k in zip(county.tolist(), yy.tolist(), nth.tolist(), strict=True)]
