"""The coordinators' follow-up pages: tasks from a draw, assignment and reassignment, progress per
county, the review queue, the quality re-check and the call scripts."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from auth.permissions import require
from callbacks import tasks as task_service
from callbacks.access import counties_in_scope, visible_condition
from callbacks.context import retry_rules
from callbacks.errors import FollowUpError
from callbacks.forms import (
    AssignForm,
    GenerateForm,
    QualityForm,
    ReassignForm,
    ResolveForm,
    ScriptForm,
    options,
)
from callbacks.routes import bp, fail, load_task, me
from callbacks.script import save_script, script_for
from config.dispositions import CHANNELS, PHONE, TASK_STATUSES, VISIT
from core.clock import now
from core.extensions import db
from core.i18n import label, lang
from models import Draw, SampleUnit, User
from models import FollowUpTask as Task


@bp.route("/manage", methods=["GET"])
@require("assign_work")
def manage():
    """Coordinators: generate tasks per draw, assign by county, reassign in bulk, see progress."""
    actor = me()
    draws = db.session.execute(
        select(Draw, func.count(SampleUnit.id)).join(SampleUnit, SampleUnit.draw_id == Draw.id)
        .where(SampleUnit.status == "active").group_by(Draw.id).order_by(Draw.id.desc())).all()
    task_counts = dict(db.session.execute(select(Task.draw_id, func.count(Task.id)).group_by(Task.draw_id)).all())
    by_county = db.session.execute(
        select(Task.county_code, Task.status, Task.assigned_to_id, func.count(Task.id))
        .where(visible_condition(actor)).group_by(Task.county_code, Task.status, Task.assigned_to_id)).all()
    callers = {u.id: u for u in task_service.eligible_callers(db.session, actor.county_code)}
    progress = {}
    for county, status, assigned, count in by_county:
        row = progress.setdefault(county, {"open": 0, "awaiting_record": 0, "closed": 0, "pool": 0, "callers": {}})
        row[status] += count
        if status != "closed":
            if assigned is None:
                row["pool"] += count
            else:
                row["callers"][assigned] = row["callers"].get(assigned, 0) + count
    review_count = db.session.scalar(select(func.count(Task.id)).where(
        visible_condition(actor), Task.review_requested_at.is_not(None), Task.review_resolved_at.is_(None)))
    return render_template("callbacks/manage.html", draws=draws, task_counts=task_counts, progress=progress,
                           callers=callers, assign_form=_assign_form(), reassign_form=_reassign_form(),
                           generate_form=GenerateForm(), review_count=review_count)


def _assign_form() -> AssignForm:
    form = AssignForm()
    form.county.choices = options([(c.code, c.name(lang())) for c in counties_in_scope(current_user.county_code)])
    form.callers.choices = options([(u.id, u.display_name or u.username) for u in
                                    task_service.eligible_callers(db.session, current_user.county_code)])
    return form


def _reassign_form() -> ReassignForm:
    form = ReassignForm()
    everyone = [("", _("Any"))]
    callers = [(str(u.id), u.display_name or u.username) for u in
               task_service.eligible_callers(db.session, current_user.county_code)]
    form.county.choices = options(everyone + [(c.code, c.name(lang())) for c in counties_in_scope(current_user.county_code)])
    form.from_caller.choices = options(everyone + [("pool", _("Unassigned (county pool)"))] + callers)
    form.status.choices = options(everyone + [(code, label("task_status", code))
                                              for code, _z, _e in TASK_STATUSES if code != "closed"])
    form.channel.choices = options(everyone + [(code, label("channel", code)) for code, _z, _e in CHANNELS])
    form.to_caller.choices = options([("pool", _("Unassigned (county pool)"))] + callers)
    return form


@bp.post("/draws/<int:draw_id>/generate")
@require("assign_work")
def generate(draw_id):
    """Make the follow-up tasks of a draw (again: only units without a task get one)."""
    form = GenerateForm()
    try:
        result = task_service.generate_tasks(draw_id, now(), retry_rules(), me(), visit_first=form.visit_first.data)
    except FollowUpError as error:
        return fail(error, url_for(".manage"))
    flash(_("%(created)d tasks made (%(visits)d as visits; %(blocked)d closed as do-not-contact); %(existing)d "
            "already existed.", created=result.created, visits=result.visit_first, blocked=result.do_not_contact,
            existing=result.existing), "success")
    return redirect(url_for(".manage"))


@bp.post("/assign")
@require("assign_work")
def assign():
    """Share a county's unassigned tasks among the chosen callers, balanced by count."""
    form = _assign_form()
    if not form.validate_on_submit():
        return fail(FollowUpError("bad_caller"), url_for(".manage"))
    try:
        given = task_service.assign_balanced(me(), form.county.data, form.callers.data)
    except FollowUpError as error:
        return fail(error, url_for(".manage"))
    flash(_("%(count)d tasks assigned.", count=sum(given.values())), "success")
    return redirect(url_for(".manage"))


