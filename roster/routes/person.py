"""A person's page: roster rows across snapshots, campaigns, tasks, attempts, verification records and
rectification items, masked; a full number is shown after an explicit, logged reveal (POST, then back
to the page, so that a reload neither asks to resend nor logs a second read)."""

from flask import abort, render_template, request, url_for
from flask import redirect as go
from flask_login import current_user

from auth.permissions import require
from core.extensions import db
from core.inputs import MAX_ID, int_arg
from roster.person_file import REVEAL_FIELDS, PersonNotFound, person_file, reveal, revealed_value
from roster.routes import bp


@bp.route("/persons/<int:person_id>")
@require("view_roster")
def person(person_id):
    """Show everything stored about a person in the user's county scope, masked."""
    try:
        found = person_file(db.session, current_user, person_id)
        shown = int_arg("shown", 0, 0, MAX_ID)
        revealed = revealed_value(db.session, current_user, person_id, shown) if shown else None
    except PersonNotFound:
        abort(404)
    return render_template("roster/person.html", f=found, revealed=dict([revealed]) if revealed else {})


@bp.post("/persons/<int:person_id>/reveal")
@require("view_roster")
def reveal_number(person_id):
    """Reveal the person's full ID or phone number once, in the audit log, and go back to the page."""
    field_name = request.form.get("field", "")
    if field_name not in REVEAL_FIELDS:
        abort(400)
    try:
        entry_id, _value = reveal(current_user, person_id, field_name, via="page")
    except PersonNotFound:
        abort(404)
    return go(url_for(".person", person_id=person_id, shown=entry_id) + f"#reveal-{field_name}")
