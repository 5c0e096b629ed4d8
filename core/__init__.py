"""The plumbing every area shares: the database, the extensions, migrations, the audit log, the one
clock, errors, translations and labels, request input checks, response headers, downloads, spreadsheets.

Nothing here knows about rosters, samples or follow-up; the models and the areas build on it.
"""


def init_app(app) -> None:
    """Bind the database, CSRF protection, logins and translations; check inputs, set headers, answer errors."""
    from core.errors import init_errors
    from core.extensions import babel, csrf, db, login_manager
    from core.headers import init_headers
    from core.i18n import init_i18n
    from core.inputs import init_inputs

    init_inputs(app)
    init_headers(app)
    db.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    init_i18n(app, babel)
    init_errors(app)
