"""The caller's follow-up pages: the queue, the task page and its actions, the verification form,
the printable visit list."""

from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from auth.permissions import require
from callbacks import queue as queue_service
from callbacks import tasks as task_service
from callbacks.access import counties_in_scope, supervises, visible_condition
from callbacks.attempts import EARLY_ALLOWANCE, record_attempt
from callbacks.context import finding_rules, local_zone, retry_rules
from callbacks.errors import FollowUpError
from callbacks.forms import ReasonForm, answers_from_form, new_submission_key
from callbacks.routes import bp, fail, load_task, me
from callbacks.script import script_for
from callbacks.telephony.calls import link_call_to_attempt
from callbacks.telephony.notice_figures import task_telephony
from callbacks.telephony.provider import provider
from callbacks.verification import correct_verification, derive, parse_answers, record_verification
from config.dispositions import PHONE, VISIT, dispositions_for
from config.verification import CORE_FIELDS, CURRENT_STATUSES, SATISFACTION_LEVELS, SERVICES, WISH_TO_WORK
from core.clock import now
from core.extensions import db
from core.i18n import label, lang
from core.inputs import int_arg
from core.timefmt import local_time
from models import Attempt, Person, Verification
from models import FollowUpTask as Task

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
        telephony=task_telephony(task),
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
                           counties=counties_in_scope(current_user.county_code), callers=task_service.eligible_callers(db.session, county),
                           printed_at=now())
