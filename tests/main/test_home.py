"""Home pages: the newest campaigns at a glance for everyone who reads statistics."""

import pytest
from sqlalchemy import select

from models import Campaign
from reports import labels
from reports.figures import Options, campaign_figures
from support.reports_factory import add_campaign

A, B = "440802", "440803"  # the liaison of the `users` fixture is scoped to 440802


@pytest.fixture
def campaign_id(app, session):
    with app.app_context():
        return add_campaign(session, {
            A: {"N": 1000, "verified": [[], [], [], ["not_authentic"]], "open": 2},
            B: {"N": 800, "verified": [[], ["should_have_been_cancelled"]] * 3, "open": 1},
        })


def overview(client) -> str:
    html = client.get("/").get_data(as_text=True)
    start = html.find('data-testid="campaign-overview"')
    return html[start:html.find("</table>", start)] if start >= 0 else ""


@pytest.mark.parametrize("user", ["admin", "coordinator", "manager"])
def test_statistics_readers_see_the_campaign_as_its_dashboard_does(login_as, session, campaign_id, user):
    campaign = session.get(Campaign, campaign_id)
    name, figures = campaign.name, campaign_figures(session, campaign, Options())["overall"]
    rate, interval = labels.pct(figures["rates"]["any"]["p"]), labels.interval(figures["rates"]["any"])
    assert (figures["resolved"], figures["units"]) == (10, 13)
    shown = overview(login_as(user))
    assert f'href="/reports/{campaign_id}/"' in shown and name in shown
    assert "10 / 13" in shown and rate in shown and interval in shown and "全市不一致率" in shown


def test_a_county_liaison_sees_their_own_county(app, login_as, session, campaign_id):
    app.config["MIN_RESOLVED_FOR_ESTIMATE"] = 4
    shown = overview(login_as("liaison"))
    assert "4 / 6" in shown and "10 / 13" not in shown
    assert "25.0%" in shown and "全市不一致率" not in shown  # 1 of 4 resolved units in 440802


def test_a_county_below_the_minimum_shows_its_counts_instead_of_a_rate(login_as, session, campaign_id):
    shown = overview(login_as("liaison"))  # 4 resolved in 440802, below the default minimum of 10
    assert "样本不足，暂不估计" in shown and "已核实 4 / 抽中 6" in shown
    assert "25.0%" not in shown and "区间" not in shown


def test_callers_see_no_statistics(login_as, campaign_id):
    assert overview(login_as("caller")) == ""


def test_a_campaign_without_a_draw_says_so_and_only_the_newest_five_show(login_as, session, campaign_id):
    from campaigns.service import create_campaign

    for i in range(5):
        create_campaign(f"第{i + 2}批", [A, B])
    session.commit()
    names = session.scalars(select(Campaign.name).order_by(Campaign.id)).all()
    shown = overview(login_as("manager"))
    assert names[0] not in shown and all(name in shown for name in names[1:])
    assert shown.count("暂无统计") == 5


def test_one_verified_case_is_not_a_headline_rate(app, login_as, session):
    with app.app_context():
        add_campaign(session, {A: {"N": 1000, "verified": [["not_authentic"]], "open": 28}}, name="刚开始的批次")
    shown = overview(login_as("manager"))
    assert "样本不足，暂不估计" in shown and "已核实 1 / 抽中 29" in shown
    assert "100.0%" not in shown and "0.0–100.0%" not in shown
    assert "可容忍差错率 5%，置信水平 95%" in shown


def county_row(html: str, name: str) -> list[str]:
    """Return the cells of the home page's county table row of a county."""
    import re

    table = html[html.index('data-testid="county-table"'):]
    row = next(r for r in table.split("<tr>") if name in r)
    return re.findall(r'<td class="num">([^<]*)</td>', row)


def test_the_county_table_counts_the_current_roster_as_it_became_current(app, login_as, session):
    from core.extensions import db
    from roster.snapshots import restore_snapshot
    from support.roster_factory import add_roster

    with app.app_context():
        add_roster(session, A, 30, cancelled=5)
        add_roster(session, A, 12, start=200)  # the next roster of the county replaces it
    client = login_as("coordinator")
    assert county_row(client.get("/").get_data(as_text=True), "赤坎区") == ["12", "12"]
    with app.app_context():
        restore_snapshot(db, A, reason="错导了新名册，恢复上一版")
    assert county_row(client.get("/").get_data(as_text=True), "赤坎区") == ["25", "30"]
    assert county_row(client.get("/").get_data(as_text=True), "徐闻县") == ["0", "0"]
