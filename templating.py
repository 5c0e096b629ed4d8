"""Helpers every template may call: permission checks and code labels in the page's language."""

from config import codelists
from i18n import is_chinese

CODELISTS = {
    "gender": codelists.GENDERS,
    "unemployment_reason": codelists.UNEMPLOYMENT_REASONS,
    "employment_status": codelists.EMPLOYMENT_STATUSES,
}


def code_label(listname: str, code: str | None) -> str:
    """Return the label of a code in the page's language."""
    return codelists.label(CODELISTS[listname], code, "zh" if is_chinese() else "en")


def county_name(code: str) -> str:
    """Return a county's name in the page's language (its code when unknown)."""
    from extensions import db
    from models import County

    county = db.session.get(County, code)  # identity map: one query per county per request
    if county is None:
        return code
    return county.name_zh if is_chinese() else county.name_en


def init_templating(app) -> None:
    """Expose the helpers to Jinja."""
    from auth.accounts import ROLE_LABELS
    from auth.permissions import can

    app.jinja_env.globals.update(
        can=can, code_label=code_label, county_name=county_name, role_label=lambda role: ROLE_LABELS[role]
    )
