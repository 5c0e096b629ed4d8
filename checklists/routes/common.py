"""What the checklist pages share: flashing a service's problems, choices of the forms, the safe return."""

from flask import flash

from checklists.errors import ChecklistError
from config.checklist import AREAS, CONCLUSIONS, MEETING_KINDS, METHODS
from core.i18n import label


def flash_problems(error: ChecklistError) -> None:
    """Show each of a refused step's problems."""
    for message in error.problems.values():
        flash(message, "danger")


def choices(table, name: str, blank: str | None = None) -> list[tuple[str, str]]:
    """Return a code list as form choices in the page's language, with an optional blank first."""
    rows = [(code, label(name, code)) for code, _zh, _en in table]
    return ([("", blank)] if blank is not None else []) + rows


def area_choices():
    return choices(AREAS, "check_area")


def method_choices():
    return choices(METHODS, "check_method")


def conclusion_choices(blank: str):
    return choices(CONCLUSIONS, "conclusion", blank)


def meeting_kind_choices():
    return choices(MEETING_KINDS, "meeting_kind")
