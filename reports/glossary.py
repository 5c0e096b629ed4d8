"""The words of the figures: a plain name and a one-line explanation for every rate and interval the
pages, the API and the exports show, with the AAPOR code of the outcome rates in small print.

One table, read by the glossary page (/reports/glossary), the tooltips (the `term` macro), the API
(/api/v1/glossary) and the notes sheet of the exports, so that a rate means the same everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Term:
    """One word of the figures: its key, plain name, AAPOR code (or None) and one-line explanation."""

    key: str
    name: object  # a lazy string: read in the reader's language
    code: str | None
    explanation: object
    group: str  # "outcome" (AAPOR rates) or "discrepancy" (rates of problems and their intervals)

    def as_dict(self) -> dict:
        """Describe the term in the reader's language (API, exports)."""
        return {"key": self.key, "name": str(self.name), "code": self.code, "explanation": str(self.explanation),
                "group": self.group}


TERMS: tuple[Term, ...] = (
    Term("contact_rate", _l("Contact rate"), "CON1", _l(
        "Share of all sampled persons who were reached (completed, partial, refused or other contact)."), "outcome"),
    Term("completion_rate", _l("Call-back completion rate"), "RR1", _l(
        "Share of all sampled persons whose verification was completed."), "outcome"),
    Term("completion_rate_with_partials", _l("Completion rate with partials"), "RR2", _l(
        "Share of all sampled persons whose verification was completed or partly completed."), "outcome"),
    Term("cooperation_rate", _l("Cooperation rate"), "COOP1", _l(
        "Of the persons reached, the share who completed the verification."), "outcome"),
    Term("refusal_rate", _l("Refusal rate"), "REF1", _l(
        "Share of all sampled persons who refused or broke off the call-back."), "outcome"),
    Term("discrepancy_rate", _l("Discrepancy rate"), None, _l(
        "Of the verified persons, the share with a confirmed problem (d of m)."), "discrepancy"),
    Term("stratified_rate", _l("City-wide rate (stratified)"), None, _l(
        "The counties' rates weighted by their registered populations, so that a small county counts as "
        "much as it weighs."), "discrepancy"),
    Term("interval", _l("Confidence interval"), None, _l(
        "The range the true rate lies in with a confidence of 95 in 100, given the sample size."), "discrepancy"),
    Term("open_units", _l("Open units"), None, _l(
        "Sampled persons without a verification result yet; they are never dropped from a rate."), "discrepancy"),
    Term("worst_case", _l("Worst case"), None, _l(
        "The rate if every open unit turned out to have a problem."), "discrepancy"),
    Term("best_case", _l("Best case"), None, _l(
        "The rate if no open unit turned out to have a problem."), "discrepancy"),
    Term("standard_error", _l("Standard error"), None, _l(
        "How much the city-wide rate would vary from one random sample to the next."), "discrepancy"),
    Term("audit_conclusion", _l("Audit conclusion"), None, _l(
        "Whether the county's discrepancy rate is, with the campaign's confidence, within or over the "
        "tolerable rate, or not yet decidable."), "discrepancy"),
    Term("coverage", _l("Assistance coverage"), None, _l(
        "Of the verified persons asked, the share who received the service since registering."), "discrepancy"),
)
BY_KEY = {term.key: term for term in TERMS}
OUTCOME_RATE_KEYS = tuple(t.key for t in TERMS if t.group == "outcome")


def term(key: str) -> Term:
    """Return one term by its key (KeyError for an unknown one: a template typo shows at once)."""
    return BY_KEY[key]


def titled(key: str) -> str:
    """Name a term with its AAPOR code, e.g. 回访完成率（RR1）, for a column header."""
    t = BY_KEY[key]
    return _("%(name)s (%(code)s)", name=t.name, code=t.code) if t.code else str(t.name)


def note(key: str) -> str:
    """Return 'name (code): explanation' in one line, for the notes of an export."""
    return _("%(name)s: %(explanation)s", name=titled(key), explanation=BY_KEY[key].explanation)


def as_list() -> list[dict]:
    """Return every term in the reader's language (the API and the page)."""
    return [t.as_dict() for t in TERMS]
