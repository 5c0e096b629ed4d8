"""Login, logout, the login throttle, CSRF, safe redirects."""

from sqlalchemy import func, select

from models import AuditLog
from support.accounts import PASSWORD, login


def test_login_page_is_chinese_by_default(client):
    page = client.get("/login").data.decode()
    assert '<html lang="zh-CN">' in page
    assert "随机抽查回访核查系统" in page and "用户名" in page and "密码" in page


def test_anonymous_user_is_sent_to_login(client):
    response = client.get("/roster/")
    assert response.status_code in (302, 303)
    assert response.location.startswith("/login")


def test_login_and_logout(client, users, session):
    response = login(client, "coordinator")
    assert response.status_code in (302, 303)
    home = client.get("/").data.decode()
    assert "您好" in home and "核查组协调员" in home
    assert session.scalar(select(func.count()).where(AuditLog.action == "login")) == 1
    client.post("/logout")
    assert client.get("/").status_code in (302, 303)


def test_wrong_password_is_refused_with_a_chinese_message(client, users):
    response = login(client, "coordinator", "not-the-password")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.data.decode()
    assert client.get("/").status_code in (302, 303)


def test_unknown_user_gets_the_same_message(client, users):
    assert "用户名或密码错误" in login(client, "nobody", "whatever1").data.decode()


def test_inactive_user_cannot_log_in(client, users, session):
    from models import User

    session.get(User, users["caller"]).active = False
    session.commit()
    assert "用户名或密码错误" in login(client, "caller").data.decode()


def test_form_without_csrf_token_is_refused(make_app, users):
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    response = client.post("/login", data={"username": "coordinator", "password": PASSWORD})
    assert response.status_code == 400
    assert "表单已过期" in response.data.decode()


def test_form_with_csrf_token_is_accepted(make_app, users):
    import re

    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").data.decode())
    response = client.post("/login", data={"username": "coordinator", "password": PASSWORD,
                                           "csrf_token": token.group(1)})
    assert response.status_code in (302, 303)


def test_next_parameter_cannot_leave_the_site(client, users):
    response = client.post("/login?next=//evil.example/x", data={"username": "caller", "password": PASSWORD})
    assert response.location == "/"
    client.post("/logout")
    response = client.post("/login?next=/roster/", data={"username": "manager", "password": PASSWORD})
    assert response.location == "/roster/"


def test_logout_needs_post(client, users):
    login(client, "caller")
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200


def test_session_cookie_is_httponly_and_samesite(client, users):
    response = login(client, "caller")
    cookie = response.headers.get("Set-Cookie")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_passwords_are_stored_hashed(session, users):
    from models import User

    user = session.get(User, users["admin"])
    assert PASSWORD not in user.password_hash and user.check_password(PASSWORD)
