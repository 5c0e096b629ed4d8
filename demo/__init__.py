"""The demo: accounts, a synthetic roster and a campaign in progress, for `make run` and the tests."""


def init_app(app) -> None:
    """Add `flask demo`."""
    from demo.cli import demo

    app.cli.add_command(demo)
