"""Helpers every template may call: permission checks and code labels in the page's language."""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from core.i18n import is_chinese
from core.timefmt import local_time


def county_name(code: str) -> str:
    """Return a county's name in the page's language (its code when unknown)."""
    from core.extensions import db
    from models import County

    county = db.session.get(County, code)  # identity map: one query per county per request
    if county is None:
        return code
    return county.name_zh if is_chinese() else county.name_en


BATCH_STATUS_LABELS = {
    "uploaded": _l("Waiting"),
    "validating": _l("Checking"),
    "needs_mapping": _l("Columns to map"),
    "previewed": _l("Checked, awaiting import"),
    "importing": _l("Importing"),
    "committed": _l("Imported"),
    "failed": _l("Failed"),
    "cancelled": lazy_pgettext("import batch", "Cancelled"),
    "duplicate": _l("Already imported"),
    "interrupted": _l("Interrupted"),
}


def batch_status_label(status: str) -> str:
    """Return an import batch status in the page's language."""
    return str(BATCH_STATUS_LABELS.get(status, status))


def field_label(name: str | None) -> str:
    """Return a roster field's label in the page's language."""
    from roster.columns import FIELD_BY_NAME

    spec = FIELD_BY_NAME.get(name or "")
    if spec is None:
        return name or ""
    return spec.label_zh if is_chinese() else spec.label_en


def init_templating(app) -> None:
    """Expose the helpers to Jinja."""
    from auth.accounts import ROLE_LABELS
    from auth.permissions import can
    from campaigns.naming import draw_title
    from core.privacy import mask_core_value

    app.jinja_env.globals.update(
        can=can, county_name=county_name, role_label=lambda role: ROLE_LABELS[role],
        batch_status_label=batch_status_label, field_label=field_label, mask_core_value=mask_core_value,
        draw_title=draw_title,
    )
    # Times are stored in UTC; pages show them in the configured zone (Asia/Shanghai), in one format.
    app.jinja_env.filters["local_time"] = local_time
