"""Statistics pages and API: what each role sees, county scoping on every page, drill-down to the cases."""

from pathlib import Path

import pytest

from support.reports_factory import add_campaign, add_snapshots

A, B = "440802", "440803"  # the liaison of the `users` fixture is scoped to 440802


@pytest.fixture
def campaign_id(app, session):
    with app.app_context():
        cid = add_campaign(session, {
            A: {"N": 1000, "verified": [[], [], [], ["not_authentic"], ["inaccurate_data", "assistance_not_delivered"]],
                "outcomes": {"unreachable": 1}, "open": 2},
            B: {"N": 800, "verified": [[], ["should_have_been_cancelled"]] * 3, "open": 1},
        })
        add_snapshots(session, cid, A)
        return cid


def pages(cid, county):
    return [f"/reports/{cid}/", f"/reports/{cid}/county/{county}", f"/reports/{cid}/county/{county}/print",
            f"/reports/{cid}/cases?county={county}&kind=discrepant&code=any", f"/reports/{cid}/rectification?county={county}",
            f"/reports/{cid}/export/statistics.xlsx?county={county}", f"/reports/{cid}/export/verifications.csv?county={county}",
            f"/reports/{cid}/export/attempts.xlsx?county={county}", f"/reports/{cid}/export/rectification.csv?county={county}"]


def apis(cid, county):
    return [f"/api/v1/campaigns/{cid}/statistics", f"/api/v1/campaigns/{cid}/statistics/counties/{county}",
            f"/api/v1/campaigns/{cid}/statistics/progress?county={county}",
            f"/api/v1/campaigns/{cid}/statistics/cases?county={county}&kind=resolved",
            f"/api/v1/campaigns/{cid}/rectification?county={county}"]


@pytest.mark.parametrize("user", ["admin", "coordinator", "manager"])
def test_statistics_readers_open_every_page_and_api(login_as, campaign_id, user):
    client = login_as(user)
    for url in pages(campaign_id, B) + apis(campaign_id, B):
        assert client.get(url).status_code == 200, url


def test_callers_are_refused_every_statistics_page_and_api(login_as, campaign_id):
    client = login_as("caller")
    for url in pages(campaign_id, A) + apis(campaign_id, A) + ["/reports/"]:
        assert client.get(url).status_code == 403, url


def test_anonymous_visitors_are_sent_to_log_in(client, campaign_id):
    for url in pages(campaign_id, A):
        assert client.get(url).status_code in (301, 302, 303), url
    for url in apis(campaign_id, A):
        response = client.get(url)
        assert response.status_code == 401 and response.json["error"]["code"] == "not_logged_in", url


def test_liaison_reads_their_county_everywhere(login_as, campaign_id):
    client = login_as("liaison")
    for url in pages(campaign_id, A) + apis(campaign_id, A):
        assert client.get(url).status_code == 200, url


def test_liaison_is_refused_another_county_on_every_page_and_api(login_as, campaign_id):
    client = login_as("liaison")
    for url in pages(campaign_id, B)[1:] + apis(campaign_id, B)[1:]:
        assert client.get(url).status_code == 404, url


def test_liaison_dashboard_shows_their_county_only(login_as, campaign_id):
    client = login_as("liaison")
    page = client.get(f"/reports/{campaign_id}/").data.decode()
    assert 'data-county="440802"' in page and 'data-county="440803"' not in page
    assert 'data-county="overall"' not in page and "霞山区" not in page  # LIAISON_SEES_CITY is off by default
    data = client.get(f"/api/v1/campaigns/{campaign_id}/statistics").json
    assert [c["code"] for c in data["counties"]] == [A] and data["overall"] is None
    cases = client.get(f"/api/v1/campaigns/{campaign_id}/statistics/cases?kind=units").json
    assert cases["total"] == 8 and {r["county_code"] for r in cases["rows"]} == {A}


def test_dashboard_in_chinese_with_the_county_table_sorted(app, login_as, campaign_id):
    app.config["MIN_RESOLVED_FOR_ESTIMATE"] = 1
    client = login_as("manager")
    page = client.get(f"/reports/{campaign_id}/").data.decode()
    assert "全市不一致率（分层估计）" in page and "各县（市、区）不一致率（由高到低）" in page
    assert page.index('data-county="440803"') < page.index('data-county="440802"')  # 3/6 before 2/5
    assert "chart.umd.min.js" in page and "cdn" not in page.lower()


def test_every_number_drills_down_to_its_cases(login_as, campaign_id):
    client = login_as("manager")
    data = client.get(f"/api/v1/campaigns/{campaign_id}/statistics/counties/{A}").json["county"]
    checks = [("discrepant", "any", data["rates"]["any"]["d"]), ("discrepant", "not_authentic", 1),
              ("resolved", None, data["resolved"]), ("open", None, data["open"]), ("units", None, data["units"]),
              ("in_progress", None, data["in_progress"]), ("final_unresolved", None, 1),
              ("outcome", "non_contact", data["outcomes"]["counts"]["non_contact"]),
              ("outcome", "open", data["outcomes"]["counts"]["open"]),
              ("service", "job_referral", data["services"]["job_referral"]["count"])]
    for kind, code, expected in checks:
        url = f"/api/v1/campaigns/{campaign_id}/statistics/cases?county={A}&kind={kind}" + (f"&code={code}" if code else "")
        assert client.get(url).json["total"] == expected, (kind, code)
    page = client.get(f"/reports/{campaign_id}/cases?county={A}&kind=discrepant&code=any").data.decode()
    assert "********" in page and "+86138" not in page  # masked ID and phone numbers


