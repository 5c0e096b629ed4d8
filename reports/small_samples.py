"""Early in a campaign: below a minimum of resolved units a county (or the campaign) shows its counts, not a
rate, an interval or a standard error. One verified case would otherwise read "100 % · 0–100 % · SE 0"."""

from __future__ import annotations

MIN_RESOLVED_FOR_ESTIMATE = 10  # the default of the setting of the same name
TOO_FEW_RESOLVED = "too_few_resolved"


def withhold_small(rates: dict[str, dict], resolved: int, units: int, min_resolved: int) -> dict[str, dict]:
    """Blank the rate, interval and SE of every type when fewer than min_resolved units are resolved.

    One verified case gives "100 % · interval 0–100 % · SE 0": numbers that look like findings and are
    none. The counts stay, with the reason, so that pages and the API say why no rate is shown.
    """
    if resolved >= min_resolved:
        return rates
    blank = {"p": None, "low": None, "high": None, "reason": TOO_FEW_RESOLVED, "resolved": resolved,
             "sampled": units, "min_resolved": min_resolved}
    return {t: r | blank | ({"se": None} if "se" in r else {}) for t, r in rates.items()}


def withhold_small_services(services: dict[str, dict], resolved: int, min_resolved: int) -> dict[str, dict]:
    """Blank the coverage shares and intervals below min_resolved, as withhold_small does for the rates."""
    if resolved >= min_resolved:
        return services
    return {s: entry | {"p": None, "low": None, "high": None, "reason": TOO_FEW_RESOLVED} if "low" in entry
            else entry | {"p": None, "reason": TOO_FEW_RESOLVED} for s, entry in services.items()}


def estimate_note(resolved: int, units: int, min_resolved: int) -> dict | None:
    """Say, for a block, why its rates are withheld (None when they are shown)."""
    if resolved >= min_resolved:
        return None
    return {"reason": TOO_FEW_RESOLVED, "resolved": resolved, "sampled": units, "min_resolved": min_resolved}
