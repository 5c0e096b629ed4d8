"""The list behind a data-quality flag counts, snapshot by snapshot, exactly the persons it lists: every
flag, every status, all counties or one, and for a county-scoped user their county only."""

from datetime import date

from sqlalchemy import select

from core.extensions import db
from models import Person, RosterSnapshot, User
from roster.quality import FLAGS
from roster.queries import search_persons

TODAY = date(2026, 12, 3)


def flagged(person: Person, flag: str) -> bool:
    """A flag worked out from a person's columns, as the quality checks define it."""
    if flag == "past_retirement":
        return person.cancelled_on is None and person.retirement_on is not None and person.retirement_on <= TODAY
    if flag == "future_cancellation":
        return person.cancelled_on is not None and person.cancelled_on > TODAY
    return bool(getattr(person, f"flag_{flag}"))


def listed(persons, flag, status, county):
    return [p.id for p in persons if flagged(p, flag) and (county is None or p.county_code == county)
            and not (status == "registered" and p.cancelled_on) and not (status == "cancelled" and not p.cancelled_on)]


def test_every_flag_list_counts_what_it_lists(app, users, runner):
    assert runner.invoke(args=["demo", "--persons", "2000", "--seed", "11"]).exit_code == 0
    with app.app_context():
        session = db.session
        persons = sorted(session.scalars(select(Person).join(RosterSnapshot).where(RosterSnapshot.is_current)),
                         key=lambda p: (p.county_code, p.id))
        coordinator = session.get(User, users["coordinator"])
        liaison = session.get(User, users["liaison"])
        found = 0
        for flag in FLAGS:
            for status in ("all", "registered", "cancelled"):
                for county in (None, "440802", "440881"):
                    expected = listed(persons, flag, status, county)
                    result = search_persons(session, None, county, status, page_size=10_000, user=coordinator,
                                            flag=flag, today=TODAY)
                    assert (result.total, [r["id"] for r in result.rows]) == (len(expected), expected), \
                        (flag, status, county)
                    found += bool(expected)
                scoped = search_persons(session, None, None, status, page_size=10_000, user=liaison, flag=flag,
                                        today=TODAY)
                assert scoped.total == len(listed(persons, flag, status, "440802")), (flag, status)
        assert found >= 12  # the demo's dirt gives the lists something to count
