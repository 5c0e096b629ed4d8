"""Dashboard figures: the counts of counts.py, summed per county, turned into rates, intervals and audit
conclusions by the pure estimators of sampling/, and laid out as the pages, API and exports show them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np

from campaigns.service import current_draw
from models import Campaign, Draw
from reports.counts import (
    ANY,
    SERVICE_CODES,
    TYPES,
    StratumCounts,
    count_strata,
    progress,
    rectification_counts,
    replaced_summary,
    replacement_counts,
    sum_rectification,
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
from sampling.rates import outcome_rates
from sampling.weighted_audit import is_self_weighting, weighted_audit_conclusion

INTERVAL_CONFIDENCE = 0.95  # two-sided intervals; the audit conclusion uses the campaign's confidence


@dataclass
class Options:
    """How the figures are computed: the interval method and the day overdue items are counted on."""

    method: str = WILSON  # per-county interval: wilson or clopper-pearson
    overall_method: str = LOGIT  # stratified interval: logit or korn-graubard
    today: date | None = None
    counties: set[str] | None = None  # None: every county; else only these in the county list
    # Whether the city-wide aggregates (全市) are computed and shown: False for a county liaison unless
    # LIAISON_SEES_CITY allows it (reports.access.options decides, for pages, API and exports alike).
    city: bool = True
    # Below this many resolved units a county (or the whole campaign) shows its counts, not a rate.
    min_resolved: int = MIN_RESOLVED_FOR_ESTIMATE



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


def audit_figures(rate: dict, campaign: Campaign, population: int, c: StratumCounts | None = None,
                  method: str = LOGIT) -> dict:
    """Return a county's audit conclusion on its 'any discrepancy' rate: exact on the pooled counts when
    its strata were sampled at one fraction, else on the design-weighted rate (sampling/weighted_audit.py)."""
    if c is not None and not is_self_weighting(c.N.tolist(), c.units.tolist()):
        result = weighted_audit_conclusion(c.N.tolist(), c.resolved.tolist(), c.discrepant[ANY].tolist(),
                                           exact_fraction(campaign.tolerable_rate),
                                           exact_fraction(campaign.confidence), open_h=c.open.tolist(),
                                           method=method)
    else:
        result = cached_audit(rate["d"], rate["m"], campaign.tolerable_rate, campaign.confidence, rate["open"],
                              population)
    return {"status": result.status, "upper": result.upper, "lower": result.lower, "n_needed": result.n_needed,
            "status_if_open_discrepant": result.status_if_open_discrepant,
            "status_if_open_clean": result.status_if_open_clean,
            "tolerable": result.tolerable, "confidence": result.confidence, "weighted": result.weighted}


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
        "audit": audit_figures(rates[ANY], campaign, population, c, memo.overall_method),
        "outcomes": outcome_figures(c),
        "services": withhold_small_services(service_figures(c, memo, intervals), resolved, memo.min_resolved),
    }


def _sort_key(block: dict):
    """Sort counties by their 'any' rate, highest first; counties with too few resolved units last."""
    p = block["rates"][ANY]["p"]
    return (p is None, -(p or 0.0), block["code"])


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
                         "rectification": sum_rectification(rect.values())}
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
        block["rectification"] = rect.get(code, sum_rectification([]))
        block["replaced"] = replaced_summary(replaced.get(code, {}))
        blocks.append(block)
    blocks.sort(key=_sort_key)
    if not options.city:
        # The reader may not see the city-wide aggregates: they are not computed, so none can leak.
        return result | {"overall": None, "counties": blocks,
                         "progress": progress(session, campaign.id, counties=options.counties)}
    overall = _overall_block(c, memo)
    overall["rectification"] = sum_rectification(rect.values())
    overall["audit_summary"] = _audit_summary(blocks)
    everywhere: dict[str, int] = defaultdict(int)
    for by_reason in replaced.values():
        for reason, n in by_reason.items():
            everywhere[reason] += n
    overall["replaced"] = replaced_summary(everywhere)
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
            block["rectification"] = rect.get(code, sum_rectification([]))
            block["replaced"] = replaced_summary(replacement_counts(session, draw, code).get(code, {}))
    return result | {"county": block}


def county_blocks(session, campaign: Campaign, codes: list[str], options: Options | None = None) -> dict[str, dict | None]:
    """Return each county's block as county_figures(...)["county"] gives it, reading the draw's counts once.

    For documents that speak of every county: one grouped query for the whole draw instead of one per
    county. A county's strata are those with active units, as in its drill-down.
    """
    options = options or Options()
    draw = current_draw(campaign)
    if draw is None:
        return dict.fromkeys(codes)
    memo = _Memo(options.method, options.overall_method, options.min_resolved)
    rect = rectification_counts(session, campaign.id, options.today or date.today())
    replaced = replacement_counts(session, draw)
    c = count_strata(session, draw)
    county_arr = np.array(c.county, dtype=object)
    blocks: dict[str, dict | None] = {}
    for code in codes:
        mask = (county_arr == code) & (c.units > 0)
        if not mask.any():
            blocks[code] = None
            continue
        block = county_block(c.select(mask), campaign, memo, code)
        block["rectification"] = rect.get(code, sum_rectification([]))
        block["replaced"] = replaced_summary(replaced.get(code, {}))
        blocks[code] = block
    return blocks


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
