"""Follow-up JSON API under /api/v1/followup, the caller's side: queue, claim, attempt, verification
(same permissions as the pages)."""

from flask import current_app, jsonify, request
from sqlalchemy import select

from auth.permissions import require
from callbacks import queue as queue_service
from callbacks.access import visible_task
from callbacks.api import bp
from callbacks.attempts import record_attempt
from callbacks.case_search import search_cases
from callbacks.context import current_actor, finding_rules, retry_rules
from callbacks.errors import FollowUpError
from callbacks.serialize import iso, task_json
from callbacks.verification import correct_verification, record_as_dict, record_verification
from config.dispositions import APPOINTMENT_PROBLEMS, PHONE, VISIT
from core.clock import now
from core.errors import api_error
from core.extensions import db
from core.i18n import label, lang
from core.inputs import MAX_PAGE, int_arg
from core.jsonbody import Field, accepts
from models import Attempt, Person, Verification
from roster.search import NUMBER_REFUSED, TOO_MANY, SearchThrottled


@bp.get("/followup/queue")
@require("follow_up")
def followup_queue():
    """The caller's queue: every section's count (as the home page counts them) and its first tasks."""
    q = queue_service.build_queue(db.session, current_actor(), now(), retry_rules(), first=queue_service.PAGE_SIZE)
    sections = {name: [task_json(t) for t in q[name]] for name in queue_service.SECTIONS}
    return jsonify(held=task_json(q.held) if q.held else None, counts=q.counts, sections=sections)


@bp.get("/followup/queue/<section>")
@require("follow_up")
def followup_queue_section(section):
    """One section of the caller's queue in full, page by page: ?page=1&sort= due, -due, name or attempts."""
    if section not in queue_service.SECTIONS:
        raise FollowUpError("not_found")
    result = queue_service.section_page(db.session, current_actor(), now(), retry_rules(), section,
                                        page=int_arg("page", 1, 1, MAX_PAGE), sort=request.args.get("sort", "due"))
    return jsonify(section=result.section, sort=result.sort, page=result.page, pages=result.pages,
                   total=result.total, tasks=[task_json(t) for t in result.tasks])


@bp.get("/followup/search")
@require("follow_up")
def followup_search():
    """Find a case by ?q= a name, a name with the last four digits of the phone, or a case number (masked)."""
    try:
        results = search_cases(current_actor(), request.args.get("q", ""), now(),
                               current_app.config["SEARCH_MAX_PER_MINUTE"], via="api")
    except SearchThrottled:
        return api_error(429, "search_throttled", str(TOO_MANY))
    if results.query.refused:
        return api_error(400, "number_refused", str(NUMBER_REFUSED))
    rows = [row | {"due_at": iso(row["due_at"])} for row in results.rows]
    return jsonify(kind=results.query.kind, total=results.total, cases=rows)


@bp.post("/followup/next")
@require("follow_up")
@accepts(channel=Field("text", choices=(PHONE, VISIT)))
def followup_next(body):
    """Claim the next due task; 204 when nothing is due."""
    channel = body.get("channel", PHONE)
    task = queue_service.claim_next(current_actor(), now(), retry_rules(), channel)
    if task is None:
        return "", 204
    return jsonify(task_json(task))


@bp.get("/followup/tasks/<int:task_id>")
@require("follow_up")
def followup_task(task_id):
    """One task with its attempts and its verification record."""
    task = visible_task(current_actor(), task_id)
    attempts = db.session.scalars(select(Attempt).where(Attempt.task_id == task.id).order_by(Attempt.at, Attempt.id))
    record = db.session.scalar(select(Verification).where(Verification.task_id == task.id))
    return jsonify(task_json(task) | {
        "attempts": [{"id": a.id, "at": iso(a.at), "channel": a.channel, "disposition": a.disposition,
                      "appointment_at": iso(a.appointment_at), "note": a.note, "caller_id": a.caller_id}
                     for a in attempts],
        "verification": record_as_dict(record, masked=True) if record else None,
    })


@bp.post("/followup/tasks/<int:task_id>/claim")
@require("follow_up")
def followup_claim(task_id):
    """Claim one task."""
    return jsonify(task_json(queue_service.claim(current_actor(), task_id, now(), retry_rules())))


@bp.post("/followup/tasks/<int:task_id>/release")
@require("follow_up")
def followup_release(task_id):
    """Release the caller's claim on a task."""
    visible_task(current_actor(), task_id)
    queue_service.release(current_actor(), task_id)
    return jsonify(released=True)


def _parseiso(text):
    from datetime import datetime

    if not text:
        return None
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        problem = "appointment_unreadable"
    else:
        if moment.tzinfo is not None:
            return moment
        problem = "appointment_no_zone"
    raise FollowUpError("bad_appointment", reasons=label(APPOINTMENT_PROBLEMS, problem), problems=[problem])


@bp.post("/followup/tasks/<int:task_id>/attempts")
@require("follow_up")
@accepts(disposition=Field("text", required=True, max_length=40), submission_key=Field("text", max_length=100),
         appointment_at=Field("text", nullable=True, max_length=40), note=Field("text", max_length=2000))
def followup_attempt(task_id, body):
    """Record an attempt: {disposition, submission_key, appointment_at (ISO with offset), note}.
    201 when recorded, 200 when the same submission_key was recorded before."""
    data = body
    result = record_attempt(current_actor(), task_id, str(data.get("disposition", "")), now(), retry_rules(),
                            submission_key=str(data.get("submission_key", "")),
                            appointment_at=_parseiso(data.get("appointment_at")), note=str(data.get("note", "")),
                            lang=lang())
    body = {"attempt_id": result.attempt.id, "created": result.created, "task": task_json(result.task)}
    return jsonify(body), 201 if result.created else 200


@bp.post("/followup/tasks/<int:task_id>/verification")
@require("follow_up")
@accepts(answers=Field("object", nullable=True), confirmed=Field("texts", nullable=True),
         submission_key=Field("text", max_length=100))
def followup_verification(task_id, body):
    """Record the verification: {answers: {...}, confirmed: [types], submission_key}. Without
    `confirmed` nothing is stored: the answer lists the derived types for the caller to confirm."""
    from callbacks.verification import derive, parse_answers

    data = body
    if data.get("confirmed") is None:
        task = visible_task(current_actor(), task_id)
        answers, problems = parse_answers(data.get("answers") or {})
        if problems:
            raise FollowUpError("bad_answers", reasons=", ".join(problems))
        from callbacks.context import local_zone

        derived = derive(answers, db.session.get(Person, task.person_id), now().astimezone(local_zone()).date(),
                         finding_rules())
        return jsonify(derived=derived, stored=False)
    result = record_verification(current_actor(), task_id, data.get("answers") or {}, data.get("confirmed"), now(),
                                 retry_rules(), finding_rules(), submission_key=str(data.get("submission_key", "")))
    return jsonify(record_as_dict(result.record, masked=True) | {"created": result.created}), 201 if result.created else 200


@bp.put("/followup/tasks/<int:task_id>/verification")
@require("follow_up")
@accepts(answers=Field("object", nullable=True), confirmed=Field("texts", nullable=True),
         reason=Field("text", max_length=1000))
def followup_correct(task_id, body):
    """Correct the verification record: {answers, confirmed, reason}; the old version goes to the audit log."""
    data = body
    record = correct_verification(current_actor(), task_id, data.get("answers") or {}, data.get("confirmed"),
                                  str(data.get("reason", "")), now(), finding_rules())
    return jsonify(record_as_dict(record, masked=True))
