"""The demo's registers: loaded with the demo, contradicting some demo persons, never over a real roster."""

import json
from datetime import date

from sqlalchemy import func, select

from core.extensions import db
from models import RegisterFinding, RegisterImport


def test_the_demo_loads_registers_with_findings_in_most_counties(app, runner):
    result = runner.invoke(args=["demo", "--persons", "2000", "--seed", "5", "--no-campaign", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["registers"]["findings"] > 20
    with app.app_context():
        assert db.session.scalar(select(func.count(func.distinct(RegisterFinding.county_code)))) >= 5
        assert db.session.scalar(select(func.count()).select_from(RegisterImport)) == 4
        from demo.registers import load_demo_registers

        assert load_demo_registers(db.session, seed=5, today=date(2026, 12, 1)) is None  # once only


def test_no_demo_registers_over_a_real_roster(app):
    from demo.registers import load_demo_registers
    from support.roster_factory import add_roster

    with app.app_context():
        add_roster(db.session, "440802", 5)
        assert load_demo_registers(db.session, seed=5, today=date(2026, 12, 1)) is None
