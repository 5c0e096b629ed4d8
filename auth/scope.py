"""Which counties a user may read and change: the one county check every service makes, whoever calls it.

A user scoped to a county (a county's coordinator, liaison or caller) reads only objects that
include their county, and changes only what lies wholly in it: acting on a several-county object
(a campaign, a draw) they may touch their county's part where the service can split it, or nothing.
The services call these checks themselves, so that a page, an API route and an export cannot differ.
Without a logged-in user (the CLI, the scheduler) the operator acts for every county.
"""

from flask import has_request_context


class OutOfScope(LookupError):
    """The object is not visible to the user: answered as "not found" (404), as if it did not exist."""


class PartlyOutOfScope(PermissionError):
    """The user sees the object but may not change it, since it reaches other counties too (403)."""


def acting_user(user=None):
    """Return the given user, else the logged-in user of the request, else None (an operator)."""
    if user is not None:
        return user
    if has_request_context():
        from flask_login import current_user

        if current_user.is_authenticated:
            return current_user
    return None


def scope_of(user=None) -> str | None:
    """Return the county the acting user is limited to, or None when they act for every county."""
    user = acting_user(user)
    return getattr(user, "county_code", None) if user is not None else None


def check_county(county: str, user=None) -> None:
    """Refuse a county the acting user may not see."""
    scope = scope_of(user)
    if scope is not None and county != scope:
        raise OutOfScope(county)


def check_counties_to_change(counties, user=None) -> None:
    """Refuse a change over counties that are not all the acting user's."""
    scope = scope_of(user)
    if scope is not None and any(code != scope for code in counties):
        if scope in counties:
            raise PartlyOutOfScope(sorted(counties))
        raise OutOfScope(sorted(counties))


def check_campaign(campaign, user=None) -> None:
    """Refuse a campaign whose counties do not include the acting user's."""
    scope = scope_of(user)
    if scope is not None and scope not in {c.code for c in campaign.counties}:
        raise OutOfScope(campaign.id)


def check_campaign_change(campaign, user=None) -> None:
    """Refuse a change of a whole campaign (a draw, a redraw) unless it lies wholly in the user's county."""
    check_campaign(campaign, user)
    check_counties_to_change([c.code for c in campaign.counties], user)


def visible_part(mapping: dict, user=None, county_of=lambda key: key.split("|")[0]) -> dict:
    """Return the entries of a per-stratum or per-county mapping that the acting user may see."""
    scope = scope_of(user)
    return dict(mapping) if scope is None else {k: v for k, v in mapping.items() if county_of(k) == scope}
