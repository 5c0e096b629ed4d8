"""The counties page: every county with its codes and state; add one; change one."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from admin.counties import add_county, change_county
from admin.routes import bp
from auth.permissions import require
from core.extensions import db
from core.inputs import PageForm
from models import County


def _values(form) -> dict:
    return {"name_zh": form.get("name_zh", ""), "name_en": form.get("name_en", ""),
            "local_code": form.get("local_code", ""), "official": bool(form.get("official")),
            "active": bool(form.get("active"))}


@bp.route("/counties", methods=["GET", "POST"])
@require("settings")
def counties():
    """List the counties and add a new one."""
    form = PageForm()
    problems = []
    if form.validate_on_submit():
        county, problems = add_county(request.form.get("code", "").strip(), _values(request.form), via="page")
        if county is not None:
            flash(_("County %(code)s added.", code=county.code), "success")
            return redirect(url_for("admin.counties"))
    rows = db.session.scalars(select(County).order_by(County.code)).all()
    return render_template("admin/counties.html", form=form, counties=rows, problems=problems)


@bp.route("/counties/<code>", methods=["GET", "POST"])
@require("settings")
def county(code: str):
    """Change a county's names, local code, official flag and whether it is active."""
    row = db.session.get(County, code[:6])
    if row is None:
        abort(404)
    form = PageForm()
    problems: list[tuple[str, str]] = []
    if form.validate_on_submit():
        problems = change_county(row.code, _values(request.form), via="page")
        if not problems:
            flash(_("County %(code)s saved.", code=row.code), "success")
            return redirect(url_for("admin.counties"))
    return render_template("admin/county.html", form=form, county=row, problems=problems)
