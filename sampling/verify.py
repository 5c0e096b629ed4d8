"""The verifier of a stored draw: re-derive it from its seed and frame and say whether, and where, it differs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from sampling.draw import ALGORITHM, draw_stratified, seed_from_text
from sampling.errors import Finding, SamplingInputError


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
