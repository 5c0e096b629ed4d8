"""A campaign and its draw, made through the services as a coordinator would."""

from campaigns import drawing, service
from campaigns.design import parse_design

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
