"""Spotcheck (随机抽查回访核查系统): the application factory."""

import logging
import os

from flask import Flask

import admin
import api
import auth
import callbacks
import campaigns
import checklists
import core
import demo
import documents
import evidence
import main
import registers
import reports
import roster
from commands import init_commands
from config.settings import load_settings
from templating import init_templating

# The areas, in the order they plug in: each init_app registers its blueprints, its `flask` commands
# and its template helpers (docs/architecture.md). api/ comes after the areas whose APIs it nests.
AREAS = (auth, admin, main, roster, campaigns, callbacks, reports, registers, evidence, checklists, documents, api,
         demo)


def create_app(overrides: dict | None = None) -> Flask:
    """Create and configure the Spotcheck app."""
    app = Flask(__name__, instance_path=os.environ.get("SPOTCHECK_INSTANCE") or None,
                instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(load_settings(app.instance_path, overrides=overrides))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)

    trust_proxies(app)
    core.init_app(app)
    init_templating(app)
    init_commands(app)
    for area in AREAS:
        area.init_app(app)
    return app


def trust_proxies(app: Flask) -> None:
    """Believe X-Forwarded-* headers from the configured number of reverse proxies, and no more."""
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Flask documents wrapping wsgi_app this way; mypy sees a method being replaced.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops)
