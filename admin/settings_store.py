"""The one settings service: the values an administrator stored, merged with the configuration.

Every reader (the follow-up rules, the finding rules, the QC share, the holiday calendar) asks here.
A request reads the settings' version (the highest id of their history, one indexed lookup) and
reloads the stored values only when another worker has changed them, so that a change takes effect
on every web worker, job worker and the scheduler without a restart. What the operator set in the
environment or the config file (config.settings PINNED_SETTINGS) wins and cannot be changed here.
"""

from typing import Any, Literal

from flask import current_app, g
from sqlalchemy import func, select

from core import auditlog
from core.extensions import db
from models import SettingChange, StoredSetting

# The settings an administrator may store; a table setting is stored as one dict of its fields.
STORED_KEYS = ("FOLLOWUP_RULES", "FINDING_RULES", "QC_SHARE")
CALENDAR_PREFIX = "CALENDAR_"


def settings_version() -> int:
    """Return the version of the stored settings: the id of their latest change (0 with none)."""
    return db.session.scalar(select(func.max(SettingChange.id))) or 0


def stored_values() -> dict[str, Any]:
    """Return every stored setting by key, reloaded only when the version moved (once per request)."""
    if "stored_settings" in g:
        return g.stored_settings
    version = settings_version()
    cached = current_app.extensions.get("stored_settings")
    if cached is None or cached[0] != version:
        values = {row.key: row.value for row in db.session.scalars(select(StoredSetting))}
        cached = (version, values)
        current_app.extensions["stored_settings"] = cached
    g.stored_settings = cached[1]
    return cached[1]


def forget_cached() -> None:
    """Drop this request's copy, so that the next read sees a change just written."""
    g.pop("stored_settings", None)


def pinned(key: str) -> list[str] | Literal[True]:
    """Return True when the operator pinned a whole setting, the pinned fields of a table, or []."""
    value = (current_app.config.get("PINNED_SETTINGS") or {}).get(key, [])
    return value if value is True else list(value)


def effective_table(key: str) -> dict[str, Any]:
    """Return a table setting (FOLLOWUP_RULES, FINDING_RULES): the stored fields over the configured
    ones, but the operator's pinned fields as configured."""
    configured = dict(current_app.config.get(key) or {})
    pins = pinned(key)
    if pins is True:
        return configured
    stored = stored_values().get(key) or {}
    return configured | {name: value for name, value in stored.items() if name not in pins}


def effective_value(key: str) -> Any:
    """Return a plain setting (QC_SHARE): the stored value unless the operator pinned it."""
    stored = stored_values()
    if pinned(key) is True or key not in stored:
        return current_app.config[key]
    return stored[key]


def store(key: str, value: Any, user, via: str) -> bool:
    """Store a setting's new value with its history and audit entry; return False when nothing changed."""
    with db.write_transaction() as session:
        row = session.get(StoredSetting, key)
        before = None if row is None else row.value
        if before == value or (before is None and value in ({}, [])):
            return False
        if row is None:
            row = StoredSetting(key=key)
            session.add(row)
        row.value = value
        row.updated_by = getattr(user, "id", None)
        session.add(SettingChange(key=key, before=before, after=value, user_id=getattr(user, "id", None),
                                  username=getattr(user, "username", "") or ""))
        auditlog.record("setting.change", "setting", key, user=user, before=before, after=value, via=via)
    forget_cached()
    return True


def history(key: str | None = None, limit: int = 50) -> list[SettingChange]:
    """Return the latest changes, newest first (of one setting when key is given)."""
    query = select(SettingChange).order_by(SettingChange.id.desc()).limit(limit)
    if key is not None:
        query = query.where(SettingChange.key == key)
    return list(db.session.scalars(query))
