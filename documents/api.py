"""The documents under /api/v1: a county's feedback and the city-wide report as DOCX, the checklists as
XLSX, with the same permissions and county scope as the pages."""

from flask import Blueprint, Response, abort
from flask_login import current_user

from auth.permissions import county_scope
from checklists import access
from core.downloads import attachment
from documents import service

# Nested under the API blueprint (api/__init__.py): paths are below /api/v1, endpoints "api.documents.…".
bp = Blueprint("documents", __name__)


def _download(data: bytes, name: str, mimetype: str, fallback: str) -> Response:
    headers = attachment(name, fallback) | {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}
    return Response(data, content_type=mimetype, headers=headers)


@bp.get("/campaigns/<int:campaign_id>/documents/feedback/<code>")
def feedback(campaign_id, code):
    """Return a county's feedback (核查情况反馈意见) as DOCX."""
    access.require_view()
    campaign, _county = access.campaign_county(campaign_id, code)
    data, name = service.feedback_docx(campaign, code, access.today(), current_user)
    return _download(data, name, service.DOCX, f"feedback-{code}.docx")


@bp.get("/campaigns/<int:campaign_id>/documents/summary")
def summary(campaign_id):
    """Return the city-wide report (专项核查情况通报) as DOCX (users who see every county)."""
    access.require_view()
    if county_scope(current_user) is not None:
        abort(403)
    campaign = access.visible_campaign(campaign_id)
    data, name = service.summary_docx(campaign, access.today(), current_user)
    return _download(data, name, service.DOCX, "summary.docx")


@bp.get("/campaigns/<int:campaign_id>/documents/checklists")
def checklists(campaign_id):
    """Return the visible counties' checklists (?county= for one) as XLSX."""
    access.require_view()
    campaign = access.visible_campaign(campaign_id)
    counties = access.requested_counties(campaign)
    data, name = service.checklists_xlsx(campaign, counties, access.today(), current_user)
    return _download(data, name, service.XLSX, "checklists.xlsx")
