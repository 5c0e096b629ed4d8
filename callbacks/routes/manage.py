"""The coordinators' follow-up pages: tasks from a draw, progress per county in a campaign, the review
queue, the quality re-check and the call scripts (the assignment table and workload: assignment.py)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from auth.permissions import require
from callbacks import tasks as task_service
from callbacks import workload
from callbacks.access import visible_condition
from callbacks.context import retry_rules
from callbacks.errors import FollowUpError
from callbacks.forms import GenerateForm, QualityForm, ResolveForm, ScriptForm, options
from callbacks.routes import bp, fail, load_task, me
from callbacks.script import save_script, script_for
from config.dispositions import PHONE, VISIT
from core.clock import now
from core.extensions import db
from core.inputs import int_arg
from models import Draw, SampleUnit, User
from models import FollowUpTask as Task


@bp.route("/manage", methods=["GET"])
@require("assign_work")
def manage():
    """Coordinators: make tasks per draw, see one campaign's progress per county, go on to assignment."""
    actor = me()
    draws = db.session.execute(
        select(Draw, func.count(SampleUnit.id)).join(SampleUnit, SampleUnit.draw_id == Draw.id)
        .where(SampleUnit.status == "active").group_by(Draw.id).order_by(Draw.id.desc())).all()
    task_counts = dict(db.session.execute(select(Task.draw_id, func.count(Task.id)).group_by(Task.draw_id)).all())
    campaigns = workload.campaigns_with_tasks(db.session, actor)
    chosen = int_arg("campaign", 0)
    campaign = next((c for c in campaigns if c.id == chosen), campaigns[0] if campaigns else None)
    progress = workload.county_progress(db.session, actor, campaign.id) if campaign else {}
    callers = {u.id: u for u in task_service.eligible_callers(db.session, actor.county_code)}
    review_count = db.session.scalar(select(func.count(Task.id)).where(
        visible_condition(actor), Task.review_requested_at.is_not(None), Task.review_resolved_at.is_(None)))
    return render_template("callbacks/manage.html", draws=draws, task_counts=task_counts, progress=progress,
                           callers=callers, campaigns=campaigns, campaign=campaign,
                           generate_form=GenerateForm(), review_count=review_count)


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
    campaign_id = db.session.scalar(select(Draw.campaign_id).where(Draw.id == draw_id))
    return redirect(url_for(".assignment", campaign=campaign_id, caller="pool"))


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
