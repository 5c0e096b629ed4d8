"""Password rules: at least MIN_LENGTH characters, and not one of the common passwords we ship."""

from functools import cache
from pathlib import Path

MIN_LENGTH = 12
COMMON_PASSWORDS = Path(__file__).resolve().parent.parent / "config" / "common_passwords.txt"


@cache
def common_passwords() -> frozenset[str]:
    """Load the shipped list of common passwords (lowercased; tools/common_passwords.py builds it)."""
    return frozenset(COMMON_PASSWORDS.read_text(encoding="utf-8").split())


def password_problem(password: str) -> str | None:
    """Name what is wrong with a new password ("short" or "common"), or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return "short"
    if password.lower() in common_passwords():
        return "common"
    return None
