"""Statistics and reports: dashboard figures from grouped SQL counts and the estimators of sampling/,
their pages, API, exports and CLI, and the rectification (整改) lists built from confirmed discrepancies."""


def init_app(app) -> None:
    """Plug in the statistics and rectification pages, `flask stats` / `flask rectification`, and the
    glossary of the figures' words for every page's tooltips."""
    from reports import glossary
    from reports.cli import rectification_cli, stats_cli
    from reports.routes import bp

    app.register_blueprint(bp)
    app.cli.add_command(stats_cli)
    app.cli.add_command(rectification_cli)
    app.jinja_env.globals.update(glossary_term=glossary.term)
