"""The sampling frame (抽样框): persons of fixed roster snapshots, read as numpy arrays.

Frame key: "<county code>:<ID number>" (the person's own county_code), and for the 2nd, 3rd… row of one county carrying the same ID
number (in source-row order) "#2", "#3"… appended, so every key is unique and anyone holding the
county files can rebuild the keys. Stratum: the county code, or "<county code>|<value>" when the
frame is crossed with one more roster field ("-" for an empty value), or "<county code>|finding" and
"<county code>|none" when it is crossed with the register findings (campaigns/register_strata.py: the list
of persons with a finding is fixed when the draw is made and stored with it). Snapshots never change, so
the same definition over the same snapshots (and the same finding list) always gives the same frame.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import numpy as np
from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from campaigns.design import MISSING_VALUE, REGISTER_FINDING, STRATUM_SEPARATOR, WITH_FINDING, WITHOUT_FINDING
from models import FollowUpTask, Person, RegisterFinding, RosterSnapshot, Verification

EXCLUSION_REASON = "verified_in_campaign"


@dataclass
class Frame:
    """Frame rows as parallel arrays, snapshot by snapshot in the order the database returned them."""

    person_ids: np.ndarray
    counties: np.ndarray
    keys: list[str]
    strata: list[str] | np.ndarray

    def __len__(self) -> int:
        return len(self.keys)

    def id_numbers(self) -> list[str]:
        """Return each row's ID number, read back from its key."""
        return [key.split(":", 1)[1].split("#", 1)[0] for key in self.keys]

    def without(self, positions: np.ndarray) -> Frame:
        """Return the frame less the rows at the given positions."""
        keep = np.ones(len(self), dtype=bool)
        keep[positions] = False
        index = np.flatnonzero(keep)
        return Frame(self.person_ids[index], self.counties[index], [self.keys[i] for i in index],
                     np.asarray(self.strata)[index])


def _filtered(stmt, definition: dict):
    """Apply the population filter of a frame definition to a select over Person."""
    if definition["population"] == "cancelled":
        return stmt.where(Person.cancelled_on.between(date.fromisoformat(definition["cancelled_from"]),
                                                      date.fromisoformat(definition["cancelled_to"])))
    return stmt.where(Person.cancelled_on.is_(None))


def number_repeats(keys: Sequence[str], source_rows, person_ids) -> Sequence[str]:
    """Append "#2", "#3"… to repeated keys of one county, numbering them in (source row, id) order
    (the keys as given when none repeats: a column tuple from _fetch_columns)."""
    counts = Counter(keys)
    if len(counts) == len(keys):
        return keys
    keys = list(keys)
    repeated = {key for key, count in counts.items() if count > 1}
    groups: dict[str, list[int]] = {}
    for position in [p for p, key in enumerate(keys) if key in repeated]:
        groups.setdefault(keys[position], []).append(position)
    for key, positions in groups.items():
        positions.sort(key=lambda p: (source_rows[p] is None, source_rows[p] or 0, person_ids[p]))
        for number, position in enumerate(positions[1:], start=2):
            keys[position] = f"{key}#{number}"
    return keys


def _fetch_columns(session, stmt, width: int) -> list[tuple]:
    """Run a select and return its columns as tuples, reading the driver's rows directly.

    Plain ints and strings need no result processing, and skipping SQLAlchemy's Row objects halves
    the time to read a million-row frame.
    """
    result = session.connection().execute(stmt)
    try:
        rows = result.cursor.fetchall()
    finally:
        result.close()
    return list(zip(*rows, strict=True)) if rows else [()] * width


def load_frame(session, snapshot_ids: list[int], definition: dict,
               findings: Sequence[str] | None = None) -> Frame:
    """Read the frame of a definition over the given snapshots, one snapshot (county) at a time.

    With register-finding strata, `findings` is the draw's list of "county:ID number" with a finding.
    """
    extra = definition.get("stratify_by")
    by_finding = extra == REGISTER_FINDING
    marked = frozenset(findings or ())
    columns = [Person.id, (Person.county_code + ":" + Person.id_number), Person.source_row]
    if extra and not by_finding:
        columns.append(getattr(Person, extra))
    owners = dict(session.execute(select(RosterSnapshot.id, RosterSnapshot.county_code)
                                  .where(RosterSnapshot.id.in_(snapshot_ids or [-1]))).all())
    ids, counties = [], []
    keys: list[str] = []
    strata: list[str] = []
    for snapshot_id in sorted(owners):
        county = owners[snapshot_id]
        stmt = _filtered(select(*columns).where(Person.snapshot_id == snapshot_id), definition)
        got = _fetch_columns(session, stmt, len(columns))
        if not got[0]:
            continue
        ids.append(np.fromiter(got[0], dtype=np.int64, count=len(got[0])))
        keys.extend(number_repeats(got[1], got[2], got[0]))
        counties.append(np.full(len(got[0]), county, dtype="<U6"))
        if by_finding:  # got[1]: the keys before "#2"… were appended, i.e. "county:ID number"
            strata.extend(f"{county}{STRATUM_SEPARATOR}{WITH_FINDING if key in marked else WITHOUT_FINDING}"
                          for key in got[1])
        elif extra:
            strata.extend(f"{county}{STRATUM_SEPARATOR}{v or MISSING_VALUE}" for v in got[3])
    if not ids:
        return Frame(np.zeros(0, dtype=np.int64), np.zeros(0, dtype="<U6"), [], [])
    county_arr = np.concatenate(counties)
    return Frame(np.concatenate(ids), county_arr, keys, strata if extra else county_arr)


