"""Roster pages under /roster: the persons and data quality, imports, and each county's snapshot history."""

from flask import Blueprint

bp = Blueprint("roster", __name__, url_prefix="/roster")

# The page modules hang their routes on bp.
from roster.routes import history, imports, person, persons  # noqa: E402, F401
