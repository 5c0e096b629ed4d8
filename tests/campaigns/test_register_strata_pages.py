"""The design page's register-finding strata: offered only after a match, previewed with Chinese labels,
drawn with oversampling, and shown by label on the draw page."""

import re

import pytest

from support.registers_factory import write_csv
from support.roster_factory import add_roster, birth, id_number

A, B = "440802", "440803"
DESIGN = {"counties": [A, B], "stratify_by": "register_finding", "method": "total", "total": "20",
          "allocation": "proportional", "minimum": "0", "reserve_mode": "share", "reserve_share": "0.2",
          "confidence": "0.95", "rate": "0.5", "oversample": "3", "seed_mode": "public", "seed_text": "88 12 07"}


@pytest.fixture
def campaign(app, session, users):
    """A campaign over 赤坎区 (60 persons) and 霞山区 (40 persons)."""
    from campaigns import service

    with app.app_context():
        add_roster(session, A, 60)
        add_roster(session, B, 40, start=100)
        made = service.create_campaign("2026年专项核查", [A, B])
        session.commit()
        return made.id


@pytest.fixture
def matched(campaign, runner, tmp_path):
    """Six persons of 赤坎区 with a finding (deceased, not de-registered), none in 霞山区."""
    numbers = [id_number(A, birth(n), n) for n in range(6)]
    path = write_csv(tmp_path / "死亡.csv", ["身份证号码", "死亡日期"], [[n, "2025-06-01"] for n in numbers])
    for args in (["import", path, "--kind", "death"], ["match"]):
        assert runner.invoke(args=["registers", *args]).exit_code == 0
    return campaign


def stratum_option(page: str) -> str:
    return re.search(r'<option value="register_finding"[^>]*>[^<]*</option>', page).group(0)


def test_without_a_match_the_choice_is_shown_disabled_with_the_reason(client, login_as, campaign):
    login_as("coordinator")
    page = client.get(f"/campaigns/{campaign}/design").data.decode()
    option = stratum_option(page)
    assert "disabled" in option and "比对发现" in option and "尚未运行数据比对" in option
    assert "请先导入比对名单并运行比对" in page
    data = client.get(f"/campaigns/{campaign}/preview?counties={A}&stratify_by=register_finding&method=fixed"
                      "&n=3").get_json()
    assert data["ok"] is False and "尚未运行过数据比对" in data["message"]
    response = client.post(f"/campaigns/{campaign}/design", data=DESIGN)
    assert response.status_code == 200 and "尚未运行过数据比对" in response.data.decode()


def test_after_a_match_the_preview_shows_the_strata_in_chinese(client, login_as, matched):
    login_as("coordinator")
    page = client.get(f"/campaigns/{matched}/design").data.decode()
    assert "disabled" not in stratum_option(page) and "有比对发现层的加抽倍数" in page and "抽样比" in page
    query = "&".join(f"{k}={v}" for k, v in DESIGN.items() if k != "counties")
    data = client.get(f"/campaigns/{matched}/preview?counties={A}&counties={B}&{query}").get_json()
    assert data["ok"] is True, data
    rows = {r["stratum"]: (r["label"], r["N"], r["n"], r["fraction"]) for r in data["strata"]}
    # Weights 6 * 3, 54 and 40 (sum 112) share 20 as 3.21, 9.64 and 7.14: 3, 10 and 7 by largest remainder,
    # a fraction of 1/2 with a finding against 10/54 and 7/40 without (1/6 each without oversampling).
    assert rows == {f"{A}|finding": ("赤坎区·有比对发现", 6, 3, pytest.approx(0.5, abs=1e-6)),
                    f"{A}|none": ("赤坎区·无比对发现", 54, 10, pytest.approx(10 / 54, abs=1e-6)),
                    f"{B}|none": ("霞山区·无比对发现", 40, 7, pytest.approx(7 / 40, abs=1e-6))}


def test_draw_through_the_page_keeps_the_findings_and_names_the_strata(client, login_as, matched):
    login_as("coordinator")
    response = client.post(f"/campaigns/{matched}/design", data=DESIGN)
    assert response.status_code in (302, 303), response.data.decode()[:2000]
    page = client.get(response.headers["Location"]).data.decode()
    assert "赤坎区·有比对发现" in page and "赤坎区·无比对发现" in page
    assert "有比对发现层加抽 ×3" in page and "随抽样结果保存" in page
    draw_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    api = client.get(f"/api/v1/draws/{draw_id}").get_json()
    record = api["frame_definition"]["register_findings"]
    assert record["persons"] == 6 and len(record["digest"]) == 64 and api["design"]["oversample"] == 3.0


def test_api_previews_and_draws_with_an_oversampling_factor(token_client, matched):
    api = token_client("coordinator")
    body = {k: v for k, v in DESIGN.items() if k not in ("seed_mode", "seed_text")} | {"oversample": 3}
    planned = api.post(f"/api/v1/campaigns/{matched}/preview", json=body)
    assert planned.status_code == 200, planned.get_json()
    assert {r["stratum"]: r["n"] for r in planned.get_json()["strata"]} == {
        f"{A}|finding": 3, f"{A}|none": 10, f"{B}|none": 7}
    made = api.post(f"/api/v1/campaigns/{matched}/draws", json=body | {"seed": "88 12 07"})
    assert made.status_code in (200, 201), made.get_json()
    draw = made.get_json()
    assert draw["design"]["oversample"] == 3 and draw["strata"][f"{A}|finding"]["n"] == 3
    check = api.post(f"/api/v1/draws/{draw['id']}/verify")
    assert check.get_json()["match"] is True


def test_api_refuses_register_finding_strata_before_any_match(token_client, campaign):
    api = token_client("coordinator")
    refused = api.post(f"/api/v1/campaigns/{campaign}/draws", json={"counties": [A], "stratify_by": "register_finding",
                                                                     "method": "fixed", "n": 3})
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "no_register_match"
    assert "尚未运行过数据比对" in refused.get_json()["error"]["message"]