def _without_finding():
    """Whether a Person row has no active register finding now, with the outer join that tells it.

    A plain IS NULL, not a CASE of two texts: PostgreSQL would see the texts' parameters in the select
    list and in the GROUP BY as two different expressions.
    """
    found = (select(RegisterFinding.county_code, RegisterFinding.id_number).where(RegisterFinding.active)
             .distinct().subquery())
    joined = and_(found.c.county_code == Person.county_code, found.c.id_number == Person.id_number)
    return found.c.id_number.is_(None), found, joined


def stratum_counts(session, snapshot_ids: list[int], definition: dict, *where) -> dict[str, int]:
    """Count the frame per stratum with one GROUP BY, for the live preview (register findings as they are
    now: the draw fixes them)."""
    extra = definition.get("stratify_by")
    if extra == REGISTER_FINDING:
        without, found, joined = _without_finding()
        group = [Person.county_code, without]
        stmt = select(*group, func.count()).select_from(Person).outerjoin(found, joined)
    else:
        group = [Person.county_code] + ([getattr(Person, extra)] if extra else [])
        stmt = select(*group, func.count())
    stmt = _filtered(stmt.where(Person.snapshot_id.in_(snapshot_ids or [-1]), *where), definition)
    counts: dict[str, int] = {}
    for row in session.execute(stmt.group_by(*group)):
        if extra == REGISTER_FINDING:
            name = f"{row[0]}{STRATUM_SEPARATOR}{WITHOUT_FINDING if row[1] else WITH_FINDING}"
        else:
            name = row[0] if not extra else f"{row[0]}{STRATUM_SEPARATOR}{row[1] or MISSING_VALUE}"
        counts[name] = counts.get(name, 0) + row[-1]
    return counts


def months_before(moment: datetime, months: int) -> datetime:
    """Return the same day and time `months` calendar months earlier (clamped to the month's end)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    next_month = date(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_month - date(year, month, 1)).days
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


def _recent_units(columns, campaign_id: int, months: int, now: datetime | None):
    """Select over the persons verified (identity confirmed) in other campaigns within `months` of now."""
    earlier = aliased(Person)
    cutoff = months_before(now or datetime.now(UTC), months).date()
    return (
        select(*[earlier.id_number if c is Person.id_number else c for c in columns])
        .select_from(Verification)
        .join(FollowUpTask, FollowUpTask.id == Verification.task_id)
        .join(earlier, earlier.id == Verification.person_id)
        .where(FollowUpTask.campaign_id != campaign_id, Verification.identity_confirmed.is_(True),
               Verification.checked_on >= cutoff)
    )


def recently_verified(session, campaign_id: int, months: int, now: datetime | None = None) -> dict[str, int]:
    """Map the ID numbers verified in other campaigns within `months` to the latest such campaign.

    Only a verification tied to the person (identity confirmed) counts: someone merely drawn, or not
    reached, was not checked and may be drawn again.
    """
    stmt = _recent_units([Person.id_number, func.max(FollowUpTask.campaign_id)], campaign_id, months, now)
    return dict(session.execute(stmt.group_by(stmt.selected_columns[0])).all())


def excluded_counts(session, snapshot_ids: list[int], definition: dict, campaign_id: int,
                    now: datetime | None = None) -> dict[str, int]:
    """Count per stratum the frame rows the exclusion rule would leave out, for the live preview."""
    months = definition.get("exclude_months")
    if not months:
        return {}
    recent = _recent_units([Person.id_number], campaign_id, months, now)
    return stratum_counts(session, snapshot_ids, definition, Person.id_number.in_(recent.scalar_subquery()))


def excluded_positions(frame: Frame, verified: dict[str, int]) -> tuple[np.ndarray, list[str]]:
    """Return the frame positions whose ID number is in `verified`, with the reason of each."""
    numbers = frame.id_numbers()
    positions = [i for i, number in enumerate(numbers) if number in verified]
    reasons = [f"{EXCLUSION_REASON}:{verified[numbers[i]]}" for i in positions]
    return np.array(positions, dtype=np.int64), reasons
