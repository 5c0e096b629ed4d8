"""Follow-up pages: the caller's queue and task page, visits, the verification form, supervision."""

from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from auth.permissions import require
from callbacks import queue as queue_service
from callbacks import tasks as task_service
from callbacks.access import is_visible, supervises, visible_condition
from callbacks.attempts import EARLY_ALLOWANCE, record_attempt
from callbacks.click_to_call import link_call_to_attempt
from callbacks.context import Actor, finding_rules, local_zone, retry_rules
from callbacks.errors import FollowUpError
from callbacks.forms import (
    AssignForm,
    GenerateForm,
    QualityForm,
    ReasonForm,
    ReassignForm,
    ResolveForm,
    ScriptForm,
    answers_from_form,
    new_submission_key,
    options,
)
from callbacks.labels import question_label
from callbacks.script import save_script, script_for
from callbacks.telephony import provider
from callbacks.verification import correct_verification, derive, parse_answers, record_verification
from config.dispositions import CHANNELS, PHONE, TASK_STATUSES, VISIT, dispositions_for
from config.verification import CORE_FIELDS, CURRENT_STATUSES, SATISFACTION_LEVELS, SERVICES, WISH_TO_WORK
from core.clock import now
from core.extensions import db
from core.i18n import label, lang
from core.inputs import int_arg
from core.privacy import mask_id_number, mask_phone
from core.timefmt import local_time
from models import Attempt, County, Draw, Person, SampleUnit, User, Verification
from models import FollowUpTask as Task

bp = Blueprint("followup", __name__, url_prefix="/followup")


@bp.record_once
def expose_helpers(state):
    """Expose the follow-up label helper and the masks to every template (macros included)."""
    state.app.jinja_env.globals.update(mask_id_number=mask_id_number,
                                       mask_phone=mask_phone, question_label=question_label)


def me() -> Actor:
    return Actor.of(current_user)


def fail(error: FollowUpError, target: str):
    """Show why an action was refused and go back; a task the user may not see is simply not found."""
    if error.status in (403, 404):
        abort(error.status)
    flash(error.message(), "danger")
    return redirect(target)


def load_task(task_id: int) -> Task:
    """Load a task the current user may see, or answer 404."""
    task = db.session.get(Task, task_id)
    if task is None or not is_visible(me(), task):
        abort(404)
    return task


# ---- the caller's queue and task page ----

@bp.route("/")
@require("follow_up")
def queue():
    """Show the caller's queue: due now, appointments, overdue, missed appointments, to record."""
    q = queue_service.build_queue(db.session, me(), now(), retry_rules())
    return render_template("callbacks/queue.html", q=q, now=now())


@bp.post("/next")
@require("follow_up")
def next_task():
    """Claim the next due task (phone by default) and open it."""
    channel = VISIT if request.form.get("channel") == VISIT else PHONE
    task = queue_service.claim_next(me(), now(), retry_rules(), channel)
    if task is None:
        flash(_("Nothing is due right now. Well done!"), "success")
        return redirect(url_for(".queue"))
    return redirect(url_for(".task", task_id=task.id))


@bp.route("/tasks/<int:task_id>")
@require("follow_up")
def task(task_id):
    """Show one task: person card, script, history, disposition buttons."""
    return render_task(load_task(task_id))


def render_task(task: Task, revealed: dict | None = None, status: int = 200):
    """Render the task page (optionally with revealed numbers)."""
    person = db.session.get(Person, task.person_id)
    attempts = db.session.scalars(select(Attempt).where(Attempt.task_id == task.id)
                                  .order_by(Attempt.at.desc(), Attempt.id.desc())).all()
    moment = now()
    claim_live = queue_service.claim_is_live(task, moment, retry_rules())
    return render_template(
        "callbacks/task.html", task=task, person=person, attempts=attempts, revealed=revealed or {},
        dispositions=dispositions_for(task.channel), script=script_for(db.session, task.channel),
        mine=claim_live and task.claimed_by_id == current_user.id,
        held_by_other=claim_live and task.claimed_by_id != current_user.id,
        submission_key=new_submission_key(), reason_form=ReasonForm(), rules=retry_rules(), now=moment,
        min_appointment=moment.astimezone(local_zone()).strftime("%Y-%m-%dT%H:%M"),
        can_supervise=supervises(me()),
        # Before it is due only a contact may be recorded (callbacks.attempts refuses a failed attempt).
        early=task.due_at is not None and moment < task.due_at - EARLY_ALLOWANCE,
    ), status


@bp.post("/tasks/<int:task_id>/claim")
@require("follow_up")
def claim(task_id):
    """Claim a task from the list."""
    try:
        queue_service.claim(me(), task_id, now(), retry_rules())
    except FollowUpError as error:
        return fail(error, url_for(".queue"))
    return redirect(url_for(".task", task_id=task_id))


