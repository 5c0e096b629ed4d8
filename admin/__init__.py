"""Administration: the settings pages (rules, calendar, QC share, claim timeout), the counties, and the
one settings service every reader of a stored setting goes through (settings_store.py)."""


def init_app(app) -> None:
    """Plug in the settings and county pages."""
    from admin.routes import bp

    app.register_blueprint(bp)
