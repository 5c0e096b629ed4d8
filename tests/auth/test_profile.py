"""Every user's profile page: own display name and phone number, checked with phonenumbers, audited masked."""

import pytest
from sqlalchemy import select

from auth.profile import PhoneError, normalise_phone
from models import AuditLog, User


@pytest.mark.parametrize("text, stored", [
    ("138 0013 8000", "+8613800138000"),
    ("+86 138-0013-8000", "+8613800138000"),
    ("0759 2345678", "+867592345678"),
    ("+44 20 7946 0018", "+442079460018"),
    ("", None),
])
def test_phone_numbers_are_stored_in_e164(text, stored):
    assert normalise_phone(text) == stored


@pytest.mark.parametrize("text", ["12345", "138001380001", "not a phone", "+86 100 0000 0000"])
def test_invalid_phone_numbers_are_refused(text):
    with pytest.raises(PhoneError):
        normalise_phone(text)


def test_a_caller_sets_their_own_phone_on_the_profile_page(login_as, users, session):
    client = login_as("caller")
    page = client.get("/account/profile").get_data(as_text=True)
    assert "我的电话号码" in page
    bad = client.post("/account/profile", data={"display_name": "小王", "phone": "12345"})
    assert bad.status_code == 200 and "不是有效的电话号码" in bad.get_data(as_text=True)
    ok = client.post("/account/profile", data={"display_name": "小王", "phone": "138 0013 8000"})
    assert ok.status_code in (302, 303)
    session.rollback()
    user = session.get(User, users["caller"])
    assert (user.display_name, user.phone) == ("小王", "+8613800138000")
    entry = session.scalar(select(AuditLog).where(AuditLog.action == "user.profile"))
    assert entry.detail["after"]["phone"] == "138****8000" and "13800138000" not in str(entry.detail)
    assert "138 0013 8000" in client.get("/account/profile").get_data(as_text=True)


def test_the_profile_in_the_api(token_client, users):
    api = token_client("caller")
    assert api.patch("/api/v1/me/profile", json={"phone": "abc"}).status_code == 400
    changed = api.patch("/api/v1/me/profile", json={"phone": "13800138000"}).get_json()
    assert changed["phone"] == "138****8000"
    assert api.get("/api/v1/me/profile").get_json()["username"] == "caller"
