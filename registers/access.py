"""What the current user may see of the cross-register checks: a county's findings, one finding, or 404."""

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from auth.permissions import county_scope, ensure_county_visible
from core.extensions import db
from models import County, RegisterFinding, RegisterImport


def visible_county(code: str) -> str:
    """Check that the county exists and the user may see it (404 otherwise); return its code."""
    ensure_county_visible(code)
    if db.session.get(County, code) is None:
        abort(404)
    return code


def visible_counties() -> list[str] | None:
    """Return the counties whose figures the user may read (None: every county)."""
    scope = county_scope(current_user)
    return [scope] if scope else None


def visible_finding(finding_id: int) -> RegisterFinding:
    """Load a finding of a county the user may see, or 404."""
    finding = db.session.get(RegisterFinding, finding_id) or abort(404)
    ensure_county_visible(finding.county_code)
    return finding


def visible_import(import_id: int) -> RegisterImport:
    """Load an import for its importers (coordinators and admins of every county), or 404."""
    if county_scope(current_user):
        abort(404)
    return db.session.get(RegisterImport, import_id) or abort(404)


def recent_imports(limit: int = 50) -> list[RegisterImport]:
    """Return the latest imports, newest first."""
    return list(db.session.scalars(select(RegisterImport).order_by(RegisterImport.id.desc()).limit(limit)))
