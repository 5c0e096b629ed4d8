"""Meetings of the verification in a county (座谈会, 听取汇报, 听取意见): when, where, who by role, the
notes and the problems raised (one per line)."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from auth.scope import check_campaign, check_county
from checklists.errors import ChecklistError
from config.checklist import MEETING_KINDS, PARTICIPANT_ROLES
from core import auditlog
from core.clock import now
from core.extensions import db
from models import Meeting

KIND_CODES = tuple(code for code, _zh, _en in MEETING_KINDS)
ROLE_CODES = tuple(code for code, _zh, _en in PARTICIPANT_ROLES)
MAX_PARTICIPANTS = 200


def meetings_of(session, campaign_id: int, county_code: str | None = None) -> list[Meeting]:
    """Return a campaign's meetings (of one county when given), earliest first."""
    query = select(Meeting).where(Meeting.campaign_id == campaign_id)
    if county_code is not None:
        query = query.where(Meeting.county_code == county_code)
    return list(session.scalars(query.order_by(Meeting.held_on, Meeting.id)))


def parse_participants(text: str) -> tuple[list[dict], list[str]]:
    """Read participants typed one per line as "role code or label: name(s)"; return them and the problems."""
    labels: dict[str, str] = {}
    for code, zh, en in PARTICIPANT_ROLES:
        labels[code] = labels[zh] = labels[en.lower()] = code
    people, problems = [], []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        role, sep, names = line.replace("：", ":").partition(":")
        role_code = labels.get(role.strip().lower()) if sep else None
        if role_code is None or not names.strip():
            problems.append(_("Line %(n)d: write a role, a colon and the names, e.g. team: Zhang San, Li Si", n=number))
            continue
        for name in names.replace("，", "、").replace(",", "、").split("、"):
            if name.strip():
                people.append({"role": role_code, "name": name.strip()[:64]})
    return people, problems


def check_meeting(data: dict, today: date) -> dict[str, str]:
    """Return the problems of a meeting's fields, field by field."""
    problems = {}
    if data.get("kind") not in KIND_CODES:
        problems["kind"] = _("Choose the kind of meeting.")
    if data.get("held_on") is None:
        problems["held_on"] = _("Give the date of the meeting.")
    elif data["held_on"] > today:
        problems["held_on"] = _("The date of the meeting cannot be in the future.")
    if not (data.get("place") or "").strip():
        problems["place"] = _("Give the place of the meeting.")
    elif len(data["place"]) > 255:
        problems["place"] = _("At most %(n)d characters.", n=255)
    participants = data.get("participants") or []
    if not participants:
        problems["participants"] = _("Name at least one participant.")
    elif len(participants) > MAX_PARTICIPANTS or any(
            not isinstance(p, dict) or p.get("role") not in ROLE_CODES or not str(p.get("name") or "").strip()
            for p in participants):
        problems["participants"] = _("Every participant needs a role of the list and a name.")
    for field in ("notes", "problems"):
        if len(data.get(field) or "") > 20000:
            problems[field] = _("At most %(n)d characters.", n=20000)
    return problems


def save(campaign, county_code: str, data: dict, user, today: date, meeting: Meeting | None = None) -> Meeting:
    """Record a new meeting, or change one, after checking its fields."""
    check_campaign(campaign, user)
    check_county(county_code, user)
    problems = check_meeting(data, today)
    if problems:
        raise ChecklistError(problems)
    with db.write_transaction() as session:
        if meeting is None:
            meeting = Meeting(campaign_id=campaign.id, county_code=county_code,
                              created_by_id=user.id if user else None, created_at=now())
            session.add(meeting)
        else:
            meeting = session.merge(meeting)
        meeting.kind, meeting.held_on, meeting.place = data["kind"], data["held_on"], data["place"].strip()
        meeting.participants = [{"role": p["role"], "name": str(p["name"]).strip()[:64]}
                                for p in data["participants"]]
        meeting.notes, meeting.problems = (data.get("notes") or "").strip(), (data.get("problems") or "").strip()
        meeting.updated_at = now()
        session.flush()
        auditlog.record("meeting.save", "verification_meeting", meeting.id, user=user, county=county_code,
                        kind=meeting.kind, held_on=meeting.held_on.isoformat(), place=meeting.place,
                        participants=len(meeting.participants))
        return meeting


def problems_raised(meeting: Meeting) -> list[str]:
    """Return the problems a meeting raised, one per line typed."""
    return [line.strip() for line in (meeting.problems or "").splitlines() if line.strip()]
