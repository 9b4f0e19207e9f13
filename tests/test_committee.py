"""The standing advisory committee: terms, quorum, recorded votes, and its authority when
governance is on (patterns become campaigns only by its vote)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from caseflow.committee import services
from caseflow.errors import ValidationFailed
from caseflow.models import Campaign, CommitteeDecision, CommitteeMeeting, CommitteeVote, PatternState, Person


def _person(db, name: str) -> Person:
    person = Person(name=name, channel="in_person", source="organizer", consent_on=date(2026, 1, 5))
    db.session.add(person)
    db.session.commit()
    return person


@pytest.fixture
def committee(db, make_user):
    """Five sitting members (three community, two staff) and one whose term ended."""
    secretary = make_user("organizer")
    people = [_person(db, n) for n in ("Ana", "Ben", "Cy", "Old Timer")]
    staff = [make_user("caseworker", name="Dee Staff"), make_user("director", name="Eli Director")]
    start = {"term_start": "2026-01-01"}
    members = [services.add_member(secretary, {"person_id": p.id, **start}) for p in people[:3]]
    members += [services.add_member(secretary, {"user_id": u.id, **start}) for u in staff]
    gone = services.add_member(
        secretary, {"person_id": people[3].id, "term_start": "2025-01-01", "term_end": "2025-12-31"}
    )
    db.session.commit()
    return {"secretary": secretary, "members": members, "gone": gone}


def _meeting(db, actor, present) -> CommitteeMeeting:
    meeting = services.create_meeting(actor, {"held_on": "2026-10-14", "minutes": "Opened at six."})
    services.update_meeting(actor, meeting, "Opened at six.", {m.id for m in present}, meeting.version)
    db.session.commit()
    return meeting


def test_quorum_is_a_majority_of_sitting_members_with_a_community_member(db, committee):
    actor, (ana, ben, cy, dee, eli) = committee["secretary"], committee["members"]
    assert services.quorum(_meeting(db, actor, [ana, ben, cy])).met  # 3 of 5, community present
    two = services.quorum(_meeting(db, actor, [ana, dee]))
    assert not two.met and two.needed == 3 and "no quorum" in two.words
    assert services.quorum(_meeting(db, actor, [dee, eli, ana])).met  # one community member suffices
    # Someone whose term is over cannot be present.
    meeting = services.create_meeting(actor, {"held_on": "2026-10-20"})
    db.session.flush()
    with pytest.raises(ValidationFailed, match="present"):
        services.update_meeting(actor, meeting, "", {committee["gone"].id}, meeting.version)  # term over
    db.session.rollback()


def test_a_staff_majority_without_community_members_has_no_quorum(db, committee, make_user):
    actor, (_ana, _ben, cy, dee, eli) = committee["secretary"], committee["members"]
    frank = services.add_member(actor, {"user_id": make_user("organizer").id, "term_start": "2026-01-01"})
    db.session.commit()
    q = services.quorum(_meeting(db, actor, [dee, eli, frank, cy]))
    assert q.met and q.sitting == 6 and q.needed == 4
    q = services.quorum(_meeting(db, actor, [dee, eli, frank]))
    assert not q.met and q.community_present == 0


def test_votes_decide_by_majority_only_with_quorum(db, committee):
    actor, (ana, ben, cy, dee, eli) = committee["secretary"], committee["members"]
    decision = services.propose(actor, {"kind": "general", "title": "Meet monthly"})
    thin = _meeting(db, actor, [ana, dee])
    with pytest.raises(ValidationFailed, match="No quorum"):
        services.decide(actor, decision, thin, {ana.id: "for", dee.id: "for"})
    db.session.rollback()
    full = _meeting(db, actor, [ana, ben, cy, dee])
    with pytest.raises(ValidationFailed, match="Only members present"):
        services.decide(actor, decision, full, {eli.id: "for", ana.id: "for", ben.id: "for"})
    db.session.rollback()
    with pytest.raises(ValidationFailed, match="Not enough votes"):
        services.decide(actor, decision, full, {ana.id: "for", ben.id: "for"})  # 2 of 5 voted
    db.session.rollback()
    services.decide(actor, decision, full, {ana.id: "for", ben.id: "against", cy.id: "abstain", dee.id: "against"})
    db.session.commit()
    assert db.session.get(CommitteeDecision, decision.id).status == "rejected"  # 1 for, 2 against
    assert {(v.member_id, v.vote) for v in db.session.scalars(select(CommitteeVote))} == {
        (ana.id, "for"),
        (ben.id, "against"),
        (cy.id, "abstain"),
        (dee.id, "against"),
    }


def test_with_governance_on_a_pattern_becomes_a_campaign_only_by_vote(
    client, db, committee, make_concern, login_as, token_for
):
    actor, (ana, ben, cy, dee, _eli) = committee["secretary"], committee["members"]
    services.set_governance(actor, True)
    db.session.commit()
    for i in range(6):
        make_concern(client_ref=f"client-{i}")
    me = login_as("organizer")

    # The old way is closed: the form and the API both say what it waits for.
    refused = client.post("/patterns/promote", data={"keys": ["tag:no-heat"], "title": "Heat now", "confirmed": "1"})
    assert refused.status_code == 422 and "propose it to the committee" in refused.get_data(as_text=True)
    api = client.post(
        "/api/v1/campaigns", json={"title": "Heat now", "pattern_keys": ["tag:no-heat"]}, headers=token_for(user=me)
    )
    assert api.status_code == 409 and "committee" in api.get_json()["errors"]["pattern_keys"][0]
    page = client.get("/patterns/promote?keys=tag:no-heat&title=Heat").get_data(as_text=True)
    assert "Propose to the committee" in page and "waits for its vote" in page

    proposed = client.post(
        "/committee/proposals",
        data={"kind": "promote", "keys": ["tag:no-heat"], "title": "Heat now", "issue_statement": "No heat"},
    )
    assert proposed.status_code == 302
    decision = db.session.scalar(select(CommitteeDecision))
    assert decision.status == "waiting" and decision.pattern_keys == ["tag:no-heat"]
    blocked = client.post("/patterns/promote", data={"keys": ["tag:no-heat"], "title": "Heat now", "confirmed": "1"})
    assert f"vote on proposal #{decision.id}" in blocked.get_data(as_text=True)
    assert db.session.scalar(select(Campaign)) is None

    meeting = _meeting(db, actor, [ana, ben, cy, dee])
    voted = client.post(
        f"/committee/meetings/{meeting.id}/proposals/{decision.id}/vote",
        data={f"vote-{ana.id}": "for", f"vote-{ben.id}": "for", f"vote-{cy.id}": "for", f"vote-{dee.id}": "against"},
    )
    assert voted.status_code == 302
    campaign = db.session.scalar(select(Campaign))
    assert campaign.title == "Heat now" and campaign.pattern_keys == ["tag:no-heat"]
    assert db.session.get(PatternState, "tag:no-heat").state == "promoted"
    assert db.session.get(CommitteeDecision, decision.id).campaign_id == campaign.id
    again = client.post(
        f"/committee/meetings/{meeting.id}/proposals/{decision.id}/vote", data={f"vote-{ana.id}": "for"}
    )
    assert again.status_code == 422 and "already decided" in again.get_data(as_text=True)


def test_governance_off_promotes_directly_and_directors_switch_it(client, db, make_concern, login_as):
    for i in range(6):
        make_concern(client_ref=f"client-{i}")
    login_as("organizer")
    assert client.post("/committee/governance", data={"on": "1"}).status_code == 403
    assert (
        client.post(
            "/patterns/promote", data={"keys": ["tag:no-heat"], "title": "Heat now", "confirmed": "1"}
        ).status_code
        == 302
    )
    client.post("/logout")
    login_as("director")
    assert client.post("/committee/governance", data={"on": "1"}).status_code == 302
    assert "Governance is <strong>on</strong>" in client.get("/committee/").get_data(as_text=True)


def test_committee_membership_is_the_top_rung_of_the_ladder(db, committee):
    from caseflow.people.ladder import ladders

    ana = committee["members"][0]
    rungs = ladders([ana.person_id])[ana.person_id]
    assert rungs.committee == date(2026, 1, 1) and rungs.highest == "committee"


def test_the_committee_votes_over_the_api_with_quorum_enforced(client, db, committee, make_concern, token_for):
    """A meeting with who was present, then the votes on a proposal: refused (422, nothing written)
    without quorum or from members not present; decided, a promotion becomes the campaign."""
    actor, (ana, ben, cy, dee, eli) = committee["secretary"], committee["members"]
    services.set_governance(actor, True)
    db.session.commit()
    for i in range(6):
        make_concern(client_ref=f"client-{i}")
    headers = token_for(user=actor)

    members = client.get("/api/v1/committee/members", headers=headers).get_json()["items"]
    seats = {m["id"]: (m["seat"], m["sitting"]) for m in members}
    assert seats[ana.id] == ("community", True) and seats[dee.id] == ("staff", True)
    assert seats[committee["gone"].id] == ("community", False)
    assert not {"name", "phone"} & set(members[0])  # a community member is an id, never their contact

    bad = client.post("/api/v1/committee/meetings", json={"held_on": "2026-13-01", "present": ["x"]}, headers=headers)
    assert bad.status_code == 422 and set(bad.get_json()["errors"]) == {"present"}
    gone = client.post(
        "/api/v1/committee/meetings", json={"held_on": "2026-10-14", "present": [committee["gone"].id]}, headers=headers
    )
    assert gone.status_code == 422 and "present" in gone.get_json()["errors"]
    assert db.session.scalar(select(CommitteeMeeting)) is None  # nothing written
    thin = client.post(
        "/api/v1/committee/meetings", json={"held_on": "2026-10-14", "present": [ana.id, dee.id]}, headers=headers
    ).get_json()
    assert thin["quorum"] == {"sitting": 5, "present": 2, "needed": 3, "community_present": 1, "met": False}
    full = client.post(
        "/api/v1/committee/meetings",
        json={"held_on": "2026-10-21", "minutes": "Heat.", "present": [ana.id, ben.id, cy.id, dee.id]},
        headers=headers,
    ).get_json()
    assert full["quorum"]["met"] and full["present"] == sorted([ana.id, ben.id, cy.id, dee.id])

    proposal = client.post(
        "/api/v1/committee/proposals",
        json={"kind": "promote", "pattern_keys": ["tag:no-heat"], "title": "Heat now"},
        headers=headers,
    ).get_json()
    url = f"/api/v1/committee/decisions/{proposal['id']}/votes"

    def refused(body, field):
        response = client.post(url, json=body, headers=headers)
        assert response.status_code == 422 and field in response.get_json()["errors"], response.get_json()
        assert db.session.scalar(select(CommitteeVote)) is None and db.session.scalar(select(Campaign)) is None

    refused({"meeting_id": full["id"], "votes": [{"member_id": ana.id, "vote": "maybe"}]}, "votes")
    refused({"meeting_id": "1", "votes": []}, "meeting_id")
    refused({"meeting_id": 999999, "votes": []}, "meeting_id")
    refused(
        {
            "meeting_id": thin["id"],
            "votes": [{"member_id": ana.id, "vote": "for"}, {"member_id": dee.id, "vote": "for"}],
        },
        "meeting_id",
    )
    refused({"meeting_id": full["id"], "votes": [{"member_id": eli.id, "vote": "for"}]}, "votes")  # not present
    refused(
        {
            "meeting_id": full["id"],
            "votes": [{"member_id": ana.id, "vote": "for"}, {"member_id": ben.id, "vote": "for"}],
        },
        "votes",
    )  # 2 of 5
    refused(
        {
            "meeting_id": full["id"],
            "votes": [{"member_id": ana.id, "vote": "for"}, {"member_id": ana.id, "vote": "against"}],
        },
        "votes",
    )
    # A proposal is blocked until voted: the pattern is no campaign yet.
    assert (
        client.get(f"/api/v1/committee/decisions/{proposal['id']}", headers=headers).get_json()["status"] == "waiting"
    )

    votes = [
        {"member_id": ana.id, "vote": "for"},
        {"member_id": ben.id, "vote": "for"},
        {"member_id": cy.id, "vote": "abstain"},
        {"member_id": dee.id, "vote": "against"},
    ]
    decided = client.post(url, json={"meeting_id": full["id"], "votes": votes}, headers=headers)
    assert decided.status_code == 200, decided.get_json()
    body = decided.get_json()
    assert body["status"] == "approved" and body["votes"] == {"for": 2, "against": 1, "abstain": 1}
    assert body["meeting_id"] == full["id"] and body["votes_cast"] == sorted(votes, key=lambda v: v["member_id"])
    campaign = db.session.scalar(select(Campaign))
    assert body["campaign_id"] == campaign.id and campaign.pattern_keys == ["tag:no-heat"]
    again = client.post(url, json={"meeting_id": full["id"], "votes": votes}, headers=headers)
    assert again.status_code == 422 and "already decided" in str(again.get_json()["errors"])

    # Directors read the committee; only organizers record it.
    director = token_for("director")
    assert client.get("/api/v1/committee/meetings", headers=director).status_code == 200
    assert client.post(url, json={"meeting_id": full["id"], "votes": votes}, headers=director).status_code == 403
    assert client.get("/api/v1/committee/members", headers=token_for("caseworker")).status_code == 403
