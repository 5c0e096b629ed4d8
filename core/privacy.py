"""Masking of personal data in lists and exports."""


def mask_id_number(id_number: str | None) -> str:
    """Show the area code and the last four characters of an ID number: 440802********123X."""
    if not id_number:
        return ""
    if len(id_number) < 10:
        return "*" * len(id_number)
    return id_number[:6] + "*" * (len(id_number) - 10) + id_number[-4:]


def mask_phone(phone: str | None) -> str:
    """Show a phone's first three and last four digits: 138****5678 (national form)."""
    if not phone:
        return ""
    digits = phone.removeprefix("+86")
    if len(digits) <= 7:
        return digits[:2] + "*" * (len(digits) - 2)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_core_value(field: str, value):
    """Mask a corrected core field's value when it is an ID or phone number; other fields as given."""
    if value in (None, ""):
        return value
    if field == "id_number":
        return mask_id_number(str(value))
    if field == "phone":
        return mask_phone(str(value))
    return value
