"""The login throttle: growing delays per account, per account at an address and per address;
atomic under parallel guesses; one hash per try whoever is named; X-Forwarded-For only behind
configured proxies."""

import threading
from datetime import UTC, datetime, timedelta

import pytest

from support.accounts import PASSWORD, login

T0 = datetime(2026, 5, 4, 1, 0, tzinfo=UTC)  # 09:00 in Zhanjiang


class Clock:
    def __init__(self):
        self.now = T0

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += timedelta(**delta)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def throttled(make_app, clock, users):
    """An app on the hand-moved clock with the default throttle settings."""
    return make_app(CLOCK=clock)


@pytest.fixture
def hash_checks(monkeypatch):
    """Count the password hash checks the app makes (from any thread)."""
    import models.user

    calls = []
    lock = threading.Lock()
    real = models.user.check_password_hash

    def counting(*args):
        with lock:
            calls.append(args)
        return real(*args)

    monkeypatch.setattr(models.user, "check_password_hash", counting)
    return calls


def from_address(client, address, username, password=PASSWORD):
    return client.post("/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


@pytest.mark.parametrize("failures, wait", [
    (0, 0), (4, 0), (5, 1), (6, 2), (7, 4), (10, 32), (14, 512), (15, 900), (60, 900),
])
def test_delay_doubles_after_the_free_failures_up_to_the_cap(failures, wait):
    from auth.throttle import delay_after

    assert delay_after(failures, free=5, cap=timedelta(minutes=15)) == timedelta(seconds=wait)


def test_after_five_failures_even_the_right_password_waits_a_second(throttled, clock):
    client = throttled.test_client()
    for _ in range(5):
        assert login(client, "manager", "wrong-password").status_code == 200
    assert login(client, "manager").status_code == 429
    clock.advance(seconds=1)
    assert login(client, "manager").status_code in (302, 303)


def test_a_refused_try_says_when_to_retry_in_chinese_and_checks_no_password(throttled, hash_checks):
    client = throttled.test_client()
    for _ in range(5):
        login(client, "manager", "wrong-password")
    checks = len(hash_checks)
    response = login(client, "manager")
    assert response.status_code == 429
    page = response.data.decode()
    assert "登录失败次数过多" in page and "1 秒" in page and "09:00:01" in page
    assert len(hash_checks) == checks


def test_each_further_failure_doubles_the_wait(throttled, clock):
    client = throttled.test_client()
    for _ in range(5):
        login(client, "manager", "wrong-password")
    for wait in (1, 2, 4, 8):
        clock.advance(seconds=wait - 0.5)
        assert login(client, "manager", "wrong-password").status_code == 429
        clock.advance(seconds=0.5)
        assert login(client, "manager", "wrong-password").status_code == 200


def test_a_refused_try_does_not_lengthen_the_wait(throttled, clock):
    client = throttled.test_client()
    for _ in range(5):
        login(client, "manager", "wrong-password")
    for _ in range(20):
        assert login(client, "manager", "wrong-password").status_code == 429
    clock.advance(seconds=1)
    assert login(client, "manager").status_code in (302, 303)


def test_a_good_login_clears_the_accounts_failures(throttled, clock):
    client = throttled.test_client()
    for _ in range(4):
        login(client, "manager", "wrong-password")
    assert login(client, "manager").status_code in (302, 303)
    client.post("/logout")
    for _ in range(4):
        assert login(client, "manager", "wrong-password").status_code == 200
    assert login(client, "manager").status_code in (302, 303)


def test_failures_from_one_address_do_not_delay_the_account_elsewhere(throttled):
    attacker, owner = throttled.test_client(), throttled.test_client()
    for _ in range(8):
        from_address(attacker, "203.0.113.9", "manager", "wrong-password")
    assert from_address(attacker, "203.0.113.9", "manager").status_code == 429
    assert from_address(owner, "10.1.2.3", "manager").status_code in (302, 303)


def test_one_persons_failures_do_not_lock_out_their_office(throttled):
    office = "10.0.0.1"  # everyone behind the same proxy
    typist, colleague = throttled.test_client(), throttled.test_client()
    for _ in range(8):
        from_address(typist, office, "manager", "wrong-password")
    assert from_address(colleague, office, "coordinator").status_code in (302, 303)


def test_guesses_at_one_account_from_many_addresses_are_delayed(make_app, clock, users):
    app = make_app(CLOCK=clock, LOGIN_FREE_FAILURES_PER_ACCOUNT=3)
    client = app.test_client()
    for n in range(3):
        from_address(client, f"198.51.100.{n}", "manager", "wrong-password")
    assert from_address(client, "198.51.100.77", "manager").status_code == 429


def test_one_address_guessing_many_accounts_meets_the_address_ceiling(make_app, clock, users):
    app = make_app(CLOCK=clock, LOGIN_FREE_FAILURES_PER_ADDRESS=3)
    client = app.test_client()
    for name in ("a1", "a2", "a3"):
        from_address(client, "203.0.113.5", name, "wrong-password")
    assert from_address(client, "203.0.113.5", "coordinator").status_code == 429
    assert from_address(client, "203.0.113.6", "coordinator").status_code in (302, 303)


def test_failures_are_forgotten_after_a_day(throttled, clock):
    client = throttled.test_client()
    for _ in range(5):
        login(client, "manager", "wrong-password")
    clock.advance(hours=24, seconds=1)
    for _ in range(4):
        assert login(client, "manager", "wrong-password").status_code == 200


@pytest.mark.parametrize("username", ["manager", "nobody-here"])
def test_fifty_parallel_guesses_get_no_more_password_checks_than_the_free_tries(throttled, hash_checks, username):
    """Fifty threads guess at once: each try is counted before its check, under a row lock."""
    start = threading.Barrier(50)
    codes = []

    def guess(n):
        client = throttled.test_client()
        start.wait()
        codes.append(login(client, username, f"guess-{n}").status_code)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(hash_checks) == 5
    assert sorted(codes) == [200] * 5 + [429] * 45


@pytest.mark.parametrize("username, password", [
    ("manager", "wrong-password"),  # a real account, wrong password
    ("manager", PASSWORD),  # a real account, right password
    ("nobody-here", "wrong-password"),  # no such account
    ("disabled", PASSWORD),  # a disabled account
])
def test_every_login_try_costs_exactly_one_password_hash(throttled, session, hash_checks, username, password):
    from auth.accounts import create_user, set_active

    with throttled.app_context():
        set_active(session, create_user(session, "disabled", PASSWORD, "caller"), False)
        session.commit()
    login(throttled.test_client(), username, password)
    assert len(hash_checks) == 1


def test_the_dummy_hash_uses_the_apps_hash_method(throttled):
    from models.user import dummy_hash

    assert dummy_hash("pbkdf2:sha256:1000").startswith("pbkdf2:sha256:1000$")
    assert dummy_hash("scrypt").startswith("scrypt:")


def post_via_proxy(client, forwarded_for, password):
    """Post the login form from 10.0.0.1 claiming, in X-Forwarded-For, to be another address."""
    return client.post("/login", data={"username": "manager", "password": password},
                       headers={"X-Forwarded-For": forwarded_for}, environ_base={"REMOTE_ADDR": "10.0.0.1"})


def recorded_addresses(app):
    from sqlalchemy import select

    from core.extensions import db
    from models import LoginAttempt

    with app.app_context():
        return set(db.session.scalars(select(LoginAttempt.remote_addr)))


def test_x_forwarded_for_is_ignored_without_trusted_proxies(make_app, clock, users):
    app = make_app(CLOCK=clock, TRUSTED_PROXIES=0)
    client = app.test_client()
    for _ in range(5):
        post_via_proxy(client, "198.51.100.1", "wrong-password")
    assert post_via_proxy(client, "198.51.100.2", PASSWORD).status_code == 429  # a forged header changes nothing
    assert recorded_addresses(app) == {"10.0.0.1"}


def test_x_forwarded_for_names_the_client_behind_a_trusted_proxy(make_app, clock, users):
    app = make_app(CLOCK=clock, TRUSTED_PROXIES=1)
    client = app.test_client()
    for _ in range(5):
        post_via_proxy(client, "198.51.100.1", "wrong-password")
    assert post_via_proxy(client, "198.51.100.2", PASSWORD).status_code in (302, 303)
    assert recorded_addresses(app) == {"198.51.100.1", "198.51.100.2"}
