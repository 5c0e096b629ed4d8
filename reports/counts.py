"""The counting behind the dashboard: a few grouped SQL queries count a draw's sample per stratum (and the
replacements, the rectification items and the daily progress); numpy arrays hold the counts.

Units are the draw's active sample units (replaced ones are out of scope and left out). A unit is
resolved when it has a verification record; every other unit is open, whether still being worked
or closed without a conclusion (unreachable, refused, …): see docs/statistics.md, "The dashboard".
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlalchemy import Text, and_, cast, func, or_, select

from campaigns.design import split_stratum
from config.dispositions import OUTCOME_CATEGORY
from config.verification import DISCREPANCY_TYPES, SERVICES
from models import Draw, FollowUpSnapshot, FollowUpTask, RectificationItem, SampleUnit, Verification
from sampling.rates import Outcome

ANY = "any"
TYPE_CODES = tuple(code for code, _zh, _en in DISCREPANCY_TYPES)
TYPES = (*TYPE_CODES, ANY)
SERVICE_CODES = tuple(code for code, _zh, _en in SERVICES)
CATEGORIES = tuple(o.value for o in Outcome)


@dataclass
class StratumCounts:
    """Counts per stratum of one draw, as numpy arrays in the order of `strata`."""

    strata: list[str]
    county: list[str]
    N: np.ndarray  # frame size (from the draw)
    units: np.ndarray  # active sample units
    resolved: np.ndarray  # units with a verification record (m)
    out_of_scope: np.ndarray  # closed as out of scope, not yet replaced: in no denominator
    in_progress: np.ndarray  # still being worked
    discrepant: dict[str, np.ndarray]  # type -> units with that confirmed type (d)
    outcomes: dict[str, np.ndarray]  # AAPOR-style category -> units
    services_answered: np.ndarray  # verified units whose record lists the services received
    services: dict[str, np.ndarray]  # service -> units that received it
    attempts: np.ndarray  # calls and visits made

    @property
    def open(self) -> np.ndarray:
        """Return the unresolved units: in the sample, without a conclusion."""
        return self.units - self.out_of_scope - self.resolved

    def select(self, mask: np.ndarray) -> StratumCounts:
        """Return the counts of the strata where mask is true."""
        idx = np.flatnonzero(mask)
        pick = lambda a: a[idx]  # noqa: E731
        return StratumCounts(
            strata=[self.strata[i] for i in idx], county=[self.county[i] for i in idx], N=pick(self.N),
            units=pick(self.units), resolved=pick(self.resolved), out_of_scope=pick(self.out_of_scope),
            in_progress=pick(self.in_progress), discrepant={k: pick(v) for k, v in self.discrepant.items()},
            outcomes={k: pick(v) for k, v in self.outcomes.items()}, services_answered=pick(self.services_answered),
            services={k: pick(v) for k, v in self.services.items()}, attempts=pick(self.attempts))


def json_list_has(column, code: str):
    """Match a JSON list column holding the string code (the same text test on SQLite and PostgreSQL)."""
    return cast(column, Text).contains(f'"{code}"', autoescape=True)


def confirmed_record(task):
    """Join condition of a task's verification record, when it is tied to the sampled person.

    A record whose identity was not confirmed proves nothing about the registration: the unit counts
    as reached but not resolved, in every figure and in the cases behind it.
    """
    return and_(Verification.task_id == task.id, Verification.identity_confirmed.is_(True))


def _category(status: str | None, outcome: str | None) -> str:
    """Return the outcome category of units without a verification record in one status group."""
    if status != "closed":
        return Outcome.OPEN.value  # no task yet, open, or contact made but the record not yet in
    if outcome == "out_of_scope":
        return "out_of_scope"
    if outcome == "verified":
        # Closed as verified without a record tied to the sampled person (identity not confirmed):
        # someone was reached but the person was not interviewed. Not resolved.
        return Outcome.OTHER.value
    return OUTCOME_CATEGORY.get(outcome or "", Outcome.OTHER.value)


def count_strata(session, draw: Draw, county: str | None = None) -> StratumCounts:
    """Count the draw's active units per stratum with one grouped query."""
    rows = session.execute(_strata_query(draw, county)).all()
    strata = {name: spec for name, spec in (draw.strata or {}).items()}
    names, counties, index = _stratum_order(rows, strata, county)
    size = len(names)
    zeros = lambda: np.zeros(size, dtype=np.int64)  # noqa: E731
    c = StratumCounts(
        strata=names, county=counties,
        N=np.array([int((strata.get(n) or {}).get("N", 0)) for n in names], dtype=np.int64),
        units=zeros(), resolved=zeros(), out_of_scope=zeros(), in_progress=zeros(),
        discrepant={t: zeros() for t in TYPES}, outcomes={k: zeros() for k in CATEGORIES},
        services_answered=zeros(), services={s: zeros() for s in SERVICE_CODES}, attempts=zeros())
    for row in rows:
        _add_row(c, index[row[0]], row)
    # A stratum whose frame size is unknown (a draw without strata) counts its units as the frame.
    c.N = np.maximum(c.N, c.units)
    return c


