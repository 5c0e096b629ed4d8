"""Every user's own profile: display name and own phone number (the number a provider rings first)."""

import phonenumbers
from flask_babel import gettext as _

from auth.accounts import AccountError
from core import auditlog
from core.extensions import db
from core.privacy import mask_phone
from models import User

DEFAULT_REGION = "CN"


class PhoneError(AccountError):
    """A phone number that is not a valid number."""

    def __init__(self, number: str):
        super().__init__("phone", number=number)

    def message(self) -> str:
        return _("%(number)s is not a valid phone number: give a mobile number (138 0013 8000) or a "
                 "landline with its area code (0759 1234567), or +country code for abroad.", **self.params)


def normalise_phone(text: str) -> str | None:
    """Return a phone number in E.164 (+8613800138000), None for an empty one; raise PhoneError."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise PhoneError(text) from None
    if not phonenumbers.is_valid_number(number):
        raise PhoneError(text)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def national_form(phone: str | None) -> str:
    """Show a stored number as people write it at home (138 0013 8000) or abroad (+44 20 …)."""
    if not phone:
        return ""
    number = phonenumbers.parse(phone, DEFAULT_REGION)
    kind = (phonenumbers.PhoneNumberFormat.NATIONAL if number.country_code == 86
            else phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return phonenumbers.format_number(number, kind)


def update_profile(user_id: int, display_name: str | None, phone_text: str | None, via: str) -> User:
    """Set a user's own display name and phone number (raises PhoneError), with an audit entry; the
    phone numbers before and after are kept masked in the log."""
    phone = normalise_phone(phone_text) if phone_text is not None else None
    with db.write_transaction() as session:
        user = session.get(User, user_id)
        old = (user.display_name, user.phone)
        if display_name is not None:
            user.display_name = display_name.strip()[:64]
        if phone_text is not None:
            user.phone = phone
        if (user.display_name, user.phone) != old:
            before = {"display_name": old[0], "phone": mask_phone(old[1])}
            after = {"display_name": user.display_name, "phone": mask_phone(user.phone)}
            auditlog.record("user.profile", "user", user.id, username=user.username, via=via,
                            before=before, after=after)
        return user
