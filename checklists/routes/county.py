"""A county's checklist: every item with its conclusion, findings, evidence and pre-filled figures."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from checklists import access, entries, evidence
from checklists.errors import ChecklistError
from checklists.forms import EntryForm
from checklists.progress import county_progress
from checklists.routes import bp
from checklists.routes.common import conclusion_choices, flash_problems
from checklists.sheet import by_area, county_sheet
from core.extensions import db


def _entry_form(prefix: str, entry=None) -> EntryForm:
    form = EntryForm(prefix=prefix, formdata=None, obj=entry)
    form.conclusion.choices = conclusion_choices(_("Not yet concluded"))
    return form


@bp.route("/<int:campaign_id>/county/<code>")
@login_required
def county(campaign_id, code):
    """Show a county's checklist, grouped by the notice's four areas."""
    access.require_view()
    campaign, county = access.campaign_county(campaign_id, code)
    rows = county_sheet(db.session, campaign, code, access.today())
    may_record = access.may_record(current_user)
    forms = {row.item.id: _entry_form(f"e{row.item.id}", row.entry) for row in rows} if may_record else {}
    return render_template("checklists/county.html", campaign=campaign, county=county, groups=by_area(rows),
                           forms=forms, may_record=may_record, progress=county_progress(
                               db.session, campaign, code, access.today()))


def _back(campaign_id, code, item_id):
    return redirect(url_for("checklists.county", campaign_id=campaign_id, code=code) + f"#item-{item_id}")


@bp.post("/<int:campaign_id>/county/<code>/items/<int:check_item_id>")
@login_required
def record(campaign_id, code, check_item_id):
    """Store the county's conclusion, findings and ledger reference on an item."""
    if not access.may_record(current_user):
        abort(403)
    campaign, _county = access.campaign_county(campaign_id, code)
    item = access.visible_item(campaign, check_item_id)
    form = EntryForm(prefix=f"e{item.id}")
    form.conclusion.choices = conclusion_choices("")
    try:
        if not form.validate_on_submit():
            raise ChecklistError({k: "；".join(v) for k, v in form.errors.items()})
        entries.record(campaign, code, item, form.data, current_user, access.today())
        flash(_("Item %(key)s saved.", key=item.key), "success")
    except ChecklistError as error:
        flash_problems(error)
    return _back(campaign.id, code, item.id)


@bp.post("/<int:campaign_id>/county/<code>/items/<int:check_item_id>/sign-off")
@login_required
def sign_off(campaign_id, code, check_item_id):
    """Sign an entry off: its figures are kept as they are now."""
    if not access.may_record(current_user):
        abort(403)
    campaign, _county = access.campaign_county(campaign_id, code)
    item = access.visible_item(campaign, check_item_id)
    try:
        entries.sign_off(campaign, code, item, current_user, access.today())
        flash(_("Item %(key)s signed off.", key=item.key), "success")
    except ChecklistError as error:
        flash_problems(error)
    return _back(campaign.id, code, item.id)


@bp.post("/<int:campaign_id>/county/<code>/items/<int:check_item_id>/reopen")
@login_required
def reopen(campaign_id, code, check_item_id):
    """Undo a sign-off, so that the entry can change and its figures follow the work again."""
    if not access.may_record(current_user):
        abort(403)
    campaign, _county = access.campaign_county(campaign_id, code)
    item = access.visible_item(campaign, check_item_id)
    entries.reopen(campaign, code, item, current_user)
    flash(_("Item %(key)s reopened.", key=item.key), "success")
    return _back(campaign.id, code, item.id)


@bp.post("/<int:campaign_id>/county/<code>/items/<int:check_item_id>/evidence")
@login_required
def attach_evidence(campaign_id, code, check_item_id):
    """Attach a file (PDF, PNG, JPEG, XLSX, DOCX) as evidence of the county's entry on an item."""
    if not access.may_record(current_user):
        abort(403)
    campaign, _county = access.campaign_county(campaign_id, code)
    item = access.visible_item(campaign, check_item_id)
    try:
        attached = evidence.attach_file(campaign, code, item, request.files.get("file"), current_user)
        flash(_("File %(name)s attached.", name=attached.filename), "success")
    except ChecklistError as error:
        flash_problems(error)
    return _back(campaign.id, code, item.id)
