"""Cross-register checks (数据比对): reference registers imported, matched against the current rosters by
ID number under the date rules of registers/rules.py, and the findings per county (docs/registers.md)."""


def init_app(app) -> None:
    """Plug in the registers pages, `flask registers` and the task page's findings helper."""
    from registers.cli import registers_cli
    from registers.findings import person_findings
    from registers.routes import bp

    app.register_blueprint(bp)
    app.cli.add_command(registers_cli)
    app.jinja_env.globals.update(register_findings_of=person_findings)


def checklist_figures(session, campaign, county_code: str) -> list[dict]:
    """Return the county's register figures for the checklist items they speak to (registers/checklist.py)."""
    from registers.checklist import checklist_figures as figures

    return figures(session, campaign, county_code)
