"""Attendance, the leadership ladder read from it, and convenings whose harvest becomes work."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from caseflow.extensions import db as db_
from caseflow.models import Attendance, Campaign, CampaignAction, Convening, HarvestItem, Person, Tag
from caseflow.people import ladder
from tests.conftest import login


def _person(db, name: str, language: str = "English") -> Person:
    from caseflow.dates import today

    person = Person(
        name=name, phone="718 555 0000", channel="phone", source="organizer", consent_on=today(), language=language
    )
    db.session.add(person)
    db.session.commit()
    return person


def _campaign(db, lead, title="Heat for every tenant") -> Campaign:
    campaign = Campaign(title=title, lead_id=lead.id, created_by_id=lead.id)
    db.session.add(campaign)
    db.session.commit()
    return campaign


def _action(db, campaign, on: date, title="Tenant meeting") -> CampaignAction:
    action = CampaignAction(campaign_id=campaign.id, kind="meeting", occurred_on=on, title=title)
    db.session.add(action)
    db.session.commit()
    return action


def test_attendance_page_records_who_came_and_the_ladder_has_dates(client, db, login_as, make_user):
    me = login_as("organizer")
    staff = make_user("caseworker", name="Dana Caseworker")
    ana, ben, cy = (_person(db, n) for n in ("Ana", "Ben", "Cy"))
    campaign = _campaign(db, me)
    first = _action(db, campaign, date(2026, 9, 1), "First meeting")
    second = _action(db, campaign, date(2026, 10, 1), "City council testimony")

    page = client.get(f"/people/attendance/action/{first.id}")
    assert page.status_code == 200 and "Ana" in page.get_data(as_text=True)
    saved = client.post(
        f"/people/attendance/action/{first.id}",
        data={
            f"person-{ana.id}": "attended",
            f"person-{ben.id}": "spoke",
            f"person-{cy.id}": "",
            "staff": [str(staff.id)],
        },
    )
    assert saved.status_code == 302
    client.post(
        f"/people/attendance/action/{second.id}", data={f"person-{ana.id}": "led", f"person-{ben.id}": "attended"}
    )

    rungs = ladder.ladders()
    assert rungs[ana.id].attended == date(2026, 9, 1) and rungs[ana.id].spoke == date(2026, 10, 1)
    assert rungs[ana.id].led == date(2026, 10, 1) and rungs[ana.id].highest == "led"
    assert rungs[ben.id].spoke == date(2026, 9, 1) and rungs[ben.id].led is None
    assert cy.id not in rungs
    came = db.session.scalars(select(Attendance).where(Attendance.action_id == first.id)).all()
    assert {(a.person_id, a.user_id, a.role) for a in came} == {
        (ana.id, None, "attended"),
        (ben.id, None, "spoke"),
        (None, staff.id, "attended"),
    }
    detail = client.get(f"/people/{ana.id}").get_data(as_text=True)
    assert "Led an action: 2026-10-01" in detail and "Attended: 2026-09-01" in detail

    bad = client.post(f"/people/attendance/action/{first.id}", data={f"person-{ana.id}": "sang"})
    assert bad.status_code == 422 and "Unknown status" in bad.get_data(as_text=True)
    assert (
        db.session.scalar(
            select(Attendance.role).where(Attendance.person_id == ana.id, Attendance.action_id == first.id)
        )
        == "attended"
    )


def test_new_leaders_are_people_stepping_up_for_the_first_time(db, make_user):
    lead = make_user("organizer")
    heat, wages = _campaign(db, lead), _campaign(db, lead, "Wages paid on time")
    people = [_person(db, f"P{i}") for i in range(4)]
    early = _action(db, wages, date(2026, 8, 1))
    a1 = _action(db, heat, date(2026, 9, 1))
    a2 = _action(db, heat, date(2026, 10, 1))
    ladder.set_attendance(lead, {people[0].id: "spoke"}, [], action=early)  # stepped up before, elsewhere
    ladder.set_attendance(lead, {p.id: "spoke" for p in people[:2]} | {people[2].id: "attended"}, [], action=a1)
    ladder.set_attendance(lead, {people[1].id: "led", people[2].id: "spoke", people[3].id: "attended"}, [], action=a2)
    db.session.commit()

    assert ladder.new_leaders_by_campaign([heat.id, wages.id]) == {heat.id: 2, wages.id: 1}
    assert ladder.new_leaders_by_action([a1.id, a2.id, early.id]) == {a1.id: 1, a2.id: 1, early.id: 1}
    assert ladder.new_leaders_between(date(2026, 9, 1), date(2026, 12, 31)) == 2
    # The count is the ladder: everyone whose first "spoke" rung falls on this campaign's actions.
    rungs = ladder.ladders()
    firsts = {a1.occurred_on, a2.occurred_on}
    assert sum(1 for r in rungs.values() if r.spoke in firsts) == 2
    # The campaign shows the ladder's count: nothing typed is added to it.
    from caseflow.campaigns.services import participation

    assert participation(heat)["new_leaders"] == 2
    assert not hasattr(a1, "new_leaders")


def test_withdrawn_people_keep_their_anonymous_attendance(client, db, login_as):
    me = login_as("organizer")
    ana = _person(db, "Ana")
    convening = Convening(title="Summit", held_on=date(2026, 10, 5))
    db.session.add(convening)
    db.session.commit()
    client.post(f"/convenings/{convening.id}/attendance", data={f"person-{ana.id}": "spoke"})
    client.post(f"/people/{ana.id}/withdraw", data={"version": "1"})
    client.post(f"/convenings/{convening.id}/attendance", data={})  # saving again leaves the row alone
    assert ladder.counts(convening_ids=[convening.id])[convening.id] == (0, 1, 0)
    assert me.id


def test_a_summit_harvest_becomes_follow_ups_a_tag_and_a_campaign(client, db, login_as, make_user, taxonomy):
    me = login_as("organizer")
    owner = make_user("caseworker", name="Sam Owner")
    bad = client.post("/convenings/new", data={"title": "", "held_on": "2026-13-01", "agenda": "Welcome"})
    assert bad.status_code == 422 and "Welcome" in bad.get_data(as_text=True)
    made = client.post(
        "/convenings/new",
        data={"title": "DSS summit", "held_on": "2026-10-05", "place": "Library", "agenda": "1. Stories"},
    )
    assert made.status_code == 302
    convening = db.session.scalar(select(Convening))
    assert convening.campaign_id is None  # organisation-wide

    ana = _person(db, "Ana")
    client.post(f"/convenings/{convening.id}/attendance", data={f"person-{ana.id}": "signed_up"})
    client.post(
        f"/convenings/{convening.id}/attendance", data={f"person-{ana.id}": "attended", "staff": [str(owner.id)]}
    )
    assert ladder.counts(convening_ids=[convening.id])[convening.id] == (1, 1, 1)  # signed up, then came

    takeaways = [
        ("policy_change", "Caseworkers need overtime authority at DSS"),
        ("staff_training", "Train staff on the new benefits rules"),
        ("community_engagement", "Hold listening sessions in Spanish"),
        ("internal_practice", "Track denied applications by reason"),
        ("policy_change", "Benefits cliffs push families off aid"),
    ]
    for kind, text in takeaways:
        assert (
            client.post(f"/convenings/{convening.id}/harvest", data={"kind": kind, "takeaway": text}).status_code == 302
        )
    assert client.post(f"/convenings/{convening.id}/harvest", data={"kind": "", "takeaway": "x"}).status_code == 422
    items = db.session.scalars(select(HarvestItem).order_by(HarvestItem.id)).all()
    for item in items[:3]:
        done = client.post(
            f"/convenings/{convening.id}/harvest/{item.id}/follow-up",
            data={f"f{item.id}-owner_id": str(owner.id), f"f{item.id}-due_on": "2026-11-01"},
        )
        assert done.status_code == 302
    missing_owner = client.post(f"/convenings/{convening.id}/harvest/{items[3].id}/follow-up", data={})
    assert missing_owner.status_code == 422 and "Who will follow this up?" in missing_owner.get_data(as_text=True)
    client.post(
        f"/convenings/{convening.id}/harvest/{items[3].id}/tag",
        data={f"t{items[3].id}-name": "Application denied", f"t{items[3].id}-category": "Income & Benefits"},
    )
    client.post(
        f"/convenings/{convening.id}/harvest/{items[4].id}/campaign",
        data={f"c{items[4].id}-title": "End the benefits cliff"},
    )
    again = client.post(
        f"/convenings/{convening.id}/harvest/{items[4].id}/tag",
        data={f"t{items[4].id}-name": "X", f"t{items[4].id}-category": "Housing"},
    )
    assert again.status_code == 422 and "already became a campaign" in again.get_data(as_text=True)
    client.post(f"/convenings/{convening.id}/harvest/{items[0].id}/done")

    items = db.session.scalars(select(HarvestItem).order_by(HarvestItem.id)).all()
    assert [i.becomes for i in items] == ["follow_up"] * 3 + ["tag", "campaign"]
    assert db.session.scalar(select(Tag).where(Tag.slug == "application-denied")).category == "Income & Benefits"
    campaign = db.session.scalar(select(Campaign).where(Campaign.title == "End the benefits cliff"))
    assert campaign.issue_statement == "Benefits cliffs push families off aid" and campaign.lead_id == me.id

    report = client.get(f"/convenings/{convening.id}/report").get_data(as_text=True)
    assert "Policy change" in report and "End the benefits cliff" in report
    assert re.search(
        r"<th scope=\"row\">Policy change</th><td class=\"num\">2</td><td class=\"num\">1</td><td class=\"num\">1</td>",
        report,
    )
    assert "2 follow-ups open" in report
    pdf = client.get(f"/convenings/{convening.id}/report.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-1.4") and b"Ana" not in pdf.data


def test_directors_read_convenings_and_caseworkers_do_not(client, db, login_as):
    convening = Convening(title="Summit", held_on=date(2026, 10, 5))
    db.session.add(convening)
    db.session.commit()
    login_as("director")
    assert client.get(f"/convenings/{convening.id}").status_code == 200
    assert (
        client.post(f"/convenings/{convening.id}/harvest", data={"kind": "policy_change", "takeaway": "x"}).status_code
        == 403
    )
    page = client.get(f"/convenings/{convening.id}").get_data(as_text=True)
    assert "Add a takeaway" not in page
    client.post("/logout")
    login_as("caseworker")
    assert client.get("/convenings/").status_code == 403


def _login_again(client, user) -> None:
    """Days later: the idle session is over, log in anew."""
    client.post("/logout")
    assert login(client, user.email).status_code == 302


def _harvest_follow_up(client, convening, kind, text, owner, due):
    client.post(f"/convenings/{convening.id}/harvest", data={"kind": kind, "takeaway": text})
    item = db_.session.scalar(select(HarvestItem).where(HarvestItem.takeaway == text))
    made = client.post(
        f"/convenings/{convening.id}/harvest/{item.id}/follow-up",
        data={f"f{item.id}-owner_id": str(owner.id), f"f{item.id}-due_on": due},
    )
    assert made.status_code == 302
    return db_.session.get(HarvestItem, item.id)


def test_a_campaign_convenings_harvest_follow_ups_are_the_campaigns_follow_ups(
    app, client, db, login_as, make_user, clock
):
    from caseflow import jobs
    from caseflow.models import FollowUp, Notification

    clock.on(date(2026, 10, 10))
    me = login_as("organizer")
    owner = make_user("caseworker", name="Sam Owner")
    heat = _campaign(db, me)
    convening = Convening(title="Block meeting", held_on=date(2026, 10, 5), campaign_id=heat.id)
    db.session.add(convening)
    db.session.commit()
    item = _harvest_follow_up(client, convening, "policy_change", "Ask HPD for inspection data", owner, "2026-10-11")

    # In the campaign's follow-up list, from the convening, like any other.
    row = db.session.get(FollowUp, item.follow_up_id)
    assert (row.campaign_id, row.convening_id, row.owner_id) == (heat.id, convening.id, owner.id)
    page = client.get(f"/campaigns/{heat.id}/action").get_data(as_text=True)
    follow_ups = page[page.index('id="follow-ups"') :]
    assert "Ask HPD for inspection data" in follow_ups and "Block meeting" in follow_ups
    # Its owner hears it is theirs, and is reminded once it is overdue.
    assert db.session.scalar(select(Notification.link).where(Notification.user_id == owner.id)) == (
        f"/follow-ups/{row.id}"
    )
    clock.on(date(2026, 10, 12))
    _login_again(client, me)
    assert jobs.followup_reminders_work()["overdue"] == 1
    reminders = db.session.scalars(
        select(Notification.message).where(Notification.user_id == owner.id, Notification.message.like("Overdue%"))
    ).all()
    assert reminders == ["Overdue since 2026-10-11: Ask HPD for inspection data"]
    # Done on the campaign page, it is done on the convening's report too.
    version = db.session.get(Campaign, heat.id).version
    done = client.post(f"/campaigns/{heat.id}/follow-ups/{row.id}/done", data={"version": str(version)})
    assert done.status_code == 302 and "login" not in done.headers["Location"], done.headers
    report = client.get(f"/convenings/{convening.id}/report").get_data(as_text=True)
    assert "0 follow-ups open" in report and ">done<" in report


def test_an_organisation_wide_convenings_follow_ups_have_a_home_and_reminders(
    app, client, db, login_as, make_user, clock
):
    from caseflow import jobs
    from caseflow.models import FollowUp, Notification
    from caseflow.reflection.quarters import Quarter
    from caseflow.reflection.summary import build_summary

    clock.on(date(2026, 10, 10))
    me = login_as("organizer")
    owner = make_user("caseworker", name="Sam Owner")
    owner.locale = "es"  # the owner reads Spanish
    summit = Convening(title="DSS summit", held_on=date(2026, 10, 5))
    db.session.add(summit)
    db.session.commit()
    item = _harvest_follow_up(client, summit, "staff_training", "Train staff on recertification", owner, "2026-10-11")
    row = db.session.get(FollowUp, item.follow_up_id)
    assert (row.campaign_id, row.convening_id) == (None, summit.id)  # no campaign: the convening is its home
    told = db.session.scalar(select(Notification.message).where(Notification.user_id == owner.id))
    assert told == (
        "Un seguimiento del encuentro “DSS summit” le corresponde, con fecha límite 11 oct 2026: "
        "Train staff on recertification"
    )

    clock.on(date(2026, 10, 12))
    _login_again(client, me)
    assert jobs.followup_reminders_work()["notifications"] == 1
    assert "1 follow-up open, 1 overdue" in client.get(f"/convenings/{summit.id}/report").get_data(as_text=True)
    overdue = build_summary(Quarter.parse("2026-Q4"))["overdue_follow_ups"]
    assert overdue["items"] == [
        {
            "description": "Train staff on recertification",
            "due_on": "2026-10-11",
            "campaign": "DSS summit",
            "owner": "Sam Owner",
        }
    ]

    # The owner (a caseworker) opens it from the inbox and marks it done there.
    client.post("/logout")
    assert login(client, owner.email).status_code == 302
    links = db.session.scalars(select(Notification.link).where(Notification.user_id == owner.id)).all()
    assert set(links) == {f"/follow-ups/{row.id}"}
    page = client.get(f"/follow-ups/{row.id}")
    assert page.status_code == 200 and "DSS summit" in page.get_data(as_text=True)
    assert client.post(f"/follow-ups/{row.id}/done").status_code == 302
    assert db.session.get(FollowUp, row.id).done_at is not None
    assert jobs.followup_reminders_work()["overdue"] == 0


def test_the_campaign_page_and_the_api_count_new_leaders_from_who_came(client, db, login_as, token_for):
    me = login_as("organizer")
    campaign = _campaign(db, me)
    action = _action(db, campaign, date(2026, 9, 1), "Council testimony")
    ana, ben = _person(db, "Ana"), _person(db, "Ben")
    client.post(
        f"/people/attendance/action/{action.id}", data={f"person-{ana.id}": "spoke", f"person-{ben.id}": "attended"}
    )

    page = client.get(f"/campaigns/{campaign.id}/action").get_data(as_text=True)
    assert "<dt>New constituent leaders</dt><dd>1 " in page
    assert 'name="new_leaders"' not in page  # counted, not typed: the action form has no such field

    # The API keeps the field, read-only: a typed figure is ignored, the answer is the ladder's.
    body = {"kind": "testimony", "occurred_on": "2026-09-02", "title": "Second hearing", "new_leaders": 9}
    logged = client.post(f"/api/v1/campaigns/{campaign.id}/actions", json=body, headers=token_for(user=me))
    assert logged.status_code == 201 and logged.get_json()["new_leaders"] == 0
    assert "<dt>New constituent leaders</dt><dd>1 " in client.get(f"/campaigns/{campaign.id}/action").get_data(
        as_text=True
    )


def test_a_caseworker_sees_a_campaigns_new_leaders_as_the_policy_publishes_them(client, db, make_user):
    """New leaders are people: organizers and directors (record access) see the exact count, a
    caseworker following the campaign sees it through the disclosure policy ("<11" when small)."""
    lead = make_user("organizer")
    campaign = _campaign(db, lead)
    action = _action(db, campaign, date(2026, 9, 1), "Council testimony")
    ana, ben = _person(db, "Ana"), _person(db, "Ben")
    ladder.set_attendance(lead, {ana.id: "spoke", ben.id: "led"}, [], action=action)
    db.session.commit()

    caseworker = make_user("caseworker")
    assert login(client, caseworker.email).status_code == 302
    page = client.get(f"/campaigns/{campaign.id}/about").get_data(as_text=True)
    assert "&lt;11 new leaders" in page and " 2 new leaders" not in page
    client.post("/logout")
    assert login(client, make_user("director").email).status_code == 302
    assert " 2 new leaders" in client.get(f"/campaigns/{campaign.id}/about").get_data(as_text=True)
