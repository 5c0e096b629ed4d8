"""Dashboard figures: a few grouped SQL queries count the sample per stratum, numpy sums them per
county, and the pure estimators of sampling/ turn the counts into rates, intervals and conclusions.

Units are the draw's active sample units (replaced ones are out of scope and left out). A unit is
resolved when it has a verification record; every other unit is open, whether still being worked
or closed without a conclusion (unreachable, refused, …): see docs/statistics.md, "The dashboard".
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np
from sqlalchemy import Text, and_, cast, func, or_, select

from campaigns.design import split_stratum
from campaigns.service import current_draw
from config.dispositions import OUTCOME_CATEGORY
from config.verification import DISCREPANCY_TYPES, SERVICES
from models import (
    Campaign,
    Draw,
    FollowUpSnapshot,
    FollowUpTask,
    RectificationItem,
    SampleUnit,
    Verification,
)
from reports.small_samples import (
    MIN_RESOLVED_FOR_ESTIMATE,
    estimate_note,
    withhold_small,
    withhold_small_services,
)
from sampling.audit import audit_conclusion
from sampling.audit import clear_cache as clear_audit_cache
from sampling.binomial import exact_fraction
from sampling.estimates import LOGIT, WILSON, rate_estimate, stratified_estimate
from sampling.rates import Outcome, outcome_rates

ANY = "any"
TYPE_CODES = tuple(code for code, _zh, _en in DISCREPANCY_TYPES)
TYPES = (*TYPE_CODES, ANY)
SERVICE_CODES = tuple(code for code, _zh, _en in SERVICES)
CATEGORIES = tuple(o.value for o in Outcome)
INTERVAL_CONFIDENCE = 0.95  # two-sided intervals; the audit conclusion uses the campaign's confidence


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


@dataclass
class Options:
    """How the figures are computed: the interval method and the day overdue items are counted on."""

    method: str = WILSON  # per-county interval: wilson or clopper-pearson
    overall_method: str = LOGIT  # stratified interval: logit or korn-graubard
    today: date | None = None
    counties: set[str] | None = None  # None: every county; else only these in the county list
    # Below this many resolved units a county (or the whole campaign) shows its counts, not a rate.
    min_resolved: int = MIN_RESOLVED_FOR_ESTIMATE



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
    rows = session.execute(stmt).all()

    strata = {name: spec for name, spec in (draw.strata or {}).items()}
    index: dict[str, int] = {}
    names: list[str] = []
    counties: list[str] = []

    def slot(stratum: str, county_code: str) -> int:
        if stratum not in index:
            index[stratum] = len(names)
            names.append(stratum)
            counties.append(county_code)
        return index[stratum]

    for row in rows:
        slot(row[0], row[1])
    # Strata of the draw without any active unit still weigh in the overall bounds.
    if county is None:
        for name in strata:
            if name not in index:
                slot(name, split_stratum(name)[0])
    size = len(names)
    zeros = lambda: np.zeros(size, dtype=np.int64)  # noqa: E731
    c = StratumCounts(
        strata=names, county=counties,
        N=np.array([int((strata.get(n) or {}).get("N", 0)) for n in names], dtype=np.int64),
        units=zeros(), resolved=zeros(), out_of_scope=zeros(), in_progress=zeros(),
        discrepant={t: zeros() for t in TYPES}, outcomes={k: zeros() for k in CATEGORIES},
        services_answered=zeros(), services={s: zeros() for s in SERVICE_CODES}, attempts=zeros())
    k = len(TYPE_CODES)
    for row in rows:
        i = index[row[0]]
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
    # A stratum whose frame size is unknown (a draw without strata) counts its units as the frame.
    c.N = np.maximum(c.N, c.units)
    return c


def _rate_dict(estimate, in_progress: int) -> dict:
    """Describe a RateEstimate for pages and the API."""
    return {"d": estimate.d, "m": estimate.m, "open": estimate.open_units, "in_progress": in_progress,
            "p": estimate.p, "low": estimate.low, "high": estimate.high,
            "worst_case": estimate.worst_case, "best_case": estimate.best_case, "method": estimate.method,
            "reason": None}


def _stratified_dict(estimate, d: int, in_progress: int, c: StratumCounts) -> dict:
    """Describe a StratifiedEstimate for pages and the API, naming the strata with nothing resolved."""
    return {"d": d, "m": estimate.n, "open": estimate.open_units, "in_progress": in_progress,
            "p": estimate.p, "low": estimate.low, "high": estimate.high, "se": estimate.se, "df": estimate.df,
            "worst_case": estimate.worst_case, "best_case": estimate.best_case, "method": estimate.method,
            "interval_rule": estimate.interval_rule, "coverage": estimate.coverage, "complete": estimate.complete,
            "excluded": sorted(c.strata[i] for i in estimate.strata_excluded), "reason": None}


# The estimators are pure functions of a few integers; most counties' counts do not change between two
# loads of the dashboard, so their results are kept (frozen dataclasses, safe to share).
@lru_cache(maxsize=200_000)
def cached_rate(d: int, m: int, open_units: int, method: str):
    """Return rate_estimate at the interval confidence, computed once per distinct input."""
    return rate_estimate(d, m, open_units, INTERVAL_CONFIDENCE, method)


@lru_cache(maxsize=50_000)
def cached_audit(d: int, m: int, tolerable: float, confidence: float, open_units: int, population: int):
    """Return audit_conclusion, computed once per distinct input, on the rates as the decimals typed."""
    return audit_conclusion(d, m, exact_fraction(tolerable), exact_fraction(confidence), open_units=open_units,
                            population=population)


def clear_caches() -> None:
    """Forget every cached estimate (the benchmark's cold runs)."""
    cached_rate.cache_clear()
    cached_audit.cache_clear()
    clear_audit_cache()


class _Memo:
    """The interval methods and the minimum resolved units of one set of figures."""

    def __init__(self, method: str, overall_method: str = LOGIT, min_resolved: int = MIN_RESOLVED_FOR_ESTIMATE):
        self.method = method
        self.overall_method = overall_method
        self.min_resolved = min_resolved

    def rate(self, d: int, m: int, open_units: int):
        return cached_rate(d, m, open_units, self.method)


def rates_for(c: StratumCounts, memo: _Memo) -> dict[str, dict]:
    """Return the rate of every discrepancy type over the given strata (one county or all)."""
    open_h = c.open
    in_progress = int(c.in_progress.sum())
    result = {}
    if len(c.strata) == 1:
        for t in TYPES:
            result[t] = _rate_dict(memo.rate(int(c.discrepant[t][0]), int(c.resolved[0]), int(open_h[0])),
                                   in_progress)
        return result
    for t in TYPES:
        estimate = stratified_estimate(c.N.tolist(), c.resolved.tolist(), c.discrepant[t].tolist(),
                                       INTERVAL_CONFIDENCE, memo.overall_method, open_h=open_h.tolist())
        result[t] = _stratified_dict(estimate, int(c.discrepant[t].sum()), in_progress, c)
    return result


def outcome_figures(c: StratumCounts) -> dict:
    """Return the outcome counts and the AAPOR-style rates over the given strata."""
    rates = outcome_rates({k: int(v.sum()) for k, v in c.outcomes.items()})
    return {"counts": {k.value: v for k, v in rates.counts.items()}, "total": rates.total,
            "open": rates.open_units, "final": rates.final,
            "completion_rate": rates.response_rate_1, "completion_rate_with_partials": rates.response_rate_2,
            "refusal_rate": rates.refusal_rate_1, "cooperation_rate": rates.cooperation_rate_1,
            "contact_rate": rates.contact_rate_1}


def service_figures(c: StratumCounts, memo: _Memo, intervals: bool = True) -> dict:
    """Return per service how many verified persons received it, the share, and (if asked) its interval."""
    result = {}
    answered = int(c.services_answered.sum())
    for s in SERVICE_CODES:
        got = int(c.services[s].sum())
        entry = {"count": got, "answered": answered, "p": got / answered if answered else None}
        if intervals and (len(c.strata) == 1 or answered == 0):
            est = memo.rate(got, answered, 0)
            entry |= {"low": est.low, "high": est.high}
        elif intervals:
            est = stratified_estimate(c.N.tolist(), c.services_answered.tolist(), c.services[s].tolist(),
                                      INTERVAL_CONFIDENCE, memo.overall_method)
            entry |= {"p": est.p, "low": est.low, "high": est.high}
        result[s] = entry
    return result


def audit_figures(rate: dict, campaign: Campaign, population: int) -> dict:
    """Return a county's audit conclusion on its 'any discrepancy' rate."""
    result = cached_audit(rate["d"], rate["m"], campaign.tolerable_rate, campaign.confidence, rate["open"],
                          population)
    return {"status": result.status, "upper": result.upper, "lower": result.lower, "n_needed": result.n_needed,
            "status_if_open_discrepant": result.status_if_open_discrepant,
            "status_if_open_clean": result.status_if_open_clean,
            "tolerable": result.tolerable, "confidence": result.confidence}


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


def _replaced(by_reason: dict[str, int]) -> dict:
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


def _sum_rectification(parts) -> dict:
    total = {"open": 0, "rectified": 0, "accepted": 0, "withdrawn": 0, "overdue": 0, "total": 0}
    for part in parts:
        for key in total:
            total[key] += part.get(key, 0)
    return total


def county_block(c: StratumCounts, campaign: Campaign, memo: _Memo, code: str, intervals: bool = True) -> dict:
    """Return every figure of one county from its strata's counts."""
    rates = rates_for(c, memo)
    population = int(c.N.sum())
    resolved, units = int(c.resolved.sum()), int(c.units.sum())
    return {
        "code": code, "population": population, "strata": len(c.strata), "units": units,
        "resolved": resolved, "open": int(c.open.sum()), "in_progress": int(c.in_progress.sum()),
        "out_of_scope": int(c.out_of_scope.sum()), "attempts": int(c.attempts.sum()),
        "estimate": estimate_note(resolved, units, memo.min_resolved),
        "rates": withhold_small(rates, resolved, units, memo.min_resolved),
        "audit": audit_figures(rates[ANY], campaign, population),
        "outcomes": outcome_figures(c),
        "services": withhold_small_services(service_figures(c, memo, intervals), resolved, memo.min_resolved),
    }


def _sort_key(block: dict):
    """Sort counties by their 'any' rate, highest first; counties with too few resolved units last."""
    p = block["rates"][ANY]["p"]
    return (p is None, -(p or 0.0), block["code"])


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


def campaign_figures(session, campaign: Campaign, options: Options | None = None) -> dict:
    """Compute the whole dashboard of a campaign: overall, per county, progress and rectification."""
    options = options or Options()
    draw = current_draw(campaign)
    memo = _Memo(options.method, options.overall_method, options.min_resolved)
    result = _header(campaign, draw, options)
    today = options.today or date.today()
    rect = rectification_counts(session, campaign.id, today)
    if draw is None:
        return result | {"overall": None, "counties": [], "progress": progress(session, campaign.id,
                                                                               counties=options.counties),
                         "rectification": _sum_rectification(rect.values())}
    c = count_strata(session, draw)
    replaced = replacement_counts(session, draw)
    county_codes = sorted(set(c.county))
    county_arr = np.array(c.county, dtype=object)
    blocks = []
    for code in county_codes:
        if options.counties is not None and code not in options.counties:
            continue
        # The county table shows service shares; their intervals are on each county's own page.
        block = county_block(c.select(county_arr == code), campaign, memo, code, intervals=False)
        block["rectification"] = rect.get(code, _sum_rectification([]))
        block["replaced"] = _replaced(replaced.get(code, {}))
        blocks.append(block)
    blocks.sort(key=_sort_key)
    overall = _overall_block(c, memo)
    overall["rectification"] = _sum_rectification(rect.values())
    overall["audit_summary"] = _audit_summary(blocks)
    everywhere: dict[str, int] = defaultdict(int)
    for by_reason in replaced.values():
        for reason, n in by_reason.items():
            everywhere[reason] += n
    overall["replaced"] = _replaced(everywhere)
    # A county-scoped reader follows their own counties' progress, as the progress endpoint gives it.
    return result | {"overall": overall, "counties": blocks,
                     "progress": progress(session, campaign.id, counties=options.counties)}


def _overall_block(c: StratumCounts, memo: _Memo) -> dict:
    """Return the overall figures: stratified rates over every stratum of the draw."""
    if len(c.strata) == 0:
        return {"units": 0, "resolved": 0, "open": 0, "in_progress": 0, "out_of_scope": 0, "attempts": 0,
                "population": 0, "rates": {}, "outcomes": outcome_figures(c), "services": {}, "estimate": None}
    rates = {}
    for t in TYPES:
        estimate = stratified_estimate(c.N.tolist(), c.resolved.tolist(), c.discrepant[t].tolist(),
                                       INTERVAL_CONFIDENCE, memo.overall_method, open_h=c.open.tolist())
        rates[t] = _stratified_dict(estimate, int(c.discrepant[t].sum()), int(c.in_progress.sum()), c)
    resolved, units = int(c.resolved.sum()), int(c.units.sum())
    return {"population": int(c.N.sum()), "strata": len(c.strata), "units": units,
            "resolved": resolved, "open": int(c.open.sum()), "in_progress": int(c.in_progress.sum()),
            "out_of_scope": int(c.out_of_scope.sum()), "attempts": int(c.attempts.sum()),
            "estimate": estimate_note(resolved, units, memo.min_resolved),
            "rates": withhold_small(rates, resolved, units, memo.min_resolved),
            "outcomes": outcome_figures(c),
            "services": withhold_small_services(service_figures(c, memo), resolved, memo.min_resolved)}


def _audit_summary(blocks: list[dict]) -> dict:
    """Count the visible counties per audit conclusion."""
    summary = {"within": 0, "over": 0, "inconclusive": 0}
    for block in blocks:
        summary[block["audit"]["status"]] += 1
    return summary


def county_figures(session, campaign: Campaign, code: str, options: Options | None = None) -> dict:
    """Compute one county's figures only (the drill-down): its strata, progress and rectification."""
    options = options or Options()
    draw = current_draw(campaign)
    memo = _Memo(options.method, options.overall_method, options.min_resolved)
    today = options.today or date.today()
    rect = rectification_counts(session, campaign.id, today, county=code)
    result = _header(campaign, draw, options) | {"progress": progress(session, campaign.id, county=code)}
    block = None
    if draw is not None:
        c = count_strata(session, draw, county=code)
        if c.strata:
            block = county_block(c, campaign, memo, code)
            block["rectification"] = rect.get(code, _sum_rectification([]))
            block["replaced"] = _replaced(replacement_counts(session, draw, code).get(code, {}))
    return result | {"county": block}


def _header(campaign: Campaign, draw: Draw | None, options: Options) -> dict:
    """Return what every set of figures starts with: the campaign, the draw and the methods."""
    return {"campaign": {"id": campaign.id, "name": campaign.name, "tolerable_rate": campaign.tolerable_rate,
                         "confidence": campaign.confidence},
            "draw": _draw_dict(draw), "method": options.method, "overall_method": options.overall_method,
            "min_resolved": options.min_resolved,
            "interval_confidence": INTERVAL_CONFIDENCE, "types": list(TYPES), "services": list(SERVICE_CODES)}


def _draw_dict(draw: Draw | None) -> dict | None:
    if draw is None:
        return None
    return {"id": draw.id, "created_at": draw.created_at.isoformat(), "frame_size": draw.frame_size,
            "stratify_by": (draw.frame_definition or {}).get("stratify_by")}