def test_unknown_drill_down_filter_and_interval_method_are_refused(login_as, campaign_id):
    client = login_as("manager")
    assert client.get(f"/reports/{campaign_id}/cases?kind=nonsense").status_code == 400
    assert client.get(f"/reports/{campaign_id}/?ci=wald").status_code == 400
    assert client.get(f"/api/v1/campaigns/{campaign_id}/statistics/cases?kind=discrepant&code=x").status_code == 400


def test_print_view_is_an_a4_report_with_the_list_of_problems(login_as, campaign_id, client):
    login_as("coordinator")
    client.post(f"/reports/{campaign_id}/rectification/generate", data={"due_days": "30"})
    page = client.get(f"/reports/{campaign_id}/county/{A}/print").data.decode()
    assert "css/print.css" in page and 'data-testid="print-items"' in page
    stylesheet = Path(__file__).resolve().parents[2] / "static" / "css" / "print.css"
    assert "@page { size: A4 portrait;" in stylesheet.read_text(encoding="utf-8")
    assert "登记不真实" in page and "440802********" in page


def test_english_is_one_click_away(login_as, campaign_id):
    client = login_as("manager")
    client.get("/lang/en")
    page = client.get(f"/reports/{campaign_id}/county/{A}").data.decode()
    assert "Registration not authentic" in page and "Audit conclusion" in page


def test_liaison_dashboard_progress_is_their_county_only(login_as, session, campaign_id):
    add_snapshots(session, campaign_id, B, tasks=40)
    client = login_as("liaison")
    dashboard = client.get(f"/api/v1/campaigns/{campaign_id}/statistics").get_json()["progress"]
    own = client.get(f"/api/v1/campaigns/{campaign_id}/statistics/progress").get_json()
    assert dashboard["tasks"] == own["tasks"] == [10, 10, 10]  # 赤坎区's snapshots, not 赤坎区 + 霞山区
    client.post("/logout")
    manager = login_as("manager").get(f"/api/v1/campaigns/{campaign_id}/statistics").get_json()["progress"]
    assert manager["tasks"] == [50, 50, 50]


def test_replacements_are_counted_in_the_report_by_county_and_reason(login_as, session, campaign_id):
    from sqlalchemy import select, update

    from models import SampleUnit

    # The factory replaced no unit; mark one unit of 霞山区 replaced for a recorded out-of-scope reason.
    unit_id = session.scalar(select(SampleUnit.id).where(SampleUnit.county_code == B).order_by(SampleUnit.id))
    session.execute(update(SampleUnit.__table__).where(SampleUnit.id == unit_id)
                    .values(status="replaced", replacement_reason="not_of_this_county"))
    session.commit()
    client = login_as("manager")
    data = client.get(f"/api/v1/campaigns/{campaign_id}/statistics").get_json()
    assert data["overall"]["replaced"] == {"total": 1, "reasons": {"not_of_this_county": 1}}
    by_county = {c["code"]: c["replaced"]["total"] for c in data["counties"]}
    assert by_county == {A: 0, B: 1}
    county = client.get(f"/api/v1/campaigns/{campaign_id}/statistics/counties/{B}").get_json()
    assert county["county"]["replaced"]["total"] == 1
    page = client.get(f"/reports/{campaign_id}/").get_data(as_text=True)
    assert "以备用样本替换（不属于抽查范围）" in page and "不属于本县（市、区）人员 1" in page


def test_every_page_that_concludes_prints_the_tolerable_rate_and_confidence_as_set(login_as, session, campaign_id):
    from models import Campaign

    campaign = session.get(Campaign, campaign_id)
    campaign.tolerable_rate, campaign.confidence = 0.025, 0.975
    session.commit()
    client = login_as("manager")
    for url in [f"/reports/{campaign_id}/", f"/reports/{campaign_id}/county/{A}",
                f"/reports/{campaign_id}/county/{A}/print", "/"]:
        page = client.get(url).data.decode()
        assert "2.5%" in page and "97.5%" in page and "98%" not in page, url


def test_small_counties_show_counts_on_the_dashboard_county_page_report_and_api(login_as, campaign_id):
    client = login_as("manager")
    dashboard = client.get(f"/reports/{campaign_id}/").data.decode()
    row = dashboard[dashboard.index(f'data-county="{A}"'):dashboard.index(f'data-county="{B}"')]
    assert "样本不足，暂不估计" in row and "区间" not in row  # 5 resolved in 440802: below the minimum
    for url in [f"/reports/{campaign_id}/county/{A}", f"/reports/{campaign_id}/county/{A}/print"]:
        page = client.get(url).data.decode()
        assert "样本不足，暂不估计" in page and "0.0–" not in page, url
    county = client.get(f"/api/v1/campaigns/{campaign_id}/statistics/counties/{A}").json["county"]
    assert county["estimate"] == {"reason": "too_few_resolved", "resolved": 5, "sampled": 8, "min_resolved": 10}
    assert county["rates"]["any"]["p"] is None and county["rates"]["any"]["reason"] == "too_few_resolved"