@bp.post("/tasks/<int:task_id>/release")
@require("follow_up")
def release(task_id):
    """Give the task back to the queue without an attempt."""
    load_task(task_id)
    queue_service.release(me(), task_id)
    flash(_("The task is back in the queue."), "info")
    return redirect(url_for(".queue"))


@bp.post("/tasks/<int:task_id>/reveal")
@require("follow_up")
def reveal(task_id):
    """Show the full phone or ID number once, writing the read to the audit log."""
    field = "id_number" if request.form.get("field") == "id_number" else "phone"
    load_task(task_id)
    task, value = queue_service.reveal_number(me(), task_id, field, now(), via="page")
    revealed = {field: value}
    if field == "phone" and value:
        revealed["dial"] = provider().dial(value)
    return render_task(task, revealed)


def parse_local(text: str | None) -> datetime | None:
    """Read a datetime-local input (the app's time zone) as an aware datetime."""
    if not text:
        return None
    try:
        return datetime.fromisoformat(text).replace(tzinfo=local_zone())
    except ValueError:
        return None


@bp.post("/tasks/<int:task_id>/attempt")
@require("follow_up")
def attempt(task_id):
    """Record a disposition (one click); resubmitting the same form records once."""
    load_task(task_id)  # another county's task is not found, whatever the form holds
    try:
        result = record_attempt(
            me(), task_id, request.form.get("disposition", ""), now(), retry_rules(),
            submission_key=request.form.get("submission_key", ""),
            appointment_at=parse_local(request.form.get("appointment_at")), note=request.form.get("note", ""),
            lang=lang())
    except FollowUpError as error:
        return fail(error, url_for(".task", task_id=task_id))
    task = result.task
    link_call_to_attempt(request.form.get("call_id"), task.id, result.attempt.id, current_user.id)
    if task.status == "awaiting_record":
        return redirect(url_for(".verification", task_id=task.id))
    flash(_("Recorded: %(disposition)s. %(next)s", disposition=label("disposition", result.attempt.disposition),
            next=next_step_text(task)), "success")
    return redirect(url_for(".queue"))


def next_step_text(task: Task) -> str:
    """Say what happens next to a task, for the confirmation message."""
    if task.status == "closed":
        return _("Case closed: %(outcome)s.", outcome=label("final_outcome", task.final_outcome))
    return _("Next %(channel)s due %(due)s (%(reason)s).", channel=label("channel", task.channel),
             due=local_time(task.due_at), reason=label("plan_reason", task.plan_reason))


@bp.post("/tasks/<int:task_id>/refer")
@require("follow_up")
def refer(task_id):
    """Refer a case to the coordinators, or hand it back, with a reason."""
    load_task(task_id)
    kind = "hand_back" if request.form.get("kind") == "hand_back" else "referral"
    form = ReasonForm()
    if not form.validate_on_submit():
        return fail(FollowUpError("reason_required"), url_for(".task", task_id=task_id))
    try:
        task_service.request_review(me(), task_id, kind, form.reason.data, now(), retry_rules())
    except FollowUpError as error:
        return fail(error, url_for(".task", task_id=task_id))
    flash(_("Handed back to the coordinators.") if kind == "hand_back" else _("Referred to the coordinators."),
          "info")
    return redirect(url_for(".queue"))


# ---- the verification form ----

def form_context(task: Task, **extra) -> dict:
    person = db.session.get(Person, task.person_id)
    return dict(task=task, person=person, core_fields=CORE_FIELDS, statuses=CURRENT_STATUSES, services=SERVICES,
                satisfaction_levels=SATISFACTION_LEVELS, wishes=WISH_TO_WORK, **extra)


@bp.route("/tasks/<int:task_id>/verification", methods=["GET", "POST"])
@require("follow_up")
def verification(task_id):
    """Fill in the verification record: answers, then the derived types to confirm, then save."""
    task = load_task(task_id)
    record = db.session.scalar(select(Verification).where(Verification.task_id == task.id))
    if record is not None and request.method == "GET":
        return render_template("callbacks/verification_view.html", **form_context(task, record=record))
    if request.method == "GET":
        if task.status != "awaiting_record":
            flash(FollowUpError("not_awaiting_record").message(), "warning")
            return redirect(url_for(".task", task_id=task.id))
        return render_template("callbacks/verification_form.html", **form_context(
            task, answers=None, derived=None, problems=[], key=new_submission_key(), action="record"))
    return handle_answers(task, correcting=False)


