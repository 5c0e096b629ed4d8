"""A county's meetings (座谈会, 听取汇报, 听取意见): the list, a new one, one to read and change."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from checklists import access, meetings
from checklists.errors import ChecklistError
from checklists.forms import MeetingForm
from checklists.routes import bp
from checklists.routes.common import flash_problems, meeting_kind_choices
from core.extensions import db
from core.i18n import label


def _form(meeting=None, read=True) -> MeetingForm:
    form = MeetingForm(**({"formdata": None} if not read else {}), obj=meeting)
    form.kind.choices = meeting_kind_choices()
    if meeting is not None and not read:
        form.participants.data = participants_text(meeting.participants)
    return form


def participants_text(participants: list[dict]) -> str:
    """Write participants back as the form reads them: one role per line, names joined by 、."""
    by_role: dict[str, list[str]] = {}
    for person in participants:
        by_role.setdefault(person["role"], []).append(person["name"])
    return "\n".join(f"{label('participant_role', role)}：{'、'.join(names)}" for role, names in by_role.items())


def _data(form: MeetingForm) -> dict:
    people, problems = meetings.parse_participants(form.participants.data)
    if problems:
        raise ChecklistError({"participants": "；".join(problems)})
    return {"kind": form.kind.data, "held_on": form.held_on.data, "place": form.place.data or "",
            "participants": people, "notes": form.notes.data, "problems": form.problems.data}


@bp.route("/<int:campaign_id>/county/<code>/meetings")
@login_required
def county_meetings(campaign_id, code):
    """List a county's meetings, with the form for a new one."""
    access.require_view()
    campaign, county = access.campaign_county(campaign_id, code)
    return render_template("checklists/meetings.html", campaign=campaign, county=county,
                           meetings=meetings.meetings_of(db.session, campaign.id, code), form=_form(read=False),
                           may_record=access.may_record(current_user), problems_raised=meetings.problems_raised)


@bp.post("/<int:campaign_id>/county/<code>/meetings")
@login_required
def new_meeting(campaign_id, code):
    """Record a meeting held in the county."""
    if not access.may_record(current_user):
        abort(403)
    campaign, _county = access.campaign_county(campaign_id, code)
    form = _form()
    try:
        if not form.validate_on_submit():
            raise ChecklistError({k: "；".join(v) for k, v in form.errors.items()})
        meeting = meetings.save(campaign, code, _data(form), current_user, access.today())
        flash(_("Meeting recorded."), "success")
        return redirect(url_for("checklists.meeting", meeting_id=meeting.id))
    except ChecklistError as error:
        flash_problems(error)
    return redirect(url_for("checklists.county_meetings", campaign_id=campaign.id, code=code))


@bp.route("/meetings/<int:meeting_id>")
@login_required
def meeting(meeting_id):
    """Show a meeting, and let a coordinator change it."""
    access.require_view()
    meeting = access.visible_meeting(meeting_id)
    campaign, county = access.campaign_county(meeting.campaign_id, meeting.county_code)
    return render_template("checklists/meeting.html", meeting=meeting, campaign=campaign, county=county,
                           form=_form(meeting, read=False), may_record=access.may_record(current_user),
                           problems_raised=meetings.problems_raised)


@bp.post("/meetings/<int:meeting_id>")
@login_required
def edit_meeting(meeting_id):
    """Change a meeting's record."""
    if not access.may_record(current_user):
        abort(403)
    meeting = access.visible_meeting(meeting_id)
    campaign, _county = access.campaign_county(meeting.campaign_id, meeting.county_code)
    form = _form()
    try:
        if not form.validate_on_submit():
            raise ChecklistError({k: "；".join(v) for k, v in form.errors.items()})
        meetings.save(campaign, meeting.county_code, _data(form), current_user, access.today(), meeting)
        flash(_("Meeting saved."), "success")
    except ChecklistError as error:
        flash_problems(error)
    return redirect(url_for("checklists.meeting", meeting_id=meeting.id))
