"""Which numbers the caller has revealed on the task page, kept in their session for a short while.

The reveal is a POST that writes the read to the audit log and redirects to the task page (post,
redirect, get), so a refresh neither asks to resubmit a form nor logs a second read. The session keeps
only which fields of which task were revealed and until when, never the number itself; the task page
reads the number from the database while the grant lasts. One task at a time: revealing on another
task, recording an attempt or putting the task back ends the grant.
"""

from datetime import datetime, timedelta

from callbacks.telephony.provider import provider

GRANT_MINUTES = 15
_KEY = "followup_reveal"
FIELDS = ("phone", "id_number")


def grant(session, task_id: int, field: str, now: datetime) -> None:
    """Remember that the user revealed a field of the task (after its read was logged)."""
    current = session.get(_KEY) or {}
    fields = set(current.get("fields", ())) if current.get("task") == task_id else set()
    fields.add(field)
    until = (now + timedelta(minutes=GRANT_MINUTES)).timestamp()
    session[_KEY] = {"task": task_id, "fields": sorted(fields), "until": until}


def forget(session, task_id: int) -> None:
    """End the grant of the task, if there is one."""
    if (session.get(_KEY) or {}).get("task") == task_id:
        session.pop(_KEY, None)


def revealed(session, task_id: int, person, now: datetime) -> dict:
    """Return the numbers of the task's person the user revealed within the last minutes (and how to dial)."""
    current = session.get(_KEY) or {}
    if current.get("task") != task_id or now.timestamp() > float(current.get("until", 0)):
        return {}
    shown = {field: getattr(person, field) for field in current.get("fields", ()) if field in FIELDS}
    if shown.get("phone"):
        shown["dial"] = provider().dial(shown["phone"])
    return {field: value for field, value in shown.items() if value}
