"""Each caller's Tencent CCC agent account (UserId: the e-mail of their seat, bound to their mobile on
the platform), set by an administrator and audited."""

import re

from flask import abort
from sqlalchemy import select

from core import auditlog
from core.extensions import db
from models import User

AGENT_ID = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
AGENT_ROLES = ("caller", "coordinator")  # the roles that work follow-up and may place calls


class AgentError(ValueError):
    """The agent account given is not an e-mail address (Chinese, English)."""

    def __init__(self, zh: str, en: str):
        super().__init__(en)
        self.zh, self.en = zh, en


def agents() -> list[User]:
    """List the active users who may place calls, by name."""
    return list(db.session.scalars(select(User).where(User.role.in_(AGENT_ROLES), User.active)
                                   .order_by(User.username)))


def set_agent(user_id: int, value: str) -> User:
    """Store (or, when empty, clear) a caller's agent account; 404 for a user who places no calls."""
    value = value.strip()
    if value and (len(value) > 128 or not AGENT_ID.match(value)):
        raise AgentError("座席账号应为云联络中心的座席邮箱（如 zhangsan@example.gov.cn），不超过 128 个字符",
                         "The agent account is the seat's e-mail on the contact centre (at most 128 characters)")
    with db.write_transaction() as session:
        user = session.get(User, user_id)
        if user is None or user.role not in AGENT_ROLES:
            abort(404)
        user.ccc_user_id = value or None
        auditlog.record("user.ccc_agent", "user", user.id, set=bool(value))
    return user
