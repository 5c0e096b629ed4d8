"""The fields of the settings page: what each is, how a form value is read, and the rule object
(RetryRules, FindingRules) that checks the whole group, as the code that uses them will.

Problems are data (field, reason) in the reader's language; nothing is stored unless every field passes.
"""

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from callbacks.findings import FactsError, FindingRules
from callbacks.rule_settings import RetryRules, RulesError
from config.verification import CURRENT_STATUSES, SERVICES


@dataclass(frozen=True)
class SettingField:
    """One editable field: its setting key, its name inside a table setting, its kind and label."""

    key: str  # FOLLOWUP_RULES, FINDING_RULES, QC_SHARE
    name: str  # the field of the table setting ("" for a plain setting)
    kind: str  # int, number, bool, windows, times, window, codes, percent
    label: Any
    section: str
    codes: tuple = ()

    @property
    def id(self) -> str:
        """Return the form field's name."""
        return f"{self.key}.{self.name}" if self.name else self.key


def _f(key, name, kind, label, section, codes=()):
    return SettingField(key, name, kind, label, section, codes)


R, F = "FOLLOWUP_RULES", "FINDING_RULES"
FIELDS: tuple[SettingField, ...] = (
    _f(R, "calling_windows", "windows", _l("Calling windows (local time)"), "calling"),
    _f(R, "slot_boundaries", "times", _l("Time-slot boundaries"), "calling"),
    _f(R, "call_on_weekdays", "bool", _l("Call on working days"), "calling"),
    _f(R, "call_on_weekends", "bool", _l("Call on weekends"), "calling"),
    _f(R, "max_phone_attempts", "int", _l("Phone attempts before a visit"), "retry"),
    _f(R, "min_hours_between", "number", _l("Hours between two attempts"), "retry"),
    _f(R, "different_days", "bool", _l("Each attempt on a day of its own"), "retry"),
    _f(R, "max_visit_attempts", "int", _l("Failed visits before unreachable"), "retry"),
    _f(R, "max_appointments", "int", _l("Appointments honoured"), "retry"),
    _f(R, "appointment_hours", "window", _l("Hours an appointment may fall in"), "retry"),
    _f(R, "appointment_horizon_days", "int", _l("Days ahead an appointment may be made"), "retry"),
    _f(R, "appointment_grace_minutes", "int", _l("Minutes until an appointment counts as missed"), "retry"),
    _f(R, "claim_timeout_minutes", "int", _l("Claim timeout (minutes idle)"), "work"),
    _f("QC_SHARE", "", "percent", _l("Quality re-check share (%)"), "work"),
    _f(F, "cancellation_grace_days", "int", _l("Days a status change may stay unrecorded"), "finding"),
    _f(F, "cancellation_statuses", "codes", _l("Statuses that call for cancellation"), "finding", CURRENT_STATUSES),
    _f(F, "ineligible_statuses", "codes", _l("Statuses that rule out the registration"), "finding", CURRENT_STATUSES),
    _f(F, "assistance_services", "codes", _l("Services that count as assistance"), "finding", SERVICES),
    _f(F, "service_grace_days", "int", _l("Days registered before assistance is due"), "finding"),
    _f(F, "require_recent_callback", "bool", _l("Require a call-back by the agency"), "finding"),
    _f(F, "callback_window_days", "int", _l("Call-back window (days)"), "finding"),
)
SECTIONS = (("calling", _l("Calling windows")), ("retry", _l("Retry rules")),
            ("work", _l("Claims and quality re-check")), ("finding", _l("Finding rules")))
FIELD_BY_ID = {f.id: f for f in FIELDS}


def display_value(field: SettingField, rules: dict[str, Any], qc_share: float) -> Any:
    """Return a field's current value as the form shows it."""
    if field.key == "QC_SHARE":
        return round(float(qc_share) * 100, 4)
    value = rules[field.name]
    if field.kind == "windows":
        return ", ".join(value)
    if field.kind == "times":
        return ", ".join(value)
    return value


