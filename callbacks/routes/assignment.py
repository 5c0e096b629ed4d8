"""The coordinators' assignment table (open tasks, filtered and paged; many or all matching given to a
caller or the county pool in one step) and the workload of each caller."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from auth.permissions import require
from callbacks import assignment as assign_service
from callbacks import tasks as task_service
from callbacks import workload
from callbacks.access import counties_in_scope
from callbacks.context import local_zone
from callbacks.errors import FollowUpError
from callbacks.forms import AssignTasksForm, options
from callbacks.routes import bp, fail, me
from core.clock import now
from core.extensions import db
from core.i18n import lang
from core.inputs import MAX_ID, MAX_PAGE, int_arg
from models import User


def _callers() -> list[User]:
    """Return the callers the signed-in coordinator may give work to."""
    return task_service.eligible_callers(db.session, me().county_code)


def _assign_form(callers: list[User]) -> AssignTasksForm:
    form = AssignTasksForm()
    form.to_caller.choices = options(
        [("", _("Choose…")), ("pool", _("Unassigned (county pool)"))]
        + [(str(u.id), f"{u.display_name or u.username}（{_county_scope_label(u.county_code)}）") for u in callers])
    return form


def _county_scope_label(code: str | None) -> str:
    from models.county import county_name

    return county_name(code) if code else _("any county")


@bp.route("/assignment")
@require("assign_work")
def assignment():
    """Show the open tasks matching the filter, a page at a time, with the assignment step."""
    actor = me()
    f = assign_service.TaskFilter.from_mapping(request.args)
    result = assign_service.list_tasks(db.session, actor, f, now(), local_zone(), int_arg("page", 1, 1, MAX_PAGE),
                                   current_app.config["PAGE_SIZE"])
    callers = _callers()
    return render_template(
        "callbacks/assignment.html", result=result, f=f, form=_assign_form(callers),
        counties=[(c.code, c.name(lang())) for c in counties_in_scope(actor.county_code)],
        campaign_choices=[(c.id, c.name) for c in workload.campaigns_with_tasks(db.session, actor)],
        caller_choices=[("pool", _("Unassigned (county pool)"))]
        + [(str(u.id), u.display_name or u.username) for u in callers],
        attempt_choices=[(code, code) for code in assign_service.ATTEMPT_CHOICES])


@bp.post("/assignment")
@require("assign_work")
def assign_tasks():
    """Give the ticked tasks, or all matching the filter, to a caller or the county pool."""
    f = assign_service.TaskFilter.from_mapping(request.args)
    back = url_for(".assignment", **f.args())
    form = _assign_form(_callers())
    if not form.validate_on_submit():
        flash(_("Choose a caller or the county pool to assign to."), "danger")
        return redirect(back)
    target = None if form.to_caller.data == "pool" else int(form.to_caller.data)
    try:
        if form.scope.data == "all":
            result = assign_service.assign_tasks(me(), target, now(), local_zone(), f=f, expected=form.expected.data)
        else:
            picked = [i for i in form.task_ids.data or [] if 0 < i <= MAX_ID]
            if len(picked) != len(form.task_ids.data or []):
                raise FollowUpError("not_found")
            result = assign_service.assign_tasks(me(), target, now(), local_zone(), task_ids=picked)
    except FollowUpError as error:
        return fail(error, back)
    flash(_("%(selected)d tasks assigned (%(changed)d changed hands, the others were there already).",
            selected=result.selected, changed=result.changed), "success")
    return redirect(back)


@bp.route("/workload")
@require("assign_work")
def workload_view():
    """Show each caller's open, due today, overdue and closed-this-week tasks, and the county pool."""
    actor = me()
    campaigns = workload.campaigns_with_tasks(db.session, actor)
    chosen = int_arg("campaign", 0)
    campaign = next((c for c in campaigns if c.id == chosen), None)
    rows = workload.caller_workload(db.session, actor, now(), local_zone(), campaign.id if campaign else None,
                                    callers=_callers())
    return render_template("callbacks/workload.html", rows=rows, campaigns=campaigns, campaign=campaign)
