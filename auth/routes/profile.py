"""Every user's own profile page: display name, own phone number, a link to change the password."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from auth.forms import ProfileForm
from auth.profile import PhoneError, national_form, update_profile
from auth.routes import bp


@bp.route("/account/profile", methods=["GET", "POST"])
@login_required
def profile():
    """Show and change one's own display name and phone number."""
    form = ProfileForm()
    if not form.is_submitted():
        form.display_name.data = current_user.display_name
        form.phone.data = national_form(current_user.phone)
    if form.validate_on_submit():
        try:
            update_profile(current_user.id, form.display_name.data or "", form.phone.data or "", via="page")
        except PhoneError as error:
            form.phone.errors.append(error.message())
        else:
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("auth.profile"))
    return render_template("auth/profile.html", form=form, phone=national_form(current_user.phone))
