"""Log in and out; the admin's user list."""

import math
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from auth.accounts import ROLE_LABELS, AccountError, register_user
from auth.forms import LoginForm, PasswordChangeForm, UserForm
from auth.login import check_login, claim_login_try, current_password_is, log_out, set_own_password
from auth.passwords import MIN_LENGTH
from auth.permissions import require
from auth.sessions import stamp_login
from core.clock import now as auth_now
from core.extensions import db
from core.inputs import safe_next
from models import County, User

bp = Blueprint("auth", __name__)


def wait_message(retry_at, at) -> str:
    """Say when a throttled login may be tried again, in local time."""
    seconds = max(1, math.ceil((retry_at - at).total_seconds()))
    wait = _("%(n)d seconds", n=seconds) if seconds < 120 else _("%(n)d minutes", n=math.ceil(seconds / 60))
    local = retry_at.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).strftime("%H:%M:%S")
    return _("Too many failed attempts. Try again in %(wait)s (after %(time)s).", wait=wait, time=local)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form and log the user in."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        username = form.username.data.strip()
        address = request.remote_addr or ""  # the client's, behind TRUSTED_PROXIES (app.trust_proxies)
        at = auth_now()
        retry_at = claim_login_try(username, address, at)
        if retry_at is not None:
            flash(wait_message(retry_at, at), "danger")
            return render_template("auth/login.html", form=form), 429
        user = check_login(username, form.password.data, address, at)
        if user is None:
            flash(_("Wrong username or password."), "danger")
            return render_template("auth/login.html", form=form), 200
        login_user(user)
        stamp_login(session, at)
        return redirect(safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    """Log the user out on every device (POST, so that a link on another site cannot do it)."""
    if current_user.is_authenticated:
        log_out(current_user.id)
    logout_user()
    flash(_("You have logged out on every device."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_own_password():
    """Change one's own password; the user's sessions on other devices end, this one goes on."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        address, at = request.remote_addr or "", auth_now()
        retry_at = claim_login_try(user.username, address, at)  # guessing it is throttled like a login
        if retry_at is not None:
            flash(wait_message(retry_at, at), "danger")
            return render_template("auth/password.html", form=form, min_length=MIN_LENGTH), 429
        if not current_password_is(user, form.current.data):
            form.current.errors.append(_("The current password is wrong."))
            return render_template("auth/password.html", form=form, min_length=MIN_LENGTH)
        try:
            set_own_password(user, form.password.data, address)
        except AccountError as error:
            form.password.errors.append(error.message())
            return render_template("auth/password.html", form=form, min_length=MIN_LENGTH)
        login_user(user)  # this session takes the new session version; its login time stays
        flash(_("Your password has been changed; you were logged out on every other device."), "success")
        return redirect(url_for("main.home"))
    return render_template("auth/password.html", form=form, min_length=MIN_LENGTH)


@bp.route("/admin/users", methods=["GET", "POST"])
@require("manage_users")
def users():
    """List the users and create a new one."""
    form = UserForm()
    form.role.choices = [(role, str(label)) for role, label in ROLE_LABELS.items()]
    counties = db.session.scalars(select(County).order_by(County.code)).all()
    form.county_code.choices = [("", _("All counties"))] + [(c.code, f"{c.code} {c.name_zh}") for c in counties]
    if form.validate_on_submit():
        try:
            user = register_user(form.username.data.strip(), form.password.data, form.role.data,
                                 form.county_code.data or None, form.display_name.data or "")
        except AccountError as error:
            flash(error.message(), "danger")
        else:
            flash(_("User %(name)s created.", name=user.username), "success")
            return redirect(url_for("auth.users"))
    rows = db.session.scalars(select(User).order_by(User.role, User.username)).all()
    return render_template("auth/users.html", form=form, users=rows, role_labels=ROLE_LABELS,
                           min_length=MIN_LENGTH)
