"""The whole verification beside the spot check: each county's checklist (核查清单) with conclusions,
evidence and pre-filled figures, the meetings held, findings turned into rectification, and progress."""


def init_app(app) -> None:
    """Plug in the checklist and meeting pages and `flask checklist`."""
    from checklists.cli import checklist_cli
    from checklists.figures import describe
    from checklists.routes import bp
    from config.checklist import item_number
    from core.i18n import is_chinese

    app.register_blueprint(bp)
    app.cli.add_command(checklist_cli)
    app.jinja_env.globals.update(figure_line=lambda figure: describe(figure, is_chinese()),
                                 item_number=item_number)
