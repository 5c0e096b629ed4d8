"""Accounts and permissions: login and logout, sessions, the login throttle, password rules, API tokens, role checks."""


def init_app(app) -> None:
    """Plug in the login pages, `flask users`, the permission helpers of the templates and the county checks."""
    from auth.accounts import ROLE_LABELS
    from auth.cli import users_cli
    from auth.forced_change import require_password_change
    from auth.loaders import init_login
    from auth.permissions import can
    from auth.routes import bp
    from auth.scope import OutOfScope, PartlyOutOfScope
    from core.errors import forbidden_beyond_county, not_found
    from core.extensions import login_manager

    init_login(login_manager)
    app.register_blueprint(bp)
    app.before_request(require_password_change)
    app.cli.add_command(users_cli)
    app.jinja_env.globals.update(can=can, role_label=lambda role: ROLE_LABELS[role])
    # The services' county checks (auth/scope.py): another county's object does not exist for the user.
    app.register_error_handler(OutOfScope, not_found)
    app.register_error_handler(PartlyOutOfScope, lambda error: forbidden_beyond_county())
