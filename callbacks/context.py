"""What the follow-up services read from the running app: the acting user, the rules, the time zone."""

from typing import NamedTuple
from zoneinfo import ZoneInfo

from flask import current_app
from flask_login import current_user

from admin.settings_service import followup_rules_dict
from admin.settings_service import qc_share as stored_qc_share
from admin.settings_store import effective_table
from callbacks.findings import FindingRules
from callbacks.rule_settings import RetryRules


class Actor(NamedTuple):
    """Who acts, read once from the user so that a rolled-back session cannot reload it midway."""

    id: int | None
    username: str
    role: str
    county_code: str | None

    @classmethod
    def of(cls, user) -> "Actor":
        """Take the fields the follow-up needs from a user (or a scheduler/CLI stand-in)."""
        if user is None:
            return SYSTEM
        return cls(user.id, user.username, user.role, user.county_code)


SYSTEM = Actor(None, "scheduler", "system", None)


def current_actor() -> Actor:
    """Return the logged-in user of this request as an Actor."""
    return Actor.of(current_user)


def retry_rules() -> RetryRules:
    """Return the retry rules in force (admin.settings_service: stored, configured, pinned, the holiday
    calendar), parsed again only when they changed."""
    values = followup_rules_dict()
    cached = current_app.extensions.get("followup_rules")
    if cached is None or cached[0] != values:
        cached = (values, RetryRules.from_dict(values))
        current_app.extensions["followup_rules"] = cached
    return cached[1]


def finding_rules() -> FindingRules:
    """Return the discrepancy finding rules in force (stored, configured, pinned)."""
    return FindingRules.from_dict(effective_table("FINDING_RULES"))


def qc_share() -> float:
    """Return the share of verified records drawn for the quality re-check (QC_SHARE, or as stored)."""
    return stored_qc_share()



def local_zone() -> ZoneInfo:
    """Return the zone calling hours and dates are reckoned in (Asia/Shanghai by default)."""
    return ZoneInfo(retry_rules().timezone)
