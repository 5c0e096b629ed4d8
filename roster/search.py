"""Searching the roster without making the masks an oracle.

A name is found by any fragment. A number never is: an ID number only in full (18 characters), a
phone only as a full number, and the last four digits of either only together with a name fragment
(they are shown in every mask anyway). Anything else with digits finds nothing, so that extending a
masked prefix one digit at a time (4408021…, 4408021…) tells nothing. Every search that involves a
number is audited with a masked query, and each user's searches are throttled per minute, counted in
the database so that the limit holds across web workers.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from core import auditlog
from core.privacy import mask_id_number, mask_phone
from models import SearchEvent
from roster.normalize import NormalizeError, nfkc
from roster.normalize import phone as normalise_phone
from roster.queries import search_persons

NUMBER_REFUSED = _l("To search by number, give the full ID number or phone number, or a name with the last four "
                    "digits.")
TOO_MANY = _l("Too many searches: please wait a minute and try again.")

_ID18 = re.compile(r"[0-9]{17}[0-9X]")
_PHONE_LIKE = re.compile(r"\+?[0-9][0-9\s\-()]*")
_NAME_THEN_LAST4 = re.compile(r"(?P<name>\D*?\S)\s*(?P<last4>[0-9]{3}[0-9Xx])")
_LAST4_THEN_NAME = re.compile(r"(?P<last4>[0-9]{3}[0-9Xx])\s*(?P<name>\S\D*)")
_SEPARATORS = re.compile(r"[\s\-]")


class SearchThrottled(Exception):
    """The user has searched too often in the last minute."""


@dataclass(frozen=True)
class SearchQuery:
    """What a search box's text asks for; `refused` (the text, digits masked) when it holds digits that
    are no full number."""

    name: str = ""
    id_number: str = ""
    phone: str = ""
    last4: str = ""
    refused: str = ""

    @property
    def kind(self) -> str:
        """Name the kind of number searched for ("" for a name alone)."""
        for kind in ("id_number", "phone", "last4", "refused"):
            if getattr(self, kind):
                return kind
        return ""

    def masked(self) -> str:
        """Return the query as the audit log keeps it: never a full number in clear."""
        if self.id_number:
            return mask_id_number(self.id_number)
        if self.phone:
            return mask_phone(self.phone)
        if self.last4:
            return f"{self.name} {self.last4}"
        return self.refused or self.name


def parse_query(text: str | None) -> SearchQuery:
    """Read a search box: a name fragment, a full ID or phone number, or a name with the last four digits."""
    cleaned = nfkc(text or "").strip()
    if not cleaned:
        return SearchQuery()
    compact = _SEPARATORS.sub("", cleaned).upper()
    if _ID18.fullmatch(compact):
        return SearchQuery(id_number=compact)
    if _PHONE_LIKE.fullmatch(cleaned):
        try:
            number = normalise_phone(cleaned)
            assert number is not None  # phone() gives None only for blank text, and `cleaned` is not blank
            return SearchQuery(phone=number)
        except NormalizeError:
            pass
    if not any(c.isdigit() for c in cleaned):
        return SearchQuery(name=cleaned)
    match = _NAME_THEN_LAST4.fullmatch(cleaned) or _LAST4_THEN_NAME.fullmatch(cleaned)
    if match and not any(c.isdigit() for c in match["name"]):
        return SearchQuery(name=match["name"].strip(), last4=match["last4"].upper())
    return SearchQuery(refused=re.sub(r"[0-9]", "*", cleaned))


def note_search(session, user_id: int, now: datetime, limit: int) -> None:
    """Count a search by the user; raise SearchThrottled past `limit` in the last minute."""
    since = now - timedelta(minutes=1)
    session.execute(delete(SearchEvent).where(SearchEvent.user_id == user_id, SearchEvent.at < since))
    recent = session.scalar(select(func.count()).where(SearchEvent.user_id == user_id, SearchEvent.at >= since))
    if recent >= limit:
        raise SearchThrottled()
    session.add(SearchEvent(user_id=user_id, at=now))


def find_persons(db, user, text: str, now: datetime, limit: int, via: str, **filters):
    """Search as search_roster does, in a write transaction of its own when the search is counted
    (a listing without search text only reads). Raises SearchThrottled, writing nothing."""
    query = parse_query(text)
    if not (query.kind or query.name):
        return search_persons(db.session, query, user=user, **filters)
    with db.write_transaction() as session:
        return search_roster(session, user, text, now, limit, via, **filters)


def search_roster(session, user, text: str, now: datetime, limit: int, via: str, **filters):
    """Search the persons the user may see: throttled, and audited when a number is involved.

    The caller commits (the throttle count and the audit entry are writes): find_persons does.
    """
    query = parse_query(text)
    if query.kind or query.name:
        note_search(session, user.id, now, limit)
    result = search_persons(session, query, user=user, **filters)
    if query.kind:
        auditlog.record("person.search", "person", "", user=user, kind=query.kind, query=query.masked(),
                        found=result.total, via=via)
    return result
