"""Campaigns (核查批次) and their samples: the design page, the frame, the draw, its verification,
replacement by reserves and the sample list exports; pages, /api/v1 routes and `flask` commands."""


def init_app(app) -> None:
    """Plug in the campaign pages, `flask campaign` and `flask sample`, and the draw titles of the templates."""
    from campaigns.cli import campaign_cli, sample_cli
    from campaigns.naming import draw_title
    from campaigns.routes import bp

    app.register_blueprint(bp)
    app.cli.add_command(campaign_cli)
    app.cli.add_command(sample_cli)
    app.jinja_env.globals.update(draw_title=draw_title)
