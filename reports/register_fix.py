"""What a county needs to fix its register for one rectification item: each core field the verification
corrected, the value the register holds beside the value found, masked; the full ID or phone numbers only
on demand, as an explicit read written to the audit log."""

from __future__ import annotations

from flask_babel import gettext as _

from auth.permissions import county_scope
from core import auditlog
from core.extensions import db
from core.i18n import label
from models import RectificationItem
from reports.rectification import MASKS, RectificationError, field_value, may_view

REVEALABLE = tuple(MASKS)  # the ID number and the phone: masked until someone asks


def _fields(item: RectificationItem) -> tuple[dict, dict]:
    """Return the corrected values found and the register's values of the same fields."""
    found = (item.found or {}).get("corrections") or {}
    registered = (item.register or {}).get("fields") or {}
    return found, registered


def fix_rows(item: RectificationItem, revealed: str | None = None) -> list[dict]:
    """Return one row per corrected field: its name, the registered and the found value (masked unless it
    is the field just revealed), and whether a reveal is offered."""
    found, registered = _fields(item)
    rows = []
    for field, value in found.items():
        plain = field == revealed and field in REVEALABLE
        rows.append({
            "field": field, "label": label("core_field", field),
            "registered": _plain(registered.get(field)) if plain else field_value(field, registered.get(field)),
            "found": _plain(value) if plain else field_value(field, value),
            "revealable": field in REVEALABLE and not plain, "revealed": plain,
        })
    return rows


def _plain(value) -> str:
    return "—" if value in (None, "") else str(value)


def reveal(item: RectificationItem, user, field: str) -> dict:
    """Return the full registered and found values of a corrected ID or phone number, writing the read to
    the audit log in its own transaction. The item must be visible to the user (reports.access)."""
    scope = county_scope(user)
    if not may_view(user) or (scope is not None and scope != item.county_code):
        raise RectificationError("forbidden", _("You may not read this item."), 403)
    found, registered = _fields(item)
    if field not in REVEALABLE or field not in found:
        raise RectificationError("no_such_field", _("This item corrects no such number."), 404)
    with db.write_transaction():
        auditlog.record("rectification.reveal", "rectification_item", item.id, user=user, field=field,
                        person_id=item.person_id)
    return {"field": field, "registered": registered.get(field), "found": found[field]}
