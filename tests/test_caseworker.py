"""The caseworker's side of the loop: what their concerns became, the follow-ups they own, finding
and fixing their own concerns, and the quick log's form."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from caseflow.models import AuditEvent, Concern, FollowUp, Notification
from caseflow.models.base import utcnow


@pytest.fixture
def promoted(db, login_as, make_concern, make_user):
    """A caseworker (logged in) whose five concerns became a campaign; another caseworker's
    concern with a narrative is evidence too."""
    from caseflow.patterns.services import promote_patterns

    me = login_as("caseworker")
    for i in range(5):
        make_concern(author=me, client_ref=f"r{i}", summary=f"MINE no heat {i}")
    other = make_user("caseworker")
    make_concern(author=other, client_ref="o1", summary="OTHER-SUMMARY boiler", narrative="OTHER-NARRATIVE")
    organizer = make_user("organizer")
    campaign = promote_patterns(organizer, ["tag:no-heat"], "Heat for every tenant")
    db.session.commit()
    return {"me": me, "other": other, "organizer": organizer, "campaign": campaign}


def _open(client, notification_id: int):
    return client.post(f"/inbox/{notification_id}/open")


def test_caseworker_opens_the_campaign_from_the_inbox_and_it_is_marked_read(client, promoted, db):
    me, campaign = promoted["me"], promoted["campaign"]
    note = db.session.scalar(select(Notification).where(Notification.user_id == me.id))
    assert note.link == f"/campaigns/{campaign.id}/about"
    inbox = client.get("/inbox").get_data(as_text=True)
    assert f'action="/inbox/{note.id}/open"' in inbox
    response = _open(client, note.id)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/campaigns/{campaign.id}/about")
    assert db.session.get(Notification, note.id).read_at is not None
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Heat for every tenant" in html and "Timeline" in html and "Actions and outcomes" in html
    # Aggregate evidence: six concerns in all, five of them mine and listed; nobody else's.
    assert re.search(r"<strong>6</strong> concerns logged by staff", html)
    assert "<strong>5</strong> of them are yours" in html and "MINE no heat 0" in html
    assert "OTHER-SUMMARY" not in html and "OTHER-NARRATIVE" not in html
    # The quick log's "What your concerns became" links there too.
    assert f'href="/campaigns/{campaign.id}/about"' in client.get("/log").get_data(as_text=True)
    # The workspace stays the organizers' and directors'.
    assert client.get(f"/campaigns/{campaign.id}").status_code == 403


def test_someone_elses_notification_cannot_be_opened(client, promoted, db):
    other_note = db.session.scalar(select(Notification).where(Notification.user_id == promoted["other"].id))
    assert _open(client, other_note.id).status_code == 404
    assert db.session.get(Notification, other_note.id).read_at is None


def test_old_links_to_the_workspace_open_the_read_only_page_for_caseworkers(client, promoted, db):
    me, campaign = promoted["me"], promoted["campaign"]
    old = Notification(user_id=me.id, kind="campaign", message="old", link=f"/campaigns/{campaign.id}", dedupe_key="x")
    db.session.add(old)
    db.session.commit()
    assert _open(client, old.id).headers["Location"].endswith(f"/campaigns/{campaign.id}/about")


def test_one_notification_per_campaign_per_day_however_many_moves(client, promoted, db):
    from caseflow.campaigns.services import move_step, set_status

    me, organizer, campaign = promoted["me"], promoted["organizer"], promoted["campaign"]
    for step in ("awareness", "vision", "learning", "vision"):
        move_step(organizer, campaign, step, f"to {step}", campaign.version)
    set_status(organizer, campaign, {"status": "paused"}, campaign.version)
    db.session.commit()
    rows = db.session.scalars(select(Notification).where(Notification.user_id == me.id)).all()
    assert len(rows) == 1
    assert rows[0].updates == 6 and rows[0].read_at is None
    assert "paused" in rows[0].message  # the latest news
    assert "6 updates that day" in client.get("/inbox").get_data(as_text=True)
    # Read, then another move the same day: the same row comes back as unread.
    _open(client, rows[0].id)
    move_step(organizer, campaign, "strategy", "on", campaign.version)
    db.session.commit()
    rows = db.session.scalars(select(Notification).where(Notification.user_id == me.id)).all()
    assert len(rows) == 1 and rows[0].read_at is None and rows[0].updates == 7


def test_follow_up_owner_opens_the_reminder_and_marks_it_done(app, client, promoted, db, make_user):
    from caseflow import jobs
    from caseflow.campaigns.services import add_follow_up
    from caseflow.dates import today

    me, organizer, campaign = promoted["me"], promoted["organizer"], promoted["campaign"]
    row = add_follow_up(
        organizer,
        campaign,
        {
            "description": "Call the inspector",
            "owner_id": str(me.id),
            "due_on": (today() - timedelta(days=2)).isoformat(),
        },
        campaign.version,
    )
    theirs = FollowUp(campaign_id=campaign.id, description="Not mine", owner_id=promoted["other"].id)
    db.session.add(theirs)
    db.session.commit()
    jobs.followup_reminders_work()
    db.session.commit()
    reminder = db.session.scalar(
        select(Notification).where(Notification.user_id == me.id, Notification.message.like("Overdue%"))
    )
    assert reminder.link == f"/follow-ups/{row.id}"
    response = _open(client, reminder.id)
    assert response.headers["Location"].endswith(f"/follow-ups/{row.id}")
    page = client.get(f"/follow-ups/{row.id}").get_data(as_text=True)
    assert "Call the inspector" in page and "Mark done" in page and "overdue" in page
    assert client.post(f"/follow-ups/{row.id}/done").status_code == 302
    done = db.session.get(FollowUp, row.id)
    assert done.done_at is not None and done.done_by_id == me.id
    assert db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "campaign.follow_up.done")
    )
    assert "Done " in client.get(f"/follow-ups/{row.id}").get_data(as_text=True)
    # Only their own: someone else's follow-up is not there for them, and stays open.
    assert client.get(f"/follow-ups/{theirs.id}").status_code == 404
    assert client.post(f"/follow-ups/{theirs.id}/done").status_code == 404
    assert db.session.get(FollowUp, theirs.id).done_at is None
    # The campaign page lists the follow-ups that are theirs.
    assert "Call the inspector" in client.get(f"/campaigns/{campaign.id}/about").get_data(as_text=True)


# --- Finding and fixing their own work ----------------------------------------------------------


def test_search_own_concerns_by_client_reference_hashed_never_stored(client, login_as, make_concern, make_user, db):
    me = login_as("caseworker")
    first = make_concern(author=me, client_ref="Case QZX", summary="MINE first visit")
    make_concern(author=me, client_ref="someone else", summary="MINE other client")
    make_concern(author=make_user("caseworker"), client_ref="case qzx", summary="THEIRS same client")
    page = client.post("/concerns/by-client", data={"client_ref": "  CASE   qZx "})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "MINE first visit" in html and f"/concerns/{first.id}" in html
    assert "MINE other client" not in html and "THEIRS same client" not in html  # own only
    assert "1 concern from this client" in html
    # The form comes back with what was typed, the reference is in no stored row or URL.
    assert 'value="  CASE   qZx "' in html
    for model in (Concern, AuditEvent):
        for row in db.session.scalars(select(model)):
            assert "qzx" not in repr(vars(row)).lower()  # letters no hash, key or time can hold
    empty = client.post("/concerns/by-client", data={"client_ref": ""})
    assert empty.status_code == 422 and 'id="client_ref-error"' in empty.get_data(as_text=True)


def test_concern_page_links_the_clients_earlier_concerns_own_only(client, login_as, make_concern, make_user):
    from caseflow.dates import today

    me = login_as("caseworker")
    day = today()
    older = make_concern(
        author=me, client_ref="c-9", summary="MINE older", occurred_on=(day - timedelta(days=40)).isoformat()
    )
    make_concern(
        author=make_user("caseworker"),
        client_ref="c-9",
        summary="THEIRS between",
        occurred_on=(day - timedelta(days=20)).isoformat(),
    )
    later = make_concern(author=me, client_ref="c-9", summary="MINE later", occurred_on=day.isoformat())
    html = client.get(f"/concerns/{later.id}").get_data(as_text=True)
    assert "earlier concerns that you logged" in html
    assert f'href="/concerns/{older.id}"' in html and "MINE older" in html
    assert "THEIRS between" not in html
    # The oldest has no earlier ones.
    assert "None." in client.get(f"/concerns/{older.id}").get_data(as_text=True)


def test_author_retracts_within_24_hours_with_a_reason_audited(client, login_as, make_concern, make_user, db):
    me = login_as("caseworker")
    concern = make_concern(author=me, summary="Logged for the wrong client")
    assert "Retract…" in client.get(f"/concerns/{concern.id}").get_data(as_text=True)
    missing = client.post(f"/concerns/{concern.id}/retract", data={"reason": ""})
    assert missing.status_code == 422 and 'id="reason-error"' in missing.get_data(as_text=True)
    assert db.session.get(Concern, concern.id).deleted_at is None
    assert client.post(f"/concerns/{concern.id}/retract", data={"reason": "Wrong client"}).status_code == 302
    row = db.session.get(Concern, concern.id)
    assert row.deleted_at is not None and row.deleted_reason == "Wrong client"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "concern.retract")).actor_id == me.id
    assert client.get(f"/concerns/{concern.id}").status_code == 404
    # The retracted concern left the pattern rollups in the same transaction.
    from caseflow.patterns.rollup import check

    assert check(db.session) == []
    # Someone else's concern cannot be retracted (it is not there for them).
    theirs = make_concern(author=make_user("caseworker"))
    assert client.post(f"/concerns/{theirs.id}/retract", data={"reason": "x"}).status_code == 404
    assert db.session.get(Concern, theirs.id).deleted_at is None


def test_after_24_hours_the_author_asks_a_director_who_deletes_or_declines(
    client, login_as, make_concern, make_user, db
):
    from caseflow.concerns.services import RETRACT_WINDOW
    from caseflow.models import ConcernDeletionRequest
    from tests.conftest import login

    me = login_as("caseworker")
    director = make_user("director")
    concern = make_concern(author=me, summary="Old concern")
    concern.created_at = utcnow() - RETRACT_WINDOW - timedelta(minutes=1)
    db.session.commit()
    page = client.get(f"/concerns/{concern.id}/retract").get_data(as_text=True)
    assert "Ask a director to delete it" in page and "Retract concern" not in page
    late = client.post(f"/concerns/{concern.id}/retract", data={"reason": "too late"})
    assert late.status_code == 422 and db.session.get(Concern, concern.id).deleted_at is None
    assert (
        client.post(f"/concerns/{concern.id}/request-deletion", data={"reason": "Duplicate of #1"}).status_code == 302
    )
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "concern.deletion_request"))
    again = client.post(f"/concerns/{concern.id}/request-deletion", data={"reason": "again"})
    assert again.status_code == 422
    note = db.session.scalar(select(Notification).where(Notification.user_id == director.id))
    assert note.kind == "deletion_request" and note.link == f"/concerns/{concern.id}/delete"

    client.post("/logout")
    login(client, director.email)
    opened = client.post(f"/inbox/{note.id}/open")
    delete_page = client.get(opened.headers["Location"]).get_data(as_text=True)
    assert "Duplicate of #1" in delete_page and "Decline: keep the concern" in delete_page
    assert client.post(f"/concerns/{concern.id}/deletion-request/decline").status_code == 302
    request_row = db.session.scalar(select(ConcernDeletionRequest))
    assert request_row.decision == "declined" and request_row.decided_by_id == director.id
    assert db.session.get(Concern, concern.id).deleted_at is None
    told = db.session.scalar(select(Notification).where(Notification.user_id == me.id))
    assert "declined" in told.message and told.link == f"/concerns/{concern.id}"
    # Asked again, a director deletes: the request is settled with the deletion.
    client.post("/logout")
    login(client, me.email)
    client.post(f"/concerns/{concern.id}/request-deletion", data={"reason": "Really a duplicate"})
    client.post("/logout")
    login(client, director.email)
    assert client.post(f"/concerns/{concern.id}/delete", data={"reason": "Duplicate"}).status_code == 302
    settled = db.session.scalars(select(ConcernDeletionRequest).order_by(ConcernDeletionRequest.id)).all()
    assert [r.decision for r in settled] == ["declined", "deleted"]


# --- Quick log ----------------------------------------------------------------------------------


def test_an_unknown_tag_gets_did_you_mean_at_the_field(client, login_as, taxonomy):
    login_as("caseworker")
    response = client.post("/log", data={"program": "housing", "tag_text": "mould", "summary": "Damp walls"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    errors = re.search(r'<ul class="field-errors" id="tag_text-error">(.*?)</ul>', html, re.S).group(1)
    assert "Unknown tag: mould." in errors and "Did you mean “Mold” (for “mould”)?" in errors
    assert 'value="Damp walls"' in html  # what was typed comes back
    # Half-typed: names that contain it.
    from caseflow.concerns.services import closest_tags

    assert closest_tags("heat") == ["No heat"]
    assert closest_tags("benefts delayed") == ["Benefits delayed"]
    assert closest_tags("zzzz") == []


def test_every_required_field_is_marked_visibly_and_for_assistive_tech(client, login_as, taxonomy):
    login_as("caseworker")
    html = client.get("/log").get_data(as_text=True)
    for field_id in ("program", "summary"):
        tag = re.search(rf'<(?:input|select)[^>]*\bid="{field_id}"[^>]*>', html).group(0)
        assert re.search(r"\srequired\b", tag), tag
        label_to_input = re.search(
            rf'<label for="{field_id}">[^<]*</label> <span class="req">\(required\)</span>', html
        )
        assert label_to_input, field_id
    tags = re.search(r'<input[^>]*\bid="tag_text"[^>]*>', html).group(0)
    assert 'aria-required="true"' in tags
    assert re.search(r'<label for="tag_text">Tags</label> <span class="req">\(required\)</span>', html)
    # The optional ones are not marked.
    assert not re.search(r'<label for="client_ref">[^<]*</label> <span class="req">', html)


def test_the_details_section_stays_open_for_the_caseworker_who_last_used_it(client, login_as, make_user, taxonomy, db):
    from tests.conftest import login

    def details_open() -> bool:
        return bool(re.search(r'<details class="more"\s+open>', client.get("/log").get_data(as_text=True)))

    me = login_as("caseworker")
    assert not details_open()
    base = {"program": "housing", "tags": "no-heat", "summary": "Cold flat"}
    assert client.post("/log", data=base | {"zip": "11226"}).status_code == 302
    assert details_open()
    assert client.post("/log", data=base).status_code == 302  # used again without details: closed
    assert not details_open()
    client.post("/log", data=base | {"client_root_cause": "The landlord"})
    assert details_open()
    # Per person: another caseworker's form starts closed.
    client.post("/logout")
    other = make_user("caseworker")
    login(client, other.email)
    assert not details_open()
    client.post("/logout")
    login(client, me.email)
    assert details_open()


def test_what_my_concerns_became_speaks_the_caseworkers_language(client, promoted, db):
    """The quick log names a campaign's step and status in the reader's words, not as stored codes."""
    me, campaign = promoted["me"], promoted["campaign"]
    campaign.status = "paused"
    me.locale = "es"
    db.session.commit()
    became = client.get("/log").get_data(as_text=True).split("Heat for every tenant", 1)[1].split("</li>", 1)[0]
    assert "Aprendizaje" in became and "(en pausa)" in became
    assert "Learning" not in became and "paused" not in became
