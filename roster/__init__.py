"""The roster of registered unemployed persons: reading county files, validating rows, importing
batches as snapshots, restoring an earlier snapshot, number search and data-quality checks."""


def init_app(app) -> None:
    """Plug in the roster pages, `flask roster` and the roster labels of the templates (its API: api/)."""
    from roster.cli import roster_cli
    from roster.labels import batch_status_label, field_label
    from roster.routes import bp

    app.register_blueprint(bp)
    app.cli.add_command(roster_cli)
    app.jinja_env.globals.update(batch_status_label=batch_status_label, field_label=field_label)
