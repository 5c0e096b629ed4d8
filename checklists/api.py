"""The checklist API under /api/v1: the campaign's checklist, each county's entries, meetings and the
overview, with the same permissions and county scope as the pages."""

from flask import Blueprint, abort, jsonify, request
from flask_login import current_user

from checklists import access, entries, evidence, meetings, setup
from checklists.errors import ChecklistError
from checklists.progress import overview
from checklists.serialize import as_date, item_dict, meeting_dict, row_dict
from checklists.sheet import county_sheet
from config.checklist import AREAS, CONCLUSIONS, MEETING_KINDS, METHODS
from core.errors import api_error
from core.extensions import db
from core.jsonbody import Field, accepts

# Nested under the API blueprint (api/__init__.py): paths are below /api/v1, endpoints "api.checklists.…".
bp = Blueprint("checklists", __name__)

METHOD_CODES = tuple(c for c, _zh, _en in METHODS)


def _refused(error: ChecklistError):
    return api_error(error.status, error.code, "；".join(error.problems.values()), problems=error.problems)


def _require_edit():
    if not access.may_edit_checklist(current_user):
        abort(403)


def _require_record():
    if not access.may_record(current_user):
        abort(403)


@bp.get("/campaigns/<int:campaign_id>/checklist")
def checklist(campaign_id):
    """Return the campaign's checklist items (retired ones marked) and whether the work has started."""
    access.require_view()
    campaign = access.visible_campaign(campaign_id)
    return jsonify(items=[item_dict(i) for i in setup.items_of(db.session, campaign.id)],
                   locked=setup.is_locked(db.session, campaign.id))


@bp.post("/campaigns/<int:campaign_id>/checklist/copy")
def copy_template(campaign_id):
    """Give the campaign the notice's checklist, unless it has one; return how many items were added."""
    _require_edit()
    campaign = access.visible_campaign(campaign_id)
    return jsonify(added=setup.copy_template(campaign, current_user))


@bp.post("/campaigns/<int:campaign_id>/checklist/items")
@accepts(area=Field("text", required=True, choices=tuple(c for c, _zh, _en in AREAS)),
         text=Field("text", required=True, max_length=2000), text_en=Field("text", max_length=2000),
         methods=Field("codes", required=True, max_length=16))
def add_item(campaign_id, body):
    """Add an item to an area ({"area", "text", "text_en", "methods"}) before the work starts."""
    _require_edit()
    campaign = access.visible_campaign(campaign_id)
    try:
        item = setup.add_item(campaign, body["area"], body["text"], body.get("text_en", ""), _codes(body["methods"]),
                              current_user)
    except ChecklistError as error:
        return _refused(error)
    return jsonify(item_dict(item)), 201


def _codes(value) -> list[str]:
    return [v.strip() for v in value.split(",")] if isinstance(value, str) else list(value)


@bp.post("/campaigns/<int:campaign_id>/checklist/items/<int:check_item_id>")
@accepts(text=Field("text", required=True, max_length=2000), text_en=Field("text", max_length=2000),
         methods=Field("codes", required=True, max_length=16))
def edit_item(campaign_id, check_item_id, body):
    """Change an item's wording and methods before the work starts."""
    _require_edit()
    campaign = access.visible_campaign(campaign_id)
    item = access.visible_item(campaign, check_item_id)
    try:
        setup.edit_item(campaign, item, body["text"], body.get("text_en", ""), _codes(body["methods"]), current_user)
    except ChecklistError as error:
        return _refused(error)
    return jsonify(item_dict(item))


@bp.post("/campaigns/<int:campaign_id>/checklist/items/<int:check_item_id>/retire")
@accepts(retired=Field("boolean", required=True))
def retire_item(campaign_id, check_item_id, body):
    """Retire an item ({"retired": true}) or bring it back ({"retired": false})."""
    _require_edit()
    campaign = access.visible_campaign(campaign_id)
    item = access.visible_item(campaign, check_item_id)
    try:
        setup.retire_item(campaign, item, body["retired"], current_user)
    except ChecklistError as error:
        return _refused(error)
    return jsonify(item_dict(item))


@bp.get("/campaigns/<int:campaign_id>/verification")
def progress(campaign_id):
    """Return the progress of every visible county side by side."""
    access.require_view()
    campaign = access.visible_campaign(campaign_id)
    rows = overview(db.session, campaign, access.today(), access.visible_counties(campaign))
    return jsonify(counties=[{k: v for k, v in r.items() if k != "county"} for r in rows])


@bp.get("/campaigns/<int:campaign_id>/verification/counties/<code>")
def county_checklist(campaign_id, code):
    """Return a county's checklist: every item with the county's entry and its figures."""
    access.require_view()
    campaign, _county = access.campaign_county(campaign_id, code)
    return jsonify(county=code, items=[row_dict(r) for r in county_sheet(db.session, campaign, code, access.today())])


