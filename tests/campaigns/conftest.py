"""Fixtures of the campaign service tests: an app context and two counties' rosters."""

import pytest

from support.roster_factory import add_roster


@pytest.fixture
def ctx(app):
    """Run the test inside an app context (no test client here)."""
    with app.app_context():
        yield


@pytest.fixture
def rosters(ctx, session):
    """50 registered persons in 赤坎区; 30 in 霞山区, the last 5 of them cancelled."""
    add_roster(session, "440802", 50)
    add_roster(session, "440803", 30, start=100, cancelled=5)
