"""The verification pages: the campaign's checklist and its editing, each county's checklist, its
meetings, and the overview of all counties."""

from flask import Blueprint

bp = Blueprint("checklists", __name__, url_prefix="/verification")

from checklists.routes import county, items, meetings  # noqa: E402,F401  (the views register on bp)
