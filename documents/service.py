"""Making a document on request: the figures read, the DOCX or XLSX built, the download named, the making
written to the audit log. Shared by the pages, the API and the CLI."""

from __future__ import annotations

from datetime import date

from flask import current_app

from auth.scope import check_campaign, check_counties_to_change, check_county
from core import auditlog
from core.downloads import file_name
from core.extensions import db
from documents import checklist_xlsx, feedback, summary
from documents.content import county_label

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _issuer() -> str:
    return str(current_app.config["DOCUMENT_ISSUER"])


def _record(action: str, campaign, user, **detail) -> None:
    with db.write_transaction():
        auditlog.record(action, "campaign", campaign.id, user=user, **detail)


def feedback_docx(campaign, county_code: str, today: date, user=None) -> tuple[bytes, str]:
    """Return a county's feedback DOCX and its file name (the user must see the county)."""
    check_campaign(campaign, user)
    check_county(county_code, user)
    data = feedback.build(db.session, campaign, county_code, today, _issuer())
    _record("document.feedback", campaign, user, county=county_code)
    name = file_name(["核查情况反馈意见", county_label(db.session, county_code), campaign.name], today, "docx")
    return data, name


def summary_docx(campaign, today: date, user=None) -> tuple[bytes, str]:
    """Return the city-wide report DOCX and its file name (only for a user who sees every county)."""
    check_campaign(campaign, user)
    check_counties_to_change([c.code for c in campaign.counties], user)
    data = summary.build(db.session, campaign, today, _issuer())
    _record("document.summary", campaign, user)
    return data, file_name(["专项核查情况通报", campaign.name], today, "docx")


def checklists_xlsx(campaign, counties: list[str], today: date, user=None) -> tuple[bytes, str]:
    """Return the XLSX of the given counties' checklists and its file name."""
    check_campaign(campaign, user)
    for code in counties:
        check_county(code, user)
    data = checklist_xlsx.build(db.session, campaign, counties, today)
    _record("document.checklists", campaign, user, counties=counties)
    label = county_label(db.session, counties[0]) if len(counties) == 1 else ""
    return data, file_name(["核查清单", label, campaign.name], today, "xlsx")
