"""Log in and out; the admin's user list."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

import auditlog
from auth.accounts import ROLE_LABELS, AccountError, create_user
from auth.forms import LoginForm, UserForm
from auth.permissions import require
from auth.sessions import end_all_sessions, stamp_login
from auth.sessions import now as auth_now
from auth.throttle import is_locked, note_attempt
from extensions import db
from models import County, User, utcnow

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Return a local path to go to after login; never another site."""
    if target and urlsplit(target).netloc == "" and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("main.home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form and log the user in."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        username = form.username.data.strip()
        address = request.remote_addr or ""
        now = utcnow()
        locked = is_locked(db.session, username, address, now, current_app.config)
        user = None if locked else db.session.scalar(select(User).where(User.username == username))
        db.session.rollback()  # end the read before the slow hash, so no lock is held meanwhile
        ok = user is not None and user.active and user.check_password(form.password.data)
        if not locked:
            # A write transaction of its own (BEGIN IMMEDIATE on SQLite): a read followed by a write
            # in a plain transaction fails as "database is locked" under load.
            with db.write_transaction() as db_session:
                note_attempt(db_session, username, address, ok, now)
                if ok:
                    auditlog.record("login", "user", user.id, user=user)
        if locked:
            minutes = current_app.config["LOGIN_LOCKOUT_MINUTES"]
            flash(_("Too many failed attempts. Try again in %(minutes)d minutes.", minutes=minutes), "danger")
            return render_template("auth/login.html", form=form), 429
        if not ok:
            flash(_("Wrong username or password."), "danger")
            return render_template("auth/login.html", form=form), 200
        login_user(user)
        stamp_login(session, auth_now())
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    """Log the user out on every device (POST, so that a link on another site cannot do it)."""
    if current_user.is_authenticated:
        user_id = current_user.id
        with db.write_transaction() as db_session:
            end_all_sessions(db_session, user_id)
            auditlog.record("logout", "user", user_id)
    logout_user()
    flash(_("You have logged out on every device."), "info")
    return redirect(url_for("auth.login"))


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
            user = create_user(db.session, form.username.data.strip(), form.password.data, form.role.data,
                               form.county_code.data or None, form.display_name.data or "")
        except AccountError as error:
            flash(error.message(), "danger")
        else:
            auditlog.record("user.create", "user", user.id, username=user.username, role=user.role)
            db.session.commit()
            flash(_("User %(name)s created.", name=user.username), "success")
            return redirect(url_for("auth.users"))
    rows = db.session.scalars(select(User).order_by(User.role, User.username)).all()
    return render_template("auth/users.html", form=form, users=rows, role_labels=ROLE_LABELS)