def read_field(field: SettingField, form) -> Any:
    """Read one field from a submitted form (or JSON mapping) as a plain config value; raise ValueError."""
    if field.kind == "bool":
        raw = form.get(field.id)
        return raw in (True, "1", "on", "true", "y", "yes") if not isinstance(raw, bool) else raw
    if field.kind == "codes":
        values = form.getlist(field.id) if hasattr(form, "getlist") else form.get(field.id) or []
        return sorted(str(v) for v in values)
    raw = form.get(field.id)
    if field.kind in ("windows", "times") and isinstance(raw, list):
        return [str(part).strip() for part in raw]
    text = "" if raw is None else str(raw).strip()
    if not text:
        raise ValueError(_("a value is needed"))
    if field.kind == "int":
        if not text.lstrip("-").isdigit():
            raise ValueError(_("must be a whole number"))
        return int(text)
    if field.kind in ("number", "percent"):
        try:
            number = float(text.rstrip("%").strip())
        except ValueError:
            raise ValueError(_("must be a number")) from None
        if field.kind == "percent":
            if not 0 < number <= 100:
                raise ValueError(_("must be more than 0 and at most 100"))
            return number / 100
        return number
    if field.kind in ("windows", "times"):
        return [part.strip() for part in text.replace("，", ",").split(",") if part.strip()]
    return text  # window: "HH:MM-HH:MM"


def check_followup(rules: dict[str, Any]) -> list[tuple[str, str]]:
    """Check retry rules as the follow-up will read them; list (field, reason) problems."""
    try:
        RetryRules.from_dict(rules)
    except RulesError as error:
        return [_split(problem) for problem in error.problems]
    return []


def check_finding(rules: dict[str, Any]) -> list[tuple[str, str]]:
    """Check finding rules as the verification will read them; list (field, reason) problems."""
    try:
        FindingRules.from_dict(rules)
    except FactsError as error:
        return [(p.field, f"{p.reason} ({p.value!r})") for p in error.problems]
    return []


def _split(problem: str) -> tuple[str, str]:
    """Split a rule object's "field: reason" into its field and reason."""
    name, _sep, reason = problem.partition(": ")
    return name.split(",")[0].strip(), reason


def field_label(name: str) -> str:
    """Return the label of a field named by a rule object (its own name when unknown)."""
    special = {"closed": _("Public holidays"), "open": _("Make-up working days"), "QC_SHARE": _("Quality re-check share")}
    if name in special:
        return special[name]
    for field in FIELDS:
        if field.name == name or field.id == name:
            return str(field.label)
    return name


_REASONS = (
    (r"must be a whole number >= (\d+)", lambda m: _("must be a whole number of at least %(n)s", n=m[1])),
    (r"must be a whole number >= 0", lambda m: _("must be a whole number of at least %(n)s", n=0)),
    (r"must be a number >= 0", lambda m: _("must be a number of at least %(n)s", n=0)),
    (r"at least one window is needed", lambda m: _("at least one window is needed")),
    (r"each window must start before it ends", lambda m: _("each window must start before it ends")),
    (r"windows must be in order and must not overlap", lambda m: _("windows must be in order and must not overlap")),
    (r"must be strictly increasing", lambda m: _("must be strictly increasing")),
    (r"at least one must be allowed", lambda m: _("calls must be allowed on working days, weekends or both")),
    (r"must start before it ends", lambda m: _("must start before it ends")),
    (r"unknown code", lambda m: _("unknown code")),
    (r"unknown setting", lambda m: _("unknown setting")),
)


def reason_text(reason: str) -> str:
    """Say a rule object's reason in the reader's language (unknown reasons as the object gave them)."""
    import re

    for pattern, say in _REASONS:
        match = re.match(pattern, reason)
        if match:
            return say(match)
    return _("cannot be read: %(detail)s", detail=reason)


def change_rows(key: str, before: Any, after: Any) -> list[tuple[str, str, str]]:
    """Describe one stored change as (what, before, after) rows: only the fields that differ, and of a
    list only the items taken out and put in."""
    if not isinstance(before, dict) and not isinstance(after, dict):
        return [(field_label(key), _shown(before), _shown(after))]
    before, after = before or {}, after or {}
    rows = []
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        if isinstance(old, list | type(None)) and isinstance(new, list):
            gone, added = sorted(set(old or []) - set(new)), sorted(set(new) - set(old or []))
            rows.append((field_label(name), "−" + ", ".join(gone) if gone else "", "+" + ", ".join(added) if added else ""))
        else:
            rows.append((field_label(name), _shown(old), _shown(new)))
    return rows


def _shown(value: Any) -> str:
    """Show a stored value as people read it: yes or no, a dash for none."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(value)
