"""After a draw, its page and its campaign's page offer the next step of the follow-up: make the tasks,
then assign them; those who do not assign work are offered nothing."""

from sqlalchemy import select

from core.extensions import db
from models import Draw
from support.followup_factory import FakeClock, add_draw


def test_the_draw_page_leads_from_the_draw_to_the_tasks_to_their_assignment(app, login_as, users):
    app.config["CLOCK"] = FakeClock()
    with app.app_context():
        draw_id = add_draw(db.session, {"440802": 4})
        campaign_id = db.session.scalar(select(Draw.campaign_id).where(Draw.id == draw_id))
    client = login_as("coordinator")
    page = client.get(f"/campaigns/draws/{draw_id}").get_data(as_text=True)
    assert "有 4 个抽中样本尚无任务" in page and f'action="/followup/draws/{draw_id}/generate"' in page
    assert "有 4 个抽中样本尚无任务" in client.get(f"/campaigns/{campaign_id}").get_data(as_text=True)
    made = client.post(f"/followup/draws/{draw_id}/generate", data={})
    assert f"campaign={campaign_id}" in made.location
    page = client.get(f"/campaigns/draws/{draw_id}").get_data(as_text=True)
    assert "县级任务池中有 4 个待办任务" in page and 'data-testid="next-assign"' in page
    client.post(f"/followup/assignment?campaign={campaign_id}", data={
        "to_caller": str(users["caller"]), "scope": "all", "expected": "4"})
    assert "均已生成并分派" in client.get(f"/campaigns/draws/{draw_id}").get_data(as_text=True)
    client.post("/logout")
    assert 'data-testid="next-step"' not in login_as("manager").get(f"/campaigns/draws/{draw_id}").get_data(
        as_text=True)