def _strata_query(draw: Draw, county: str | None):
    """Build the grouped query: per stratum, task status and outcome, the units, records and counts."""
    U, T, V = SampleUnit, FollowUpTask, Verification
    type_counts = [func.count(V.id).filter(json_list_has(V.discrepancies, t)) for t in TYPE_CODES]
    any_count = func.count(V.id).filter(or_(*(json_list_has(V.discrepancies, t) for t in TYPE_CODES)))
    service_counts = [func.count(V.id).filter(json_list_has(V.services, s)) for s in SERVICE_CODES]
    answered = func.count(V.id).filter(cast(V.services, Text).like("[%"))
    stmt = (
        select(U.stratum, U.county_code, T.status, T.final_outcome, func.count(U.id), func.count(V.id),
               *type_counts, any_count, answered, *service_counts,
               func.coalesce(func.sum(T.phone_attempts_used + T.visit_attempts_used), 0))
        .select_from(U)
        .outerjoin(T, T.sample_unit_id == U.id)
        .outerjoin(V, confirmed_record(T))
        .where(U.draw_id == draw.id, U.status == "active")
        .group_by(U.stratum, U.county_code, T.status, T.final_outcome)
    )
    if county is not None:
        stmt = stmt.where(U.county_code == county)
    return stmt


def _stratum_order(rows, strata: dict, county: str | None) -> tuple[list[str], list[str], dict[str, int]]:
    """Return the strata in the order first met (then the draw's strata without active units), their
    counties, and each one's position."""
    index: dict[str, int] = {}
    names: list[str] = []
    counties: list[str] = []

    def slot(stratum: str, county_code: str) -> None:
        if stratum not in index:
            index[stratum] = len(names)
            names.append(stratum)
            counties.append(county_code)

    for row in rows:
        slot(row[0], row[1])
    # Strata of the draw without any active unit still weigh in the overall bounds.
    if county is None:
        for name in strata:
            if name not in index:
                slot(name, split_stratum(name)[0])
    return names, counties, index


def _add_row(c: StratumCounts, i: int, row) -> None:
    """Add one row of the grouped query to stratum i's counts."""
    k = len(TYPE_CODES)
    status, outcome, units, verified = row[2], row[3], row[4], row[5]
    c.units[i] += units
    c.resolved[i] += verified
    c.outcomes[Outcome.COMPLETE.value][i] += verified
    category = _category(status, outcome)
    rest = units - verified
    if category == "out_of_scope":
        c.out_of_scope[i] += rest
    else:
        c.outcomes[category][i] += rest
    if status != "closed":
        c.in_progress[i] += rest
    for j, t in enumerate(TYPE_CODES):
        c.discrepant[t][i] += row[6 + j]
    c.discrepant[ANY][i] += row[6 + k]
    c.services_answered[i] += row[7 + k]
    for j, s in enumerate(SERVICE_CODES):
        c.services[s][i] += row[8 + k + j]
    c.attempts[i] += row[-1]


def replacement_counts(session, draw: Draw, county: str | None = None) -> dict[str, dict[str, int]]:
    """Count per county the units replaced by a reserve (out of scope), by reason."""
    stmt = (select(SampleUnit.county_code, SampleUnit.replacement_reason, func.count())
            .where(SampleUnit.draw_id == draw.id, SampleUnit.status == "replaced")
            .group_by(SampleUnit.county_code, SampleUnit.replacement_reason))
    if county is not None:
        stmt = stmt.where(SampleUnit.county_code == county)
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for code, reason, n in session.execute(stmt):
        counts[code][reason or ""] = n
    return dict(counts)


def replaced_summary(by_reason: dict[str, int]) -> dict:
    return {"total": sum(by_reason.values()), "reasons": dict(sorted(by_reason.items()))}


def rectification_counts(session, campaign_id: int, today: date, county: str | None = None) -> dict[str, dict]:
    """Count each county's rectification items by status, and the overdue ones."""
    R = RectificationItem
    overdue = func.count(R.id).filter(and_(R.status == "open", R.due_on < today))
    stmt = (select(R.county_code, R.status, func.count(R.id), overdue)
            .where(R.campaign_id == campaign_id).group_by(R.county_code, R.status))
    if county is not None:
        stmt = stmt.where(R.county_code == county)
    result: dict[str, dict] = defaultdict(lambda: {"open": 0, "rectified": 0, "accepted": 0, "withdrawn": 0,
                                                   "overdue": 0, "total": 0})
    for code, status, count, late in session.execute(stmt):
        entry = result[code]
        entry[status] = entry.get(status, 0) + count
        entry["overdue"] += late
        if status != "withdrawn":
            entry["total"] += count
    return dict(result)


def sum_rectification(parts) -> dict:
    total = {"open": 0, "rectified": 0, "accepted": 0, "withdrawn": 0, "overdue": 0, "total": 0}
    for part in parts:
        for key in total:
            total[key] += part.get(key, 0)
    return total


PROGRESS_KEYS = ("tasks", "open", "awaiting_record", "closed", "verified", "with_discrepancy", "attempts")


def progress(session, campaign_id: int, county: str | None = None, counties: set[str] | None = None) -> dict:
    """Return the daily snapshots summed per day in SQL: the follow-up's progress over time."""
    S = FollowUpSnapshot
    sums = [func.coalesce(func.sum(S.figures[key].as_integer()), 0) for key in PROGRESS_KEYS]
    stmt = select(S.day, *sums).where(S.campaign_id == campaign_id).group_by(S.day).order_by(S.day)
    if county is not None:
        stmt = stmt.where(S.county_code == county)
    elif counties is not None:
        stmt = stmt.where(S.county_code.in_(counties))
    rows = session.execute(stmt).all()
    return {"days": [row[0].isoformat() for row in rows],
            **{key: [int(row[i + 1]) for row in rows] for i, key in enumerate(PROGRESS_KEYS)}}
