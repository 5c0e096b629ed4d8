"""The administrator's pages on the "admin" blueprint (/admin): `settings.py` the rules, QC share and
claim timeout, `holidays.py` the holiday calendar, `counties.py` the counties."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from admin.routes import counties, holidays, settings  # noqa: E402,F401  (the views register themselves on bp)
