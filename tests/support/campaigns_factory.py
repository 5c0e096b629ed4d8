"""A campaign and its draw, made through the services as a coordinator would."""

from sqlalchemy import select

from campaigns import drawing, service
from campaigns.design import parse_design
from models import SampleUnit

TWO = ["440802", "440803"]


def make_campaign(session, counties=TWO, name="2026年失业登记专项核查"):
    campaign = service.create_campaign(name, counties)
    session.commit()
    return campaign


def design(counties=TWO, **values):
    values = {"method": "total", "total": "20", "allocation": "proportional"} | values
    return parse_design(values, counties)


def draw(session, campaign, plan=None, seed="03 15 22 31", reason="", now=None):
    made = drawing.make_draw(campaign, plan or design(), seed, reason, now=now)
    session.commit()
    return made


def units_of(session, made):
    """Return a draw's units in stratum and rank order."""
    return session.scalars(select(SampleUnit).where(SampleUnit.draw_id == made.id)
                           .order_by(SampleUnit.stratum, SampleUnit.rank)).all()
