"""A campaign's team spans programs; each member can own follow-ups, and the team page says how many."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from caseflow.models import Campaign, CampaignMember, Convening, FollowUp, HarvestItem


def test_a_cross_program_team_and_the_follow_ups_each_member_owns(client, db, login_as, make_user, taxonomy, clock):
    clock.on(date(2026, 11, 2))
    me = login_as("organizer")
    housing_worker = make_user("caseworker", name="Hana Housing")
    food_worker = make_user("caseworker", name="Fred Food")
    campaign = Campaign(title="Heat and food", lead_id=me.id, created_by_id=me.id)
    db.session.add(campaign)
    db.session.commit()
    programs = taxonomy["programs"]
    for user, program in ((housing_worker, "housing"), (food_worker, "food")):
        added = client.post(
            f"/campaigns/{campaign.id}/team", data={"user_id": str(user.id), "program_id": str(programs[program].id)}
        )
        assert added.status_code == 302
    again = client.post(f"/campaigns/{campaign.id}/team", data={"user_id": str(food_worker.id)})
    assert again.status_code == 422 and "already on the team" in again.get_data(as_text=True)
    assert client.post(f"/campaigns/{campaign.id}/team", data={"user_id": "999999"}).status_code == 422

    yesterday = date(2026, 11, 1)
    db.session.add(
        FollowUp(campaign_id=campaign.id, description="Call the landlord", owner_id=food_worker.id, due_on=yesterday)
    )
    convening = Convening(title="Block meeting", held_on=yesterday - timedelta(days=5), campaign_id=campaign.id)
    db.session.add(convening)
    db.session.flush()
    from caseflow.convenings.services import to_follow_up

    item = HarvestItem(convening_id=convening.id, kind="internal_practice", takeaway="Share lists")
    db.session.add(item)
    db.session.flush()
    to_follow_up(me, item, {"owner_id": str(food_worker.id)})  # the convening's follow-up is the campaign's
    db.session.commit()

    page = client.get(f"/campaigns/{campaign.id}/team").get_data(as_text=True)
    assert "spans 2 programs: Food Pantry, Housing Assistance" in page
    assert (
        '<th scope="row">Fred Food</th><td>Food Pantry</td>\n    <td class="num">2</td><td class="num">1</td>' in page
    )
    assert client.post(f"/campaigns/{campaign.id}/team/{housing_worker.id}/remove").status_code == 302
    assert [m.user_id for m in db.session.scalars(select(CampaignMember))] == [food_worker.id]
    assert client.post(f"/campaigns/{campaign.id}/team/{housing_worker.id}/remove").status_code == 404


def test_directors_see_the_team_but_cannot_change_it(client, db, login_as, make_user):
    lead = make_user("organizer")
    campaign = Campaign(title="Heat", lead_id=lead.id, created_by_id=lead.id)
    db.session.add(campaign)
    db.session.commit()
    login_as("director")
    page = client.get(f"/campaigns/{campaign.id}/team")
    assert page.status_code == 200 and "Add a member" not in page.get_data(as_text=True)
    assert client.post(f"/campaigns/{campaign.id}/team", data={"user_id": str(lead.id)}).status_code == 403
