"""Finding a case when a person rings back: by name, by a name with the last four digits of the phone,
or by case number, among the tasks the caller may see (their own and their county's pool).

The text is read as the roster search reads it (roster/search.py), so that the masks never become an
oracle: a number is found only in full, or its last four digits only together with a name. A case
number is the task's number, shown on every case; it carries no personal data. Every search is
counted against the user's per-minute limit (SearchEvent) and one that involves a number is
written to the audit log with the query masked, in the same transaction.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func, select

from callbacks.access import visible_condition
from callbacks.context import Actor
from core import auditlog
from core.extensions import db
from core.privacy import mask_id_number, mask_phone
from models import Campaign, Person
from models import FollowUpTask as Task
from roster.normalize import nfkc
from roster.queries import search_condition
from roster.search import SearchQuery, note_search, parse_query

MAX_RESULTS = 50
# "#1024", "＃1024", "案件号 1024", "case 1024", or up to six digits alone (more look like part of a phone number).
_CASE_NUMBER = re.compile(r"(?:[#＃]|案件号?|case\s*(?:no\.?)?)?\s*(?P<number>[0-9]{1,9})", re.IGNORECASE)
_MAX_BARE_DIGITS = 6


@dataclass(frozen=True)
class CaseQuery:
    """What a caller's search text asks for: a case number, or a roster-style SearchQuery."""

    text: str = ""
    case_number: int | None = None
    person: SearchQuery = field(default_factory=SearchQuery)

    @property
    def kind(self) -> str:
        """Name the kind of search ("" for none, "name" for a name alone)."""
        if self.case_number is not None:
            return "case_number"
        return self.person.kind or ("name" if self.person.name else "")

    @property
    def refused(self) -> bool:
        """Tell whether the text holds digits that are no full number, no case number and no name's last four."""
        return bool(self.person.refused)

    def masked(self) -> str:
        """Return the query as the audit log keeps it."""
        return f"#{self.case_number}" if self.case_number is not None else self.person.masked()


def parse_case_query(text: str | None) -> CaseQuery:
    """Read the search box: a case number (with # or 案件号, or up to six digits alone), else as the roster does."""
    cleaned = nfkc(text or "").strip()
    match = _CASE_NUMBER.fullmatch(cleaned)
    if match and (not cleaned[0].isdigit() or len(match["number"]) <= _MAX_BARE_DIGITS):
        return CaseQuery(cleaned, case_number=int(match["number"]))
    return CaseQuery(cleaned, person=parse_query(cleaned))


@dataclass
class CaseResults:
    """What a search found: masked rows, the total, and whether the text was refused."""

    query: CaseQuery
    rows: list = field(default_factory=list)
    total: int = 0


def search_cases(actor: Actor, text: str, now: datetime, limit_per_minute: int, via: str) -> CaseResults:
    """Find the cases the actor may see that match the text: open ones first, masked.

    Raises roster.search.SearchThrottled past the per-minute limit, writing nothing.
    """
    query = parse_case_query(text)
    if not query.kind or query.refused or actor.id is None:  # the scheduler's stand-in has no queue to search
        return CaseResults(query)
    with db.write_transaction() as session:
        note_search(session, actor.id, now, limit_per_minute)
        condition = Task.id == query.case_number if query.case_number is not None else search_condition(query.person)
        where = (visible_condition(actor), condition)
        total = session.scalar(select(func.count(Task.id)).join(Person, Person.id == Task.person_id).where(*where))
        found = session.execute(
            select(Task, Person, Campaign.name).join(Person, Person.id == Task.person_id)
            .join(Campaign, Campaign.id == Task.campaign_id).where(*where)
            .order_by(case((Task.status == "closed", 1), else_=0), Task.due_at, Task.id).limit(MAX_RESULTS)
        ).all()
        rows = [result_row(task, person, campaign) for task, person, campaign in found]
        if query.kind != "name":
            auditlog.record("followup.search", "followup_task", "", user=actor, kind=query.kind,
                            query=query.masked(), found=total, via=via)
    return CaseResults(query, rows, total or 0)


def result_row(task: Task, person: Person, campaign_name: str) -> dict:
    """Describe one found case with the person's ID and phone masked."""
    return {
        "task_id": task.id, "status": task.status, "channel": task.channel, "due_at": task.due_at,
        "plan_reason": task.plan_reason, "final_outcome": task.final_outcome, "county_code": task.county_code,
        "campaign_id": task.campaign_id, "campaign": campaign_name, "assigned_to_id": task.assigned_to_id,
        "name": person.name, "phone": mask_phone(person.phone), "id_number": mask_id_number(person.id_number),
    }
