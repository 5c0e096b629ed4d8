"""Documents of the verification: the per-county feedback (核查情况反馈意见) and the city-wide report
(专项核查情况通报) as DOCX in the layout of GB/T 9704-2012, the admin's replaceable wording templates,
and the XLSX of every checklist."""


def init_app(app) -> None:
    """Plug in the document downloads, the template administration and `flask reports docx`."""
    from documents.cli import reports_cli
    from documents.routes import bp

    app.register_blueprint(bp)
    app.cli.add_command(reports_cli)
