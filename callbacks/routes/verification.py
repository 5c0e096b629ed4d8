"""The verification form of a task: the answers, the derived discrepancy types to confirm, the stored
record and its correction. Each question that checks a registered fact shows the value on file beside it."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from auth.permissions import require
from callbacks.access import supervises
from callbacks.case_facts import registered_values
from callbacks.context import finding_rules, local_zone, retry_rules
from callbacks.errors import FollowUpError
from callbacks.forms import answers_from_form, new_submission_key
from callbacks.routes import bp, load_task, me
from callbacks.verification import correct_verification, derive, parse_answers, record_verification
from config.verification import CORE_FIELDS, CURRENT_STATUSES, SATISFACTION_LEVELS, SERVICES, WISH_TO_WORK
from core.clock import now
from core.extensions import db
from models import Campaign, Person, Verification
from models import FollowUpTask as Task


def form_context(task: Task, **extra) -> dict:
    """Gather what the verification pages show: the task, its person, the code lists, the values on file."""
    person = db.session.get(Person, task.person_id)
    return dict(task=task, person=person, core_fields=CORE_FIELDS, statuses=CURRENT_STATUSES, services=SERVICES,
                satisfaction_levels=SATISFACTION_LEVELS, wishes=WISH_TO_WORK, on_record=registered_values(person),
                campaign=db.session.get(Campaign, task.campaign_id), **extra)


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


