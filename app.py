"""Spotcheck (随机抽查回访核查系统): the application factory."""

import logging
import os

from flask import Flask

from config.settings import load_settings
from core.extensions import babel, csrf, db, login_manager
from core.headers import init_headers
from core.inputs import init_inputs


def create_app(overrides: dict | None = None) -> Flask:
    """Create and configure the Spotcheck app."""
    app = Flask(__name__, instance_path=os.environ.get("SPOTCHECK_INSTANCE") or None,
                instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(load_settings(app.instance_path, overrides=overrides))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)

    trust_proxies(app)
    init_inputs(app)
    init_headers(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_scheduler(app)
    return app


def trust_proxies(app: Flask) -> None:
    """Believe X-Forwarded-* headers from the configured number of reverse proxies, and no more."""
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops)


def register_extensions(app: Flask) -> None:
    """Bind the database, login manager, CSRF protection and translations to the app."""
    from auth.loaders import init_login
    from core.i18n import init_i18n
    from templating import init_templating

    db.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    init_login(login_manager)
    init_i18n(app, babel)
    init_templating(app)
    from callbacks.telephony.click_to_call import init_templates as init_call_templates

    init_call_templates(app)


def register_blueprints(app: Flask) -> None:
    """Register the page areas and the JSON API."""
    import api.routes  # noqa: F401  (these modules attach routes to the blueprints below)
    import campaigns.api  # noqa: F401
    import reports.api  # noqa: F401
    import roster.api  # noqa: F401
    import roster.import_routes  # noqa: F401
    import roster.snapshot_routes  # noqa: F401
    from api import bp as api_bp
    from auth.routes import bp as auth_bp
    from callbacks.routes import bp as followup_bp
    from campaigns.routes import bp as campaigns_bp
    from main.routes import bp as main_bp
    from reports.routes import bp as reports_bp
    from roster.routes import bp as roster_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(roster_bp)
    app.register_blueprint(campaigns_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(followup_bp)
    app.register_blueprint(api_bp)
    import callbacks.telephony.click_to_call  # noqa: F401
    import callbacks.telephony.settings_routes  # noqa: F401
    from callbacks.telephony.blueprint import bp as calls_bp
    from callbacks.telephony.twilio_webhooks import bp as telephony_bp

    app.register_blueprint(calls_bp)
    app.register_blueprint(telephony_bp)
    csrf.exempt(api_bp)  # the API checks CSRF itself for cookie sessions; tokens need none


def register_errorhandlers(app: Flask) -> None:
    """Answer errors with a page in the user's language, or JSON under /api/."""
    from core.errors import init_errors

    init_errors(app)


def register_commands(app: Flask) -> None:
    """Add the operator commands to the flask CLI."""
    from commands import init_commands

    init_commands(app)


def register_scheduler(app: Flask) -> None:
    """Start the embedded follow-up scheduler in this process when asked (`make run`), never under tests."""
    from callbacks.scheduler import should_embed, start_embedded

    if should_embed(app):
        start_embedded(app)
