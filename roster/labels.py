"""Labels the roster pages show: import batch statuses and roster field names, in the page's language."""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from core.i18n import pick

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
    return pick(spec.label_zh, spec.label_en)
