"""The home page of each role and the language switch."""


def init_app(app) -> None:
    """Plug in the home pages and the language switch."""
    from main.routes import bp

    app.register_blueprint(bp)
