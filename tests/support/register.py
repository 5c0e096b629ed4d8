"""Putting a county's register in place through the real import: check a file, commit it, count it."""

import os

from sqlalchemy import func, select

from core.extensions import db
from models import Person, RosterSnapshot
from roster import batches, import_check, import_commit
from support.import_files import TODAY, csv_file

CHIKAN, XUWEN = "440802", "440825"


def check_file(app, path, county=None):
    batch = batches.create_batch(db.session, path, os.path.basename(path), default_county=county)
    db.session.commit()
    return import_check.validate_batch(db.session, batch.id, TODAY)


def register(app, tmp_path, county, rows, name=None):
    """Import and commit a one-county file: the county's current register."""
    batch = check_file(app, csv_file(tmp_path / (name or f"{county}-{len(rows)}.csv"), rows), county)
    return import_commit.commit_batch(db, batch.id, confirm_removals=True)


def on_register(county):
    return db.session.scalar(select(func.count(Person.id)).join(RosterSnapshot)
                             .where(RosterSnapshot.is_current, Person.county_code == county))
