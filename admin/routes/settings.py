"""The settings page: retry rules and calling windows, claim timeout, QC share, finding rules."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from admin import settings_service, settings_store
from admin.routes import bp
from admin.setting_fields import FIELDS, SECTIONS, change_rows
from auth.permissions import require
from core.inputs import PageForm


@bp.route("/settings", methods=["GET", "POST"])
@require("settings")
def settings():
    """Show the settings in force (pinned ones marked) and store the administrator's changes."""
    form = PageForm()
    problems = []
    if form.validate_on_submit():
        problems, changed = settings_service.save(request.form, current_user, via="page")
        if not problems:
            flash(_("Settings saved; they apply at once on every worker.") if changed else _("Nothing changed."),
                  "success" if changed else "info")
            return redirect(url_for("admin.settings"))
        flash(_("Nothing was saved: correct the fields marked below."), "danger")
    now = settings_service.current()
    return render_template("admin/settings.html", form=form, fields=FIELDS, sections=SECTIONS, now=now,
                           problems=problems, history=settings_store.history(limit=15),
                           change_rows=change_rows)
