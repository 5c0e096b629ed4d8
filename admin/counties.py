"""The counties: add one, change its names, local code and whether it is active, each with an audit
entry of before and after. The code (GB/T 2260, or a local 6-digit code) never changes once given."""

import re

from flask_babel import gettext as _

from core import auditlog
from core.extensions import db
from models import County

CODE = re.compile(r"^\d{6}$")


def county_state(county: County) -> dict:
    """Return what an audit entry keeps of a county."""
    return {"name_zh": county.name_zh, "name_en": county.name_en, "local_code": county.local_code,
            "official": county.official, "active": county.active}


def county_problems(values: dict, new_code: str | None = None) -> list[tuple[str, str]]:
    """List (field, reason) problems of a county's values, and of its code when one is being added."""
    problems = []
    if new_code is not None:
        if not CODE.match(new_code):
            problems.append((_("Code"), _("%(code)s is not a 6-digit division code", code=new_code)))
        elif db.session.get(County, new_code) is not None:
            problems.append((_("Code"), _("the county %(code)s exists already", code=new_code)))
    for name, label, limit in (("name_zh", _("Chinese name"), 50), ("name_en", _("English name"), 100)):
        text = (values.get(name) or "").strip()
        if name in values and not text:
            problems.append((label, _("a value is needed")))
        elif len(text) > limit:
            problems.append((label, _("at most %(n)d characters", n=limit)))
    if len((values.get("local_code") or "").strip()) > 32:
        problems.append((_("Local code"), _("at most %(n)d characters", n=32)))
    return problems


def _apply(county: County, values: dict) -> None:
    for name in ("name_zh", "name_en"):
        if name in values:
            setattr(county, name, values[name].strip())
    if "local_code" in values:
        county.local_code = (values["local_code"] or "").strip() or None
    for name in ("official", "active"):
        if name in values:
            setattr(county, name, bool(values[name]))


def add_county(code: str, values: dict, via: str) -> tuple[County | None, list[tuple[str, str]]]:
    """Add a county (checked), with an audit entry; return it, or None and the problems."""
    problems = county_problems({"name_zh": "", "name_en": ""} | values, new_code=code)
    if problems:
        return None, problems
    with db.write_transaction() as session:
        county = County(code=code, official=True, active=True)
        _apply(county, values)
        session.add(county)
        auditlog.record("county.create", "county", code, via=via, before=None, after=county_state(county))
    return county, []


def change_county(code: str, values: dict, via: str) -> list[tuple[str, str]]:
    """Change a county's names, local code, official flag or active flag, with before and after."""
    problems = county_problems(values)
    if problems:
        return problems
    with db.write_transaction() as session:
        county = session.get(County, code)
        before = county_state(county)
        _apply(county, values)
        if county_state(county) != before:
            auditlog.record("county.change", "county", code, via=via, before=before, after=county_state(county))
    return []