@bp.post("/reassign")
@require("assign_work")
def reassign():
    """Move every open task matching the filter to another caller or back to the pool."""
    form = _reassign_form()
    if not form.validate_on_submit() or not form.to_caller.data:
        return fail(FollowUpError("bad_caller"), url_for(".manage"))
    source = form.from_caller.data
    try:
        count = task_service.reassign(
            me(), None if form.to_caller.data == "pool" else int(form.to_caller.data),
            county_code=form.county.data or None, from_pool=source == "pool",
            from_caller_id=int(source) if source and source != "pool" else None,
            status=form.status.data or None, channel=form.channel.data or None)
    except FollowUpError as error:
        return fail(error, url_for(".manage"))
    flash(_("%(count)d tasks moved.", count=count), "success")
    return redirect(url_for(".manage"))


@bp.post("/tasks/<int:task_id>/send-to-visit")
@require("assign_work")
def send_to_visit(task_id):
    """Make a phone task a visit task."""
    load_task(task_id)
    count = task_service.send_to_visit(me(), [task_id], now(), retry_rules())
    flash(_("%(count)d tasks moved to the visit team.", count=count), "info")
    return redirect(url_for(".task", task_id=task_id))


@bp.route("/review")
@require("assign_work")
def review():
    """The review queue (referred and handed-back cases) and the quality re-check sample."""
    actor = me()
    referred = db.session.scalars(select(Task).where(
        visible_condition(actor), Task.review_requested_at.is_not(None), Task.review_resolved_at.is_(None))
        .options(selectinload(Task.person)).order_by(Task.review_requested_at)).all()
    quality = db.session.scalars(select(Task).where(
        visible_condition(actor), Task.qc_selected, Task.qc_result.is_(None))
        .options(selectinload(Task.person)).order_by(Task.closed_at)).all()
    resolve_form = ResolveForm()
    resolve_form.to_caller.choices = options([(0, _("Keep as is"))] + [
        (u.id, u.display_name or u.username) for u in task_service.eligible_callers(db.session, actor.county_code)])
    return render_template("callbacks/review.html", referred=referred, quality=quality, resolve_form=resolve_form,
                           quality_form=QualityForm(), users={u.id: u for u in db.session.scalars(select(User))})


@bp.post("/tasks/<int:task_id>/resolve")
@require("assign_work")
def resolve(task_id):
    """Close a review request with the coordinator's decision."""
    load_task(task_id)
    form = ResolveForm()
    form.to_caller.choices = options([(0, "")] + [(u.id, "") for u in task_service.eligible_callers(db.session, None)])
    if not form.validate_on_submit():
        return fail(FollowUpError("reason_required"), url_for(".review"))
    try:
        task_service.resolve_review(me(), task_id, form.resolution.data, now(), form.to_caller.data or None,
                                    form.start_visit.data, rules=retry_rules())
    except FollowUpError as error:
        return fail(error, url_for(".review"))
    flash(_("Review closed."), "success")
    return redirect(url_for(".review"))


@bp.post("/tasks/<int:task_id>/quality")
@require("assign_work")
def quality(task_id):
    """Store the quality re-check of a verified case."""
    load_task(task_id)
    form = QualityForm()
    try:
        task_service.record_qc(me(), task_id, form.result.data, form.note.data)
    except FollowUpError as error:
        return fail(error, url_for(".review"))
    flash(_("Quality re-check saved."), "success")
    return redirect(url_for(".review"))


@bp.route("/script/<channel>", methods=["GET", "POST"])
@require("assign_work")
def script(channel):
    """Edit the call script of a channel."""
    if channel not in (PHONE, VISIT):
        abort(404)
    form = ScriptForm()
    if form.validate_on_submit():
        save_script(me(), channel, form.body.data.strip(), now())
        flash(_("Call script saved."), "success")
        return redirect(url_for(".manage"))
    if request.method == "GET":
        form.body.data = script_for(db.session, channel)
    return render_template("callbacks/script.html", form=form, channel=channel)
