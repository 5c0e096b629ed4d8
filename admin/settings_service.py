"""Read and change the settings of the settings page: each group checked whole by its rule object,
pinned fields left as the operator set them, every change stored with its history."""

from typing import Any

from flask import current_app
from flask_babel import gettext as _

from admin import holidays, settings_store
from admin.setting_fields import (
    FIELDS,
    SettingField,
    check_finding,
    check_followup,
    field_label,
    read_field,
    reason_text,
)
from callbacks.findings import FindingRules
from callbacks.rule_settings import RetryRules

EDITABLE_KEYS = ("FOLLOWUP_RULES", "FINDING_RULES", "QC_SHARE")


def followup_rules_dict() -> dict[str, Any]:
    """Return the retry rules in force as plain values: stored, configured, pinned and the calendar."""
    rules = settings_store.effective_table("FOLLOWUP_RULES")
    if "closed_dates" not in rules or "open_dates" not in rules:
        closed, opened = holidays.all_dates()
        rules.setdefault("closed_dates", closed)
        rules.setdefault("open_dates", opened)
    return rules


def qc_share() -> float:
    """Return the share of verified records drawn for the quality re-check."""
    return float(settings_store.effective_value("QC_SHARE"))


def is_pinned(field: SettingField) -> bool:
    """Tell whether the operator pinned this field in the environment or the config file."""
    pins = settings_store.pinned(field.key)
    return pins is True or field.name in pins


def current() -> dict[str, Any]:
    """Return every field's value in force (as plain config values) and whether it is pinned."""
    followup = RetryRules.from_dict(followup_rules_dict()).to_dict()
    finding = FindingRules.from_dict(settings_store.effective_table("FINDING_RULES")).to_dict()
    values = {}
    for field in FIELDS:
        if field.key == "QC_SHARE":
            values[field.id] = qc_share()
        else:
            values[field.id] = (followup if field.key == "FOLLOWUP_RULES" else finding)[field.name]
    return {"values": values, "pinned": {field.id: is_pinned(field) for field in FIELDS}}


def save(form, user, via: str) -> tuple[list[tuple[str, str]], list[str]]:
    """Check the submitted fields and store the groups that changed; return (problems, changed keys).

    Pinned fields and fields not submitted keep their value; nothing is stored when any field fails.
    """
    problems: list[tuple[str, str]] = []
    new: dict[str, Any] = {
        "FOLLOWUP_RULES": dict(settings_store.stored_values().get("FOLLOWUP_RULES") or {}),
        "FINDING_RULES": dict(settings_store.stored_values().get("FINDING_RULES") or {}),
    }
    touched: set[str] = set()
    for field in FIELDS:
        if is_pinned(field) or not _submitted(field, form):
            continue
        touched.add(field.key)
        try:
            value = read_field(field, form)
        except ValueError as error:
            problems.append((str(field.label), str(error)))
            continue
        if field.key == "QC_SHARE":
            new["QC_SHARE"] = value
        else:
            new[field.key][field.name] = value
    if problems:
        return problems, []
    followup = {**followup_rules_dict(), **_unpinned("FOLLOWUP_RULES", new["FOLLOWUP_RULES"])}
    finding = {**settings_store.effective_table("FINDING_RULES"), **_unpinned("FINDING_RULES", new["FINDING_RULES"])}
    problems = [(field_label(name), reason_text(reason)) for name, reason in check_followup(followup)]
    problems += [(field_label(name), reason_text(reason)) for name, reason in check_finding(finding)]
    if problems:
        return problems, []
    for key, rule in (("FOLLOWUP_RULES", RetryRules), ("FINDING_RULES", FindingRules)):
        # Keep only what differs from the defaults and the configuration: the history shows real changes.
        base = rule.from_dict(current_app.config.get(key) or {}).to_dict()
        new[key] = {name: value for name, value in new[key].items() if _plain(value) != _plain(base.get(name))}
    changed = [key for key in EDITABLE_KEYS if key in touched and settings_store.store(key, new[key], user, via)]
    return [], changed


def _submitted(field: SettingField, form) -> bool:
    """Tell whether a form or body carries a field (an unticked checkbox counts on a whole form)."""
    if field.id in form:
        return True
    return field.kind in ("bool", "codes") and "_page" in form


def _plain(value: Any) -> Any:
    """Compare lists as sets and numbers as numbers (4 == 4.0), as the rule objects read them."""
    if isinstance(value, list | tuple | set | frozenset):
        return frozenset(str(item) for item in value)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


def _unpinned(key: str, values: dict[str, Any]) -> dict[str, Any]:
    pins = settings_store.pinned(key)
    return {} if pins is True else {name: value for name, value in values.items() if name not in pins}


def unknown_fields(body: dict) -> list[tuple[str, str]]:
    """List the fields of an API body that are not settings."""
    known = {field.id for field in FIELDS}
    return [(name, _("unknown setting")) for name in sorted(set(body) - known)]
