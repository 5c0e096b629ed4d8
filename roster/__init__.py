"""The roster of registered unemployed persons: reading county files, validating rows, importing
batches as snapshots, data-quality checks and the synthetic demo roster."""


def init_app(app) -> None:
    """Plug in the roster pages, `flask roster` and the roster labels of the templates (its API: api/)."""
    import roster.import_routes  # noqa: F401  (until the pages are one module: they attach to roster.routes.bp)
    import roster.snapshot_routes  # noqa: F401
    from roster.cli import roster_cli
    from roster.labels import batch_status_label, field_label
    from roster.routes import bp

    app.register_blueprint(bp)
    app.cli.add_command(roster_cli)
    app.jinja_env.globals.update(batch_status_label=batch_status_label, field_label=field_label)
