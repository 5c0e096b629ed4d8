"""The register comparison's figures on the county checklist: item 2.3 (de-registration of persons who found
work, started a business, retired or died) and item 3.1 (authenticity of registrations), counted from the
county's active findings over its registered persons; none before a match, and only the county's own."""

import pytest
from sqlalchemy import select

from auth.accounts import create_user
from core.extensions import db
from models import Campaign, Person
from registers import checklist_figures
from support.accounts import PASSWORD, login
from support.checklist_factory import A, B, worked_campaign
from support.registers_factory import write_csv


@pytest.fixture
def campaign_id(app, users):
    campaign = worked_campaign(app)
    with app.app_context():
        create_user(db.session, "liaison_b", PASSWORD, "manager", B)
        db.session.commit()
    return campaign


def import_and_match(app, runner, tmp_path):
    """Deaths, businesses and pensions naming three persons of county A (registered 2025-03-01); none of B."""
    with app.app_context():
        ids = list(db.session.scalars(select(Person.id_number).where(Person.county_code == A).order_by(Person.id)))
    files = {
        "death": write_csv(tmp_path / "d.csv", ["身份证号码", "死亡日期"], [[ids[0], "2025-06-01"]]),
        "business": write_csv(tmp_path / "b.csv", ["经营者身份证号", "成立日期", "登记状态"],
                              [[ids[1], "2025-05-10", "存续"]]),
        "pension": write_csv(tmp_path / "p.csv", ["身份证号码", "首次领取年月"], [[ids[2], "2024-12"]]),
    }
    for kind, path in files.items():
        assert runner.invoke(args=["registers", "import", path, "--kind", kind]).exit_code == 0
    assert runner.invoke(args=["registers", "match"]).exit_code == 0


def register_lines(page: str, key: str) -> list[str]:
    """The register comparison's lines under one checklist item of a county page."""
    start = page.index(f'data-item="{key}"')
    block = page[start:page.find('class="list-group-item"', start + 1)]
    return [line.split("数据比对：", 1)[1].split("<", 1)[0] for line in block.split("<li>") if "数据比对：" in line]


def test_no_register_figures_before_a_match(app, client, login_as, campaign_id):
    with app.app_context():
        assert checklist_figures(db.session, db.session.get(Campaign, campaign_id), A) == []
    page = login_as("coordinator").get(f"/verification/{campaign_id}/county/{A}").text
    assert "数据比对：" not in page


def test_the_checklist_shows_the_countys_register_figures_under_the_items_they_speak_to(
        app, client, login_as, runner, tmp_path, campaign_id):
    import_and_match(app, runner, tmp_path)
    page = login_as("coordinator").get(f"/verification/{campaign_id}/county/{A}").text
    assert register_lines(page, "2.3") == ["经营市场主体：1/14", "领取养老金未注销：0/14", "死亡未注销：1/14"]
    assert register_lines(page, "3.1") == ["领取养老金后仍登记：1/14", "死亡后仍登记：0/14"]
    assert "参保就业未注销" not in page  # no social insurance register was compared
    assert register_lines(page, "1.1") == []


def test_a_county_user_sees_their_own_countys_figures_and_not_anothers(
        app, client, runner, tmp_path, campaign_id, token_client):
    import_and_match(app, runner, tmp_path)
    login(client, "liaison_b")
    assert client.get(f"/verification/{campaign_id}/county/{A}").status_code == 404
    page = client.get(f"/verification/{campaign_id}/county/{B}").text
    assert register_lines(page, "2.3") == ["经营市场主体：0/10", "领取养老金未注销：0/10", "死亡未注销：0/10"]
    assert "1/14" not in page
    liaison = token_client("liaison")  # a manager of A
    items = liaison.get(f"/api/v1/campaigns/{campaign_id}/verification/counties/{A}").get_json()["items"]
    figures = {(f["item"], f["label_zh"]): (f["count"], f["total"])
               for i in items for f in i["figures"] if f["source"] == "register"}
    assert figures[("2.3", "死亡未注销")] == (1, 14) and figures[("3.1", "领取养老金后仍登记")] == (1, 14)
    assert liaison.get(f"/api/v1/campaigns/{campaign_id}/verification/counties/{B}").status_code == 404
