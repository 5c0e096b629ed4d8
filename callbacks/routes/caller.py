"""The caller's follow-up pages: the queue (each section in full, the search for a case), the task page
and its actions, the printable visit list. The verification form is in `verification.py`."""

from datetime import datetime

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from auth.permissions import require
from callbacks import queue as queue_service
from callbacks import tasks as task_service
from callbacks.access import claim_is_live, counties_in_scope, supervises, visible_condition
from callbacks.attempts import EARLY_ALLOWANCE, record_attempt
from callbacks.case_facts import campaign_names
from callbacks.case_search import search_cases
from callbacks.context import local_zone, retry_rules
from callbacks.errors import FollowUpError
from callbacks.forms import ReasonForm, new_submission_key
from callbacks.routes import bp, fail, load_task, me, reveal_grants
from callbacks.script import script_for
from callbacks.telephony.calls import link_call_to_attempt
from callbacks.telephony.notice_figures import task_telephony
from config.dispositions import PHONE, VISIT, dispositions_for
from core.clock import now
from core.extensions import db
from core.i18n import label, lang
from core.inputs import MAX_PAGE, int_arg
from core.timefmt import local_time
from models import Attempt, Campaign, Draw, Person
from models import FollowUpTask as Task
from roster.search import NUMBER_REFUSED, TOO_MANY, SearchThrottled

# ---- the caller's queue, its sections in full, and the search for a case ----

@bp.route("/")
@require("follow_up")
def queue():
    """Show the caller's queue: every section's count and its first tasks, the search box."""
    q = queue_service.build_queue(db.session, me(), now(), retry_rules())
    tasks = [t for name in queue_service.SECTIONS for t in q[name]]
    return render_template("callbacks/queue.html", q=q, now=now(), campaigns=campaign_names(db.session, tasks))


@bp.route("/all")
@require("follow_up")
def section():
    """Show one section of the caller's queue in full, page by page, in the chosen order."""
    name = request.args.get("section", "due_now")
    if name not in queue_service.SECTIONS:
        abort(404)
    moment = now()
    counts = queue_service.section_counts(db.session, me(), moment, retry_rules())
    result = queue_service.section_page(db.session, me(), moment, retry_rules(), name,
                                        page=int_arg("page", 1, 1, MAX_PAGE), sort=request.args.get("sort", "due"),
                                        total=counts[name])
    return render_template("callbacks/queue_section.html", result=result, counts=counts, now=moment,
                           sorts=queue_service.SORTS, campaigns=campaign_names(db.session, result.tasks))


@bp.route("/search")
@require("follow_up")
def search():
    """Find a case when a person rings back: by name, name and last four digits, or case number."""
    text = request.args.get("q", "")
    try:
        results = search_cases(me(), text, now(), current_app.config["SEARCH_MAX_PER_MINUTE"], via="page")
    except SearchThrottled:
        return render_template("callbacks/search.html", results=None, text=text, throttled=str(TOO_MANY)), 429
    return render_template("callbacks/search.html", results=results, text=text, refused=str(NUMBER_REFUSED))


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
    """Show one task: person card, campaign, script, history, disposition buttons."""
    task = load_task(task_id)
    person = db.session.get(Person, task.person_id)
    attempts = db.session.scalars(select(Attempt).where(Attempt.task_id == task.id)
                                  .order_by(Attempt.at.desc(), Attempt.id.desc())).all()
    moment = now()
    claim_live = claim_is_live(task, moment, retry_rules())
    return render_template(
        "callbacks/task.html", task=task, person=person, attempts=attempts,
        revealed=reveal_grants.revealed(session, task.id, person, moment),
        campaign=db.session.get(Campaign, task.campaign_id), draw=db.session.get(Draw, task.draw_id),
        dispositions=dispositions_for(task.channel), script=script_for(db.session, task.channel),
        mine=claim_live and task.claimed_by_id == current_user.id,
        held_by_other=claim_live and task.claimed_by_id != current_user.id,
        submission_key=new_submission_key(), reason_form=ReasonForm(), rules=retry_rules(), now=moment,
        min_appointment=moment.astimezone(local_zone()).strftime("%Y-%m-%dT%H:%M"),
        can_supervise=supervises(me()),
        # Before it is due only a contact may be recorded (callbacks.attempts refuses a failed attempt).
        early=task.due_at is not None and moment < task.due_at - EARLY_ALLOWANCE,
        telephony=task_telephony(task),
    )


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
    reveal_grants.forget(session, task_id)
    flash(_("The task is back in the queue."), "info")
    return redirect(url_for(".queue"))


@bp.post("/tasks/<int:task_id>/reveal")
@require("follow_up")
def reveal(task_id):
    """Log the read of the full phone or ID number, then show the task page with it (post, redirect, get:
    a refresh neither asks to resubmit nor logs a second read)."""
    field = "id_number" if request.form.get("field") == "id_number" else "phone"
    load_task(task_id)
    queue_service.reveal_number(me(), task_id, field, now(), via="page")
    reveal_grants.grant(session, task_id, field, now())
    return redirect(url_for(".task", task_id=task_id, _anchor="person-card"))


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
    reveal_grants.forget(session, task.id)
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