@bp.post("/campaigns/<int:campaign_id>/verification/counties/<code>/items/<int:check_item_id>")
@accepts(conclusion=Field("text", nullable=True, choices=(None, *(c for c, _zh, _en in CONCLUSIONS))),
         findings=Field("text", max_length=4000), ledger_ref=Field("text", max_length=255),
         checked_on=Field("date", nullable=True), responsible_unit=Field("text", max_length=128, nullable=True),
         due_on=Field("date", nullable=True))
def record(campaign_id, code, check_item_id, body):
    """Record the county's conclusion on an item; 基本符合/不符合 open a rectification item."""
    _require_record()
    campaign, _county = access.campaign_county(campaign_id, code)
    item = access.visible_item(campaign, check_item_id)
    data = dict(body, checked_on=as_date(body.get("checked_on")), due_on=as_date(body.get("due_on")))
    try:
        entries.record(campaign, code, item, data, current_user, access.today())
    except ChecklistError as error:
        return _refused(error)
    return county_checklist(campaign_id, code)


@bp.post("/campaigns/<int:campaign_id>/verification/counties/<code>/items/<int:check_item_id>/<step>")
def entry_step(campaign_id, code, check_item_id, step):
    """Sign an entry off (step "sign-off": its figures are frozen) or reopen it (step "reopen")."""
    _require_record()
    campaign, _county = access.campaign_county(campaign_id, code)
    item = access.visible_item(campaign, check_item_id)
    try:
        if step == "sign-off":
            entries.sign_off(campaign, code, item, current_user, access.today())
        elif step == "reopen":
            entries.reopen(campaign, code, item, current_user)
        else:
            abort(404)
    except ChecklistError as error:
        return _refused(error)
    return county_checklist(campaign_id, code)


@bp.get("/campaigns/<int:campaign_id>/verification/counties/<code>/meetings")
def county_meetings(campaign_id, code):
    """Return a county's meetings."""
    access.require_view()
    campaign, _county = access.campaign_county(campaign_id, code)
    return jsonify(meetings=[meeting_dict(m) for m in meetings.meetings_of(db.session, campaign.id, code)])


MEETING_FIELDS = dict(kind=Field("text", required=True, choices=tuple(c for c, _zh, _en in MEETING_KINDS)),
                      held_on=Field("date", required=True), place=Field("text", required=True, max_length=255),
                      participants=Field("texts", required=True, max_length=2000), notes=Field("text", max_length=20000),
                      problems=Field("text", max_length=20000))


def _meeting_data(body: dict) -> dict:
    """Read a meeting body: its date, and the participants as lines of "role: names" (as the page takes them)."""
    people, problems = meetings.parse_participants("\n".join(body["participants"]))
    if problems:
        raise ChecklistError({"participants": "；".join(problems)})
    return dict(body, held_on=as_date(body["held_on"]), participants=people)


@bp.post("/campaigns/<int:campaign_id>/verification/counties/<code>/meetings")
@accepts(**MEETING_FIELDS)
def new_meeting(campaign_id, code, body):
    """Record a meeting ({"kind", "held_on", "place", "participants": ["team: 张三、李四", …], "notes", "problems"})."""
    _require_record()
    campaign, _county = access.campaign_county(campaign_id, code)
    try:
        meeting = meetings.save(campaign, code, _meeting_data(body), current_user, access.today())
    except ChecklistError as error:
        return _refused(error)
    return jsonify(meeting_dict(meeting)), 201


@bp.get("/verification/meetings/<int:meeting_id>")
def meeting(meeting_id):
    """Return one meeting."""
    access.require_view()
    return jsonify(meeting_dict(access.visible_meeting(meeting_id)))


@bp.post("/verification/meetings/<int:meeting_id>")
@accepts(**MEETING_FIELDS)
def edit_meeting(meeting_id, body):
    """Change a meeting's record (the same fields as a new one)."""
    _require_record()
    found = access.visible_meeting(meeting_id)
    campaign, _county = access.campaign_county(found.campaign_id, found.county_code)
    try:
        meetings.save(campaign, found.county_code, _meeting_data(body), current_user, access.today(), found)
    except ChecklistError as error:
        return _refused(error)
    return jsonify(meeting_dict(found))


@bp.post("/campaigns/<int:campaign_id>/verification/counties/<code>/items/<int:check_item_id>/evidence")
def attach_evidence(campaign_id, code, check_item_id):
    """Attach a file (multipart field "file": PDF, PNG, JPEG, XLSX or DOCX) as evidence of the county's entry."""
    _require_record()
    campaign, _county = access.campaign_county(campaign_id, code)
    item = access.visible_item(campaign, check_item_id)
    try:
        attached = evidence.attach_file(campaign, code, item, request.files.get("file"), current_user)
    except ChecklistError as error:
        return _refused(error)
    return jsonify(id=attached.id, filename=attached.filename, sha256=attached.sha256, size=attached.size,
                   content_type=attached.content_type), 201
