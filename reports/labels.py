"""Labels and number formats of the statistics pages and exports, in the page's language.

Code-list labels come from config/ through core.i18n.label; only the words that
belong to the reports themselves are defined here.
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from campaigns.export import stratum_label
from core.i18n import is_chinese, label
from models.county import county_name
from reports.counts import ANY
from sampling.percent import percent_text

AUDIT_STATUSES = {"within": _l("Within tolerance"), "over": _l("Over tolerance"),
                  "inconclusive": _l("Inconclusive")}
RECTIFICATION_STATUSES = {"open": _l("To rectify"), "rectified": _l("Rectified, awaiting acceptance"),
                          "accepted": _l("Accepted"), "withdrawn": _l("Withdrawn"), "overdue": _l("Overdue")}
STEP_DONE = {"rectify": lambda: _("Marked as rectified; the coordinators will check it."),
             "accept": lambda: _("Accepted."), "reopen": lambda: _("Sent back to the county.")}
ACTIONS = {"rectification.rectify": _l("Marked as rectified"), "rectification.accept": _l("Accepted"),
           "rectification.reopen": _l("Sent back to the county"), "rectification.open": _l("Opened"),
           "rectification.withdraw": _l("Withdrawn"), "rectification.restore": _l("Opened again"),
           "evidence.attach": _l("Attached a file"), "evidence.remove": _l("Took a file off"),
           "evidence.restore": _l("Put a file back")}
RATE_NAMES = {
    "completion_rate": _l("Completion rate (RR1)"),
    "completion_rate_with_partials": _l("Completion rate with partials (RR2)"),
    "contact_rate": _l("Contact rate (CON1)"),
    "cooperation_rate": _l("Cooperation rate (COOP1)"),
    "refusal_rate": _l("Refusal rate (REF1)"),
}
METHODS = {"wilson": _l("Wilson"), "clopper-pearson": _l("Clopper–Pearson"), "logit": _l("logit (survey::svyciprop)"),
           "korn-graubard": _l("Korn–Graubard")}


def type_label(code: str) -> str:
    """Name a discrepancy type, or 'any discrepancy'."""
    return _("Any discrepancy") if code == ANY else label("discrepancy", code)


def service_label(code: str) -> str:
    """Name a service."""
    return label("service", code)


def category_label(code: str) -> str:
    """Name an outcome category (AAPOR-style), or 'still open'."""
    if code == "open":
        return _("Still open")
    return label("outcome_category", code)


def outcome_label(code: str | None) -> str:
    """Name a task's final outcome."""
    return label("final_outcome", code) if code else ""


def task_status_label(code: str | None) -> str:
    """Name a task's status (no task yet: open)."""
    return label("task_status", code or "open")


def replacement_label(reason: str) -> str:
    """Name an out-of-scope reason a unit was replaced for."""
    from campaigns.replacement import REPLACEMENT_REASONS

    return str(REPLACEMENT_REASONS.get(reason, reason))


def audit_label(status: str) -> str:
    """Name an audit conclusion."""
    return str(AUDIT_STATUSES[status])


def rectification_label(status: str) -> str:
    """Name a rectification item's status."""
    return str(RECTIFICATION_STATUSES[status])


def action_label(action: str) -> str:
    """Name a step in an item's history."""
    return str(ACTIONS.get(action, action))


def reopened_label() -> str:
    """Name an item sent back to its county (退回重改)."""
    return _("Sent back, to rectify again")


def method_label(method: str) -> str:
    """Name an interval method."""
    return str(METHODS.get(method, method))


def rate_name(key: str) -> str:
    """Name an outcome rate."""
    return str(RATE_NAMES[key])


def pct(value, digits: int = 1) -> str:
    """Format a share as a percentage ('—' when undefined)."""
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def setting(value: float) -> str:
    """Format a campaign's tolerable rate or confidence exactly as set ("2.5%", "97.5%"), never rounded."""
    return percent_text(value)


def interval(rate: dict, digits: int = 1) -> str:
    """Format a rate's interval as 'low–high' ('—' when the rate is withheld)."""
    if rate.get("low") is None or rate.get("high") is None:
        return "—"
    return f"{rate['low'] * 100:.{digits}f}–{rate['high'] * 100:.{digits}f}%"


def stratum_names(strata, stratify_by: str | None) -> str:
    """Name strata in words, county and field value ("赤坎区 · 女"), joined with the list comma."""
    names = {}
    for stratum in strata:
        code = stratum.split("|")[0]
        names[code] = county_name(code)
    sep = "、" if is_chinese() else ", "
    return sep.join(stratum_label(stratify_by, stratum, names) for stratum in strata)


def chart_data(figures: dict) -> dict:
    """Return what the dashboard's charts draw: county rates with intervals, and progress."""
    counties = figures.get("counties") or []
    return {
        "rates": {
            "labels": [county_name(c["code"]) for c in counties],
            "p": [c["rates"][ANY]["p"] for c in counties],
            "low": [c["rates"][ANY]["low"] for c in counties],
            "high": [c["rates"][ANY]["high"] for c in counties],
            "worst": [c["rates"][ANY]["worst_case"] for c in counties],
        },
        "tolerable": figures["campaign"]["tolerable_rate"],
        "progress": figures["progress"],
        "text": chart_text(),
    }


def county_chart_data(figures: dict) -> dict:
    """Return what a county page's charts draw: its rate by type with intervals, and progress."""
    block = figures["county"] or {"rates": {}}
    types = [t for t in figures["types"] if t in block["rates"]]
    return {
        "rates": {"labels": [type_label(t) for t in types],
                  "p": [block["rates"][t]["p"] for t in types],
                  "low": [block["rates"][t]["low"] for t in types],
                  "high": [block["rates"][t]["high"] for t in types],
                  "worst": [block["rates"][t]["worst_case"] for t in types]},
        "tolerable": figures["campaign"]["tolerable_rate"],
        "progress": figures["progress"],
        "text": chart_text(),
    }


def chart_text() -> dict:
    """Return the words the charts show."""
    return {"rate": _("Discrepancy rate"), "interval": _("%(level)s interval", level="95%"), "worst": _("If every open unit were discrepant"),
            "tolerable": _("Tolerable rate"), "tasks": _("Sample units"), "closed": _("Closed"),
            "verified": _("Verified"), "with_discrepancy": _("With a discrepancy"), "attempts": _("Attempts"),
            "no_progress": _("No daily snapshot yet: the first is written tonight.")}
