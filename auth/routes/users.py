"""The administrator's user list and user page: filters, edit, disable and re-enable, password reset."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from auth.accounts import (
    ROLE_LABELS,
    AccountError,
    edit_user,
    register_user,
    reset_to_one_time_password,
    switch_active,
)
from auth.forms import ConfirmForm, UserEditForm, UserForm
from auth.passwords import MIN_LENGTH
from auth.permissions import require
from auth.routes import bp
from auth.user_list import LOGIN_FILTERS, find_users, parse_active
from core.auditlog import AuditLog
from core.clock import now
from core.extensions import db
from models import ROLES, County, User


def _county_choices() -> list[tuple[str, str]]:
    counties = db.session.scalars(select(County).order_by(County.code)).all()
    return [("", _("All counties"))] + [(c.code, f"{c.code} {c.name_zh}") for c in counties]


@bp.route("/admin/users", methods=["GET", "POST"])
@require("manage_users")
def users():
    """List the users (filtered by role, county, active, last login) and create a new one."""
    form = UserForm()
    form.role.choices = [(role, str(label)) for role, label in ROLE_LABELS.items()]
    form.county_code.choices = _county_choices()
    if form.validate_on_submit():
        try:
            user = register_user(form.username.data.strip(), form.password.data, form.role.data,
                                 form.county_code.data or None, form.display_name.data or "")
        except AccountError as error:
            flash(error.message(), "danger")
        else:
            flash(_("User %(name)s created.", name=user.username), "success")
            return redirect(url_for("auth.users"))
    filters = {name: request.args.get(name, "") for name in ("role", "county", "active", "login")}
    rows = find_users(now(), role=filters["role"] if filters["role"] in ROLES else None,
                      county=filters["county"][:6] or None, active=parse_active(filters["active"]),
                      login=filters["login"] if filters["login"] in LOGIN_FILTERS else None)
    return render_template("auth/users.html", form=form, users=rows, role_labels=ROLE_LABELS,
                           min_length=MIN_LENGTH, filters=filters, county_choices=_county_choices()[1:])


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@require("manage_users")
def user_page(user_id: int):
    """Show one user with their recent audit entries; change their name, role and county scope."""
    user = _user_or_404(user_id)
    form = UserEditForm(obj=user)
    form.role.choices = [(role, str(label)) for role, label in ROLE_LABELS.items()]
    form.county_code.choices = _county_choices()
    if request.method == "GET":
        form.county_code.data = user.county_code or ""
    if form.validate_on_submit():
        try:
            edit_user(user.id, via="page", display_name=form.display_name.data or "", role=form.role.data,
                      county_code=form.county_code.data or None)
        except AccountError as error:
            flash(error.message(), "danger")
        else:
            flash(_("The changes to %(name)s are saved.", name=user.username), "success")
            return redirect(url_for("auth.user_page", user_id=user.id))
    entries = db.session.scalars(select(AuditLog).where(AuditLog.object_type == "user",
                                                        AuditLog.object_id == str(user.id))
                                 .order_by(AuditLog.id.desc()).limit(20)).all()
    return render_template("auth/user.html", user=user, form=form, confirm=ConfirmForm(), entries=entries,
                           role_labels=ROLE_LABELS, change_rows=account_change_rows)


def account_change_rows(detail: dict) -> list[tuple[str, str, str]]:
    """Describe an audit entry's account change as (what, before, after), labelled for people."""
    labels = {"display_name": _("Display name"), "role": _("Role"), "county": _("County scope"),
              "active": _("Active"), "must_change_password": _("one-time password"), "phone": _("My phone number")}

    def shown(name, value):
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        if name == "role" and value in ROLE_LABELS:
            return str(ROLE_LABELS[value])
        if name == "county":
            return value or _("All counties")
        return value if value not in (None, "") else "—"

    before, after = detail.get("before") or {}, detail.get("after") or {}
    return [(str(labels.get(name, name)), shown(name, before.get(name)), shown(name, after.get(name)))
            for name in after if before.get(name) != after.get(name)]


@bp.post("/admin/users/<int:user_id>/disable")
@require("manage_users")
def disable_user(user_id: int):
    """Disable a user: their sessions end and their API tokens are revoked at once."""
    user = _user_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if user.id == current_user.id:
        flash(_("You cannot disable your own account."), "danger")
    else:
        switch_active(user.id, False, via="page")
        flash(_("%(name)s is disabled; their sessions and API tokens no longer work.", name=user.username), "success")
    return redirect(url_for("auth.user_page", user_id=user.id))


@bp.post("/admin/users/<int:user_id>/enable")
@require("manage_users")
def enable_user(user_id: int):
    """Enable a disabled user again."""
    user = _user_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    switch_active(user.id, True, via="page")
    flash(_("%(name)s can log in again.", name=user.username), "success")
    return redirect(url_for("auth.user_page", user_id=user.id))


@bp.post("/admin/users/<int:user_id>/reset-password")
@require("manage_users")
def reset_user_password(user_id: int):
    """Give a user a one-time password, shown once on this answer; they must change it at next login."""
    user = _user_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    user, password = reset_to_one_time_password(user.id, via="page")
    response = render_template("auth/one_time_password.html", user=user, password=password)
    return response, 200, {"Cache-Control": "no-store"}
