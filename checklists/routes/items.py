"""The campaign's checklist: copy the notice's template, edit, add and retire items before the work starts;
and the overview of all counties side by side."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from checklists import access, setup
from checklists.errors import ChecklistError
from checklists.forms import ItemForm
from checklists.progress import overview
from checklists.routes import bp
from checklists.routes.common import area_choices, flash_problems, method_choices
from core.extensions import db
from reports.access import visible_campaigns


@bp.route("/")
@login_required
def index():
    """List the campaigns whose verification the user may follow (straight to the only one)."""
    access.require_view()
    campaigns = visible_campaigns()
    if len(campaigns) == 1:
        return redirect(url_for("checklists.overview_page", campaign_id=campaigns[0].id))
    return render_template("checklists/index.html", campaigns=campaigns)


@bp.route("/<int:campaign_id>/")
@login_required
def overview_page(campaign_id):
    """Show every visible county's progress side by side, with links to its checklist and documents."""
    access.require_view()
    campaign = access.visible_campaign(campaign_id)
    rows = overview(db.session, campaign, access.today(), access.visible_counties(campaign))
    items = setup.items_of(db.session, campaign.id, include_retired=False)
    return render_template("checklists/overview.html", campaign=campaign, rows=rows, items=items,
                           may_edit=access.may_edit_checklist(current_user))


@bp.route("/<int:campaign_id>/checklist")
@login_required
def checklist(campaign_id):
    """Show the campaign's checklist items, editable by a coordinator until the work starts."""
    access.require_view()
    campaign = access.visible_campaign(campaign_id)
    items = setup.items_of(db.session, campaign.id)
    locked = setup.is_locked(db.session, campaign.id)
    forms = {}
    if access.may_edit_checklist(current_user) and not locked:
        for item in items:
            form = ItemForm(prefix=f"i{item.id}", formdata=None, obj=item)
            form.methods.choices, form.area.choices = method_choices(), area_choices()
            forms[item.id] = form
    new = ItemForm(prefix="new", formdata=None)
    new.methods.choices, new.area.choices = method_choices(), area_choices()
    return render_template("checklists/checklist.html", campaign=campaign, items=items, locked=locked, forms=forms,
                           new=new, may_edit=access.may_edit_checklist(current_user))


@bp.post("/<int:campaign_id>/checklist/copy")
@login_required
def copy_template(campaign_id):
    """Give the campaign the notice's checklist (nothing happens when it has one)."""
    if not access.may_edit_checklist(current_user):
        abort(403)
    campaign = access.visible_campaign(campaign_id)
    added = setup.copy_template(campaign, current_user)
    flash(_("%(n)d items copied from the notice.", n=added) if added else _("The campaign has its checklist."),
          "success")
    return redirect(url_for("checklists.checklist", campaign_id=campaign.id))


def _item_form(prefix: str) -> ItemForm:
    form = ItemForm(prefix=prefix)
    form.methods.choices, form.area.choices = method_choices(), area_choices()
    return form


@bp.post("/<int:campaign_id>/checklist/items")
@login_required
def add_item(campaign_id):
    """Add an item to an area of the checklist."""
    if not access.may_edit_checklist(current_user):
        abort(403)
    campaign = access.visible_campaign(campaign_id)
    form = _item_form("new")
    try:
        if not form.validate_on_submit():
            raise ChecklistError({k: "；".join(v) for k, v in form.errors.items()})
        item = setup.add_item(campaign, form.area.data, form.text.data, form.text_en.data, form.methods.data,
                              current_user)
        flash(_("Item %(key)s added.", key=item.key), "success")
    except ChecklistError as error:
        flash_problems(error)
    return redirect(url_for("checklists.checklist", campaign_id=campaign.id))


@bp.post("/<int:campaign_id>/checklist/items/<int:check_item_id>")
@login_required
def edit_item(campaign_id, check_item_id):
    """Change an item's wording and methods."""
    if not access.may_edit_checklist(current_user):
        abort(403)
    campaign = access.visible_campaign(campaign_id)
    item = access.visible_item(campaign, check_item_id)
    form = _item_form(f"i{item.id}")
    try:
        if not form.validate_on_submit():
            raise ChecklistError({k: "；".join(v) for k, v in form.errors.items()})
        setup.edit_item(campaign, item, form.text.data, form.text_en.data, form.methods.data, current_user)
        flash(_("Item %(key)s saved (version %(v)d).", key=item.key, v=item.version), "success")
    except ChecklistError as error:
        flash_problems(error)
    return redirect(url_for("checklists.checklist", campaign_id=campaign.id) + f"#item-{item.id}")


@bp.post("/<int:campaign_id>/checklist/items/<int:check_item_id>/retire")
@login_required
def retire_item(campaign_id, check_item_id):
    """Retire an item (retire=1) or bring it back (retire=0)."""
    if not access.may_edit_checklist(current_user):
        abort(403)
    campaign = access.visible_campaign(campaign_id)
    item = access.visible_item(campaign, check_item_id)
    try:
        setup.retire_item(campaign, item, request.form.get("retire", "1") == "1", current_user)
    except ChecklistError as error:
        flash_problems(error)
    return redirect(url_for("checklists.checklist", campaign_id=campaign.id))
