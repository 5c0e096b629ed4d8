"""The planned sizes of a design over the present frame, shown before anything is drawn (reads only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from auth import scope
from campaigns import register_strata
from campaigns.design import (
    REGISTER_FINDING,
    Design,
    combined_margin,
    plan_sizes,
    split_stratum,
    stratum_rates,
)
from campaigns.frame import excluded_counts, stratum_counts
from campaigns.service import snapshots_for
from models import Campaign
from sampling.sizes import margin_of_error


@dataclass
class Preview:
    """The planned sizes of a design over the present frame: one row per stratum, county and in all."""

    strata: list[dict]
    counties: list[dict]
    total: dict
    excluded: int

    def as_dict(self) -> dict:
        return {"strata": self.strata, "counties": self.counties, "total": self.total, "excluded": self.excluded}


def _finite(value: float | None) -> float | None:
    return None if value is None or value != value or value == float("inf") else round(value, 6)


def _fraction(parts) -> float | None:
    """Return the sampling fraction n/N over strata given as (N_h, n_h, …)."""
    big_n = sum(p[0] for p in parts)
    return _finite(sum(p[1] for p in parts) / big_n) if big_n else None


def summarise(populations: dict[str, int], sizes: dict[str, int], reserves: dict[str, int],
              confidence: float, rates: dict[str, float], excluded: int = 0) -> Preview:
    """Tabulate N_h, n_h, r_h and margins of error per stratum (at its anticipated rate p_h), per county
    and overall."""
    strata = []
    # county -> the (N_h, n_h, r_h, p_h) of its strata
    by_county: dict[str, list[tuple[int, int, int, float]]] = {}
    for name in sorted(populations):
        big_n, n, r, p = populations[name], sizes.get(name, 0), reserves.get(name, 0), rates[name]
        county, value = split_stratum(name)
        margin = margin_of_error(n, big_n, confidence, p) if big_n else None
        strata.append({"stratum": name, "county": county, "value": value, "N": big_n, "n": n, "reserves": r,
                       "fraction": _finite(n / big_n) if big_n else None, "margin": _finite(margin)})
        by_county.setdefault(county, []).append((big_n, n, r, p))
    counties = [{"county": code, "N": sum(p[0] for p in parts), "n": sum(p[1] for p in parts),
                 "reserves": sum(p[2] for p in parts), "fraction": _fraction(parts),
                 "margin": _finite(combined_margin([(p[0], p[1], p[3]) for p in parts], confidence))}
                for code, parts in sorted(by_county.items())]
    everything = [(populations[h], sizes.get(h, 0), rates[h]) for h in populations]
    total = {"N": sum(populations.values()), "n": sum(sizes.values()), "reserves": sum(reserves.values()),
             "fraction": _fraction([(populations[h], sizes.get(h, 0)) for h in populations]),
             "margin": _finite(combined_margin(everything, confidence))}
    return Preview(strata, counties, total, excluded)


def preview(session, campaign: Campaign, design: Design, now: datetime | None = None) -> Preview:
    """Plan a design over the present frame without drawing anything."""
    scope.check_campaign(campaign)
    if design.stratify_by == REGISTER_FINDING:
        register_strata.require_match(session)
    snapshots = snapshots_for(session, design)
    definition = design.frame_definition()
    ids = sorted(snapshots.values())
    populations = stratum_counts(session, ids, definition)
    if not design.stratify_by:
        populations = {code: populations.get(code, 0) for code in design.counties}
    left_out = excluded_counts(session, ids, definition, campaign.id, now)
    for name, count in left_out.items():
        populations[name] -= count
    sizes, reserves = plan_sizes(design, populations)
    # Neyman allocation plans with a rate per stratum; the margins shown should use the same rates.
    rates = stratum_rates(design, populations) if design.allocation == "neyman" else dict.fromkeys(populations,
                                                                                                    design.rate)
    return summarise(populations, sizes, reserves, design.confidence, rates, sum(left_out.values()))