@bp.route("/tasks/<int:task_id>/verification/correct", methods=["GET", "POST"])
@require("follow_up")
def correct(task_id):
    """Correct a stored record, with a reason; the earlier version stays in the audit log."""
    task = load_task(task_id)
    record = db.session.scalar(select(Verification).where(Verification.task_id == task.id))
    if record is None:
        abort(404)
    if not supervises(me()) and record.recorded_by_id != current_user.id:
        abort(403)
    if request.method == "GET":
        answers = {name: getattr(record, name) for name in (
            "identity_confirmed", "registered_by_self", "unemployed_at_registration", "corrections", "current_status",
            "status_since", "services", "satisfaction", "wish_to_work", "training_needs", "notes")}
        return render_template("callbacks/verification_form.html", **form_context(
            task, answers=answers, derived=None, problems=[], key=new_submission_key(), action="correct",
            record=record))
    return handle_answers(task, correcting=True, record=record)


def handle_answers(task: Task, correcting: bool, record=None):
    """Check the posted answers; show the derived types to confirm; store once confirmed."""
    answers, problems = parse_answers(answers_from_form(request.form))
    action = "correct" if correcting else "record"
    context = form_context(task, answers=answers, problems=problems, key=request.form.get("submission_key", ""),
                           action=action, record=record, reason=request.form.get("reason", ""))
    if problems:
        return render_template("callbacks/verification_form.html", derived=None, **context), 400
    person = db.session.get(Person, task.person_id)
    checked_on = record.checked_on if record else now().astimezone(local_zone()).date()
    try:
        derived = derive(answers, person, checked_on, finding_rules())
    except FollowUpError as error:
        problems = error.params["reasons"].split(", ")
        return render_template("callbacks/verification_form.html", derived=None,
                               **dict(context, problems=problems)), 400
    shown = request.form.get("derived_shown")
    if request.form.get("step") != "confirm" or shown != ",".join(derived):
        # First the caller sees what the answers imply; changed answers are shown again before saving.
        return render_template("callbacks/verification_form.html", derived=derived, **context)
    confirmed = request.form.getlist("confirmed")
    try:
        if correcting:
            correct_verification(me(), task.id, answers, confirmed, request.form.get("reason", ""), now(),
                                 finding_rules())
            flash(_("The record was corrected; the earlier version is kept in the audit log."), "success")
        else:
            record_verification(me(), task.id, answers, confirmed, now(), retry_rules(), finding_rules(),
                                submission_key=request.form.get("submission_key", ""))
            flash(_("Verification record saved. The case is closed."), "success")
    except FollowUpError as error:
        flash(error.message(), "danger")
        return render_template("callbacks/verification_form.html", derived=derived, **context), error.status
    return redirect(url_for(".task", task_id=task.id) if correcting else url_for(".queue"))


# ---- visits ----

@bp.route("/visits")
@require("follow_up")
def visits():
    """A printable list of open visit tasks with addresses, per county and caller."""
    actor = me()
    query = (select(Task, Person).join(Person, Person.id == Task.person_id)
             .where(visible_condition(actor), Task.status == "open", Task.channel == VISIT))
    county = actor.county_code or request.args.get("county") or None
    caller_id = int_arg("caller", None)
    if county:
        query = query.where(Task.county_code == county)
    if not supervises(actor):
        caller_id = None
    elif caller_id:
        query = query.where(Task.assigned_to_id == caller_id)
    rows = db.session.execute(query.order_by(Task.county_code, Person.residence_address, Task.id).limit(2000)).all()
    return render_template("callbacks/visits.html", rows=rows, county=county, caller_id=caller_id,
                           counties=_counties(), callers=task_service.eligible_callers(db.session, county),
                           printed_at=now())


def _counties():
    query = select(County).where(County.active).order_by(County.code)
    if current_user.county_code:
        query = query.where(County.code == current_user.county_code)
    return db.session.scalars(query).all()


# ---- supervision (coordinators) ----

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
    form.county.choices = options([(c.code, c.name(lang())) for c in _counties()])
    form.callers.choices = options([(u.id, u.display_name or u.username) for u in
                                    task_service.eligible_callers(db.session, current_user.county_code)])
    return form


def _reassign_form() -> ReassignForm:
    form = ReassignForm()
    everyone = [("", _("Any"))]
    callers = [(str(u.id), u.display_name or u.username) for u in
               task_service.eligible_callers(db.session, current_user.county_code)]
    form.county.choices = options(everyone + [(c.code, c.name(lang())) for c in _counties()])
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
        .order_by(Task.review_requested_at)).all()
    quality = db.session.scalars(select(Task).where(
        visible_condition(actor), Task.qc_selected, Task.qc_result.is_(None)).order_by(Task.closed_at)).all()
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
                                    form.start_visit.data, retry_rules())
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
