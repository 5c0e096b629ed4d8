"""Browser sessions: logout and account changes end every session; idle and absolute limits."""

from datetime import UTC, datetime, timedelta

import pytest

from support.accounts import login

T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start=T0):
        self.now = start

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += timedelta(**delta)


def logged_in(client) -> bool:
    return client.get("/").status_code == 200


def copy_of(app, client):
    """Return a second client holding a copy of the first client's session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def test_a_session_cookie_copied_before_logout_no_longer_works(app, client, users):
    login(client, "caller")
    thief = copy_of(app, client)
    assert logged_in(thief)
    client.post("/logout")
    assert not logged_in(thief)


def test_logout_ends_the_users_sessions_on_every_device(app, users):
    phone, desk = app.test_client(), app.test_client()
    login(phone, "caller")
    login(desk, "caller")
    desk.post("/logout")
    assert not logged_in(phone)
    login(phone, "caller")
    assert logged_in(phone)


def test_logout_says_every_device_is_logged_out(client, users):
    login(client, "caller")
    page = client.post("/logout", follow_redirects=True).data.decode()
    assert "所有设备" in page


def test_logout_leaves_other_users_logged_in(app, users):
    mine, theirs = app.test_client(), app.test_client()
    login(mine, "caller")
    login(theirs, "manager")
    mine.post("/logout")
    assert logged_in(theirs)


def change_password(session, user):
    from auth.accounts import change_password as change

    change(session, user, "a-brand-new-passphrase")


def disable(session, user):
    from auth.accounts import set_active

    set_active(session, user, False)


def change_role(session, user):
    from auth.accounts import change_role as change

    change(session, user, "manager", user.county_code)


def change_county(session, user):
    from auth.accounts import change_role as change

    change(session, user, user.role, "440803")


@pytest.mark.parametrize("change", [change_password, disable, change_role, change_county])
def test_an_account_change_ends_every_session_of_that_user(app, client, users, session, change):
    from models import User

    login(client, "caller")
    assert logged_in(client)
    change(session, session.get(User, users["caller"]))
    session.commit()
    assert not logged_in(client)


def test_an_unrelated_account_edit_keeps_the_session(app, client, users, session):
    from models import User

    login(client, "caller")
    session.get(User, users["caller"]).display_name = "陈小燕"
    session.commit()
    assert logged_in(client)


def test_a_disabled_users_api_token_stops_working(token_client, users, session):
    from auth.accounts import set_active
    from models import User

    client = token_client("caller")
    assert client.get("/api/v1/me").status_code == 200
    set_active(session, session.get(User, users["caller"]), False)
    session.commit()
    assert client.get("/api/v1/me").status_code == 401


def test_a_session_idle_longer_than_the_limit_ends(make_app, users):
    clock = Clock()
    client = make_app(CLOCK=clock, SESSION_IDLE_MINUTES=120).test_client()
    login(client, "caller")
    clock.advance(minutes=119)
    assert logged_in(client)
    clock.advance(minutes=119)  # idle time counts from the last request, not from login
    assert logged_in(client)
    clock.advance(minutes=121)
    assert not logged_in(client)


def test_a_busy_session_still_ends_at_its_absolute_lifetime(make_app, users):
    clock = Clock()
    client = make_app(CLOCK=clock, SESSION_IDLE_MINUTES=120, SESSION_MAX_HOURS=12).test_client()
    login(client, "caller")
    for _ in range(11):
        clock.advance(hours=1)
        assert logged_in(client)
    clock.advance(minutes=59)
    assert logged_in(client)
    clock.advance(minutes=2)
    assert not logged_in(client)


def test_session_limits_default_to_two_idle_hours_and_twelve_hours_in_all(app):
    assert app.config["SESSION_IDLE_MINUTES"] == 120
    assert app.config["SESSION_MAX_HOURS"] == 12
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(hours=12)


def test_a_session_without_login_stamps_is_refused(app, client, users):
    """A cookie not made by our login (e.g. Flask-Login's remember cookie) carries no stamps."""
    login(client, "caller")
    with client.session_transaction() as cookie:
        del cookie["login_at"]
    assert not logged_in(client)
