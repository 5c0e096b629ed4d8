"""Every time a person reads is Beijing time in one format, also when the UTC date is the day before."""

import io
from datetime import UTC, date, datetime

from core.timefmt import local_date, local_time

LATE_UTC = datetime(2026, 12, 1, 16, 30, tzinfo=UTC)  # 00:30 on 2 December in Beijing


def test_a_time_near_midnight_utc_shows_the_beijing_date():
    assert local_time(LATE_UTC) == "2026-12-02 00:30"
    assert local_date(LATE_UTC) == date(2026, 12, 2)


def test_a_naive_stored_time_is_read_as_utc():
    assert local_time(LATE_UTC.replace(tzinfo=None)) == "2026-12-02 00:30"


def test_no_time_shows_nothing():
    assert local_time(None) == ""


def test_the_configured_zone_is_used_inside_the_app(make_app):
    app = make_app(TIMEZONE="Europe/London")
    with app.app_context():
        assert local_time(LATE_UTC) == "2026-12-01 16:30"


def test_draw_pages_and_export_show_the_draw_time_in_beijing_time(app, session, login_as, client):
    from openpyxl import load_workbook

    from models import Draw
    from support.followup_factory import add_draw

    draw_id = add_draw(session, {"440802": 3}, created_at=LATE_UTC)
    login_as("coordinator")
    draw_page = client.get(f"/campaigns/draws/{draw_id}").data.decode()
    campaign_page = client.get(f"/campaigns/{session.get(Draw, draw_id).campaign_id}").data.decode()
    for page in (draw_page, campaign_page):
        assert "2026-12-02 00:30" in page and "UTC" not in page
    book = load_workbook(io.BytesIO(client.get(f"/campaigns/draws/{draw_id}/export.xlsx").data))
    facts = {row[0]: row[1] for row in book.worksheets[1].iter_rows(values_only=True)}
    assert facts["抽样时间"] == "2026-12-02 00:30"
