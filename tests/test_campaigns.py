"""Campaigns: the six-step workspace, moves in both directions, the advisory gate, optimistic
locking, statuses and read-only closed campaigns, evidence with suppression, and who may do what."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select, text

from caseflow.campaigns import services
from caseflow.dates import today
from caseflow.errors import StaleVersion, ValidationFailed
from caseflow.extensions import db as _db
from caseflow.models import (
    STEPS,
    AdvisoryDecision,
    AuditEvent,
    Campaign,
    CampaignAction,
    CampaignEvidence,
    CampaignLearning,
    CampaignMeasure,
    CampaignStrategy,
    CampaignVision,
    FollowUp,
    Measure,
    PowerActor,
    ReflectionReview,
    StepMove,
)


@pytest.fixture
def organizer(make_user):
    return make_user("organizer", name="Olu Organizer")


@pytest.fixture
def campaign(db, organizer):
    c = Campaign(title="Heat is a right", issue_statement="No heat in Flatbush", lead=organizer)
    db.session.add(c)
    db.session.commit()
    return c


@pytest.fixture
def gate(app):
    """Turn the advisory gate on for one test."""
    before = app.config["ADVISORY_GATE"]
    app.config["ADVISORY_GATE"] = True
    try:
        yield
    finally:
        app.config["ADVISORY_GATE"] = before


def fresh(db, campaign) -> Campaign:
    db.session.expire_all()
    return db.session.get(Campaign, campaign.id)


def form(prefix: str, version: int, **fields) -> dict:
    data = {f"{prefix}-{k}": v for k, v in fields.items()}
    data[f"{prefix}-version"] = str(version)
    return data


def html(response) -> str:
    return response.get_data(as_text=True)


# --- Moves: forwards, backwards, history -------------------------------------------------------


def test_moves_go_both_ways_and_are_kept_as_history(db, campaign, organizer):
    services.move_step(organizer, campaign, "awareness", "Power map time", campaign.version)
    services.move_step(
        organizer, campaign, "strategy", "Skipping ahead: vision drafted at the convening", campaign.version
    )
    services.move_step(organizer, campaign, "learning", "Data on who is affected was wrong", campaign.version)
    db.session.commit()
    campaign = fresh(db, campaign)
    assert campaign.step == "learning"
    moves = services.history(campaign)
    assert [(m.from_step, m.to_step) for m in moves] == [
        ("strategy", "learning"),
        ("awareness", "strategy"),
        ("learning", "awareness"),
    ]
    assert moves[0].note == "Data on who is affected was wrong" and moves[0].author_id == organizer.id
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "campaign.step")).all()
    assert len(events) == 3
    assert all("note" not in e.details and "wrong" not in repr(e.details) for e in events)


@pytest.mark.parametrize(
    ("step", "note", "field", "message"),
    [
        ("nowhere", "x", "step", "Choose one of the six steps"),
        ("", "x", "step", "Choose one."),
        ("awareness", "   ", "note", "This is required."),
        ("awareness", "a\x00b", "note", "NUL"),
        ("awareness", "x" * 2001, "note", "at most 2,000"),
        ("learning", "x", "step", "already in Learning"),
    ],
)
def test_a_move_needs_a_real_step_and_a_note(db, campaign, organizer, step, note, field, message):
    with pytest.raises(ValidationFailed) as info:
        services.move_step(organizer, campaign, step, note, campaign.version)
    assert message in " ".join(info.value.errors[field])
    db.session.rollback()
    assert fresh(db, campaign).step == "learning" and not db.session.scalar(select(func.count()).select_from(StepMove))


def test_move_on_the_web_shows_the_timeline(client, login_as, campaign, db):
    login_as("organizer")
    page = client.get(f"/campaigns/{campaign.id}")
    assert page.status_code == 200 and "No moves yet" in html(page)
    response = client.post(
        f"/campaigns/{campaign.id}/move", data=form("move", 1, step="awareness", note="Ready to map power")
    )
    assert response.status_code == 302
    back = client.post(
        f"/campaigns/{campaign.id}/move", data=form("move", 2, step="learning", note="Need more evidence first")
    )
    assert back.status_code == 302
    page = html(client.get(f"/campaigns/{campaign.id}"))
    assert "Need more evidence first" in page and "looped back" in page and "Ready to map power" in page


def test_move_without_a_note_keeps_the_choice_and_says_why(client, login_as, campaign):
    login_as("organizer")
    response = client.post(f"/campaigns/{campaign.id}/move", data=form("move", 1, step="vision", note=""))
    assert response.status_code == 422
    body = html(response)
    assert 'id="move-note-error"' in body and "This is required." in body
    assert '<option selected value="vision">' in body or 'value="vision" selected' in body


# --- The advisory gate -------------------------------------------------------------------------


def test_gate_off_lets_strategy_and_action_in_freely(db, campaign, organizer, app):
    assert app.config["ADVISORY_GATE"] is False
    services.move_step(organizer, campaign, "strategy", "Go", campaign.version)
    services.move_step(organizer, campaign, "action", "Go", campaign.version)
    assert campaign.step == "action"


def committee_votes(organizer, campaign, step, vote="for"):
    """The standing committee (two community members, one staff) votes on entering `step`."""
    from caseflow.committee import services as committee
    from caseflow.models import CommitteeMember, Person

    db_members = list(_db.session.scalars(select(CommitteeMember)))
    if not db_members:
        start = (today() - timedelta(days=30)).isoformat()
        for name in ("Ana", "Ben"):
            person = Person(name=name, channel="phone", phone="718 555 0100", source="organizer", consent_on=today())
            _db.session.add(person)
            _db.session.flush()
            db_members.append(committee.add_member(organizer, {"person_id": person.id, "term_start": start}))
        db_members.append(committee.add_member(organizer, {"user_id": organizer.id, "term_start": start}))
    meeting = committee.create_meeting(organizer, {"held_on": today().isoformat()})
    committee.update_meeting(organizer, meeting, "", {m.id for m in db_members}, meeting.version)
    proposal = committee.propose(organizer, {"kind": "enter_step", "campaign_id": campaign.id, "for_step": step})
    committee.decide(organizer, proposal, meeting, {m.id: vote for m in db_members})
    return proposal


def test_gate_on_needs_the_committees_vote_for_that_step(db, campaign, organizer, gate):
    with pytest.raises(services.AdvisoryApprovalRequired) as info:
        services.move_step(organizer, campaign, "strategy", "Ready", campaign.version)
    assert info.value.status == 409 and info.value.field == "step"
    assert "Entering Strategy needs the advisory committee's approval" in info.value.message
    db.session.rollback()
    campaign = fresh(db, campaign)
    # A proposal that waits says so, with its number.
    from caseflow.committee import services as committee

    waiting = committee.propose(organizer, {"kind": "enter_step", "campaign_id": campaign.id, "for_step": "strategy"})
    with pytest.raises(services.AdvisoryApprovalRequired, match=f"vote on proposal #{waiting.id}"):
        services.move_step(organizer, campaign, "strategy", "Ready", campaign.version)
    db.session.rollback()
    campaign = fresh(db, campaign)
    committee_votes(organizer, campaign, "strategy")
    services.move_step(organizer, campaign, "strategy", "Committee approved", campaign.version)
    db.session.commit()
    # Approval for strategy is not approval for action.
    with pytest.raises(services.AdvisoryApprovalRequired):
        services.move_step(organizer, campaign, "action", "Go", campaign.version)
    db.session.rollback()
    campaign = fresh(db, campaign)
    assert campaign.step == "strategy"
    # A later "no" withdraws the approval.
    services.move_step(organizer, campaign, "vision", "Rewrite the vision", campaign.version)
    committee_votes(organizer, campaign, "strategy", vote="against")
    with pytest.raises(services.AdvisoryApprovalRequired):
        services.move_step(organizer, campaign, "strategy", "Again", campaign.version)


def test_gate_on_web_says_so_at_the_field(client, login_as, campaign, db, gate):
    login_as("organizer")
    response = client.post(f"/campaigns/{campaign.id}/move", data=form("move", 1, step="strategy", note="Let's plan"))
    assert response.status_code == 409
    body = html(response)
    assert 'id="move-step-error"' in body and "needs the advisory committee&#39;s approval" in body
    assert "Let&#39;s plan" in body or "Let's plan" in body  # the note the user typed is kept
    assert fresh(db, campaign).step == "learning"


# --- Each step's forms: valid and invalid ------------------------------------------------------

STEP_FORMS = [
    (
        "learning",
        "learning",
        "learning",
        {"problem_statement": "Landlords ignore heat complaints", "root_causes": "Weak code enforcement"},
        {"problem_statement": "", "root_causes": "kept text"},
        ("problem_statement", "This is required."),
        lambda db: db.session.get(CampaignLearning, 1).problem_statement == "Landlords ignore heat complaints",
    ),
    (
        "awareness",
        "actors",
        "actor",
        {
            "name": "Housing commissioner",
            "kind": "target",
            "influence": "5",
            "position": "-1",
            "notes": "Up for re-election",
        },
        {"name": "Council member", "kind": "boss", "influence": "9", "position": "-3"},
        ("kind", "Choose target, ally, opponent or neutral."),
        lambda db: db.session.scalar(select(PowerActor.name)) == "Housing commissioner",
    ),
    (
        "vision",
        "vision",
        "vision",
        {"statement": "Every home warm", "co_authors": "Tenant committee", "constituent_co_authors": "6"},
        {"statement": "Every home warm", "constituent_co_authors": "lots"},
        ("constituent_co_authors", "Use a whole number from 0 to 9,999."),
        lambda db: db.session.get(CampaignVision, 1).constituent_co_authors == 6,
    ),
    (
        "strategy",
        "strategy",
        "strategy",
        {"goal_short": "Inspections within 48 hours", "demands": "A heat hotline", "q_levers": "The budget hearing"},
        {"goal_short": "", "demands": "kept text"},
        ("goal_short", "Write at least one goal"),
        lambda db: db.session.get(CampaignStrategy, 1).q_levers == "The budget hearing",
    ),
    (
        "strategy",
        "measures",
        "measure",
        {"measure_id": "1", "baseline": "21", "baseline_on": "2026-01-01", "target": "2", "target_on": "2027-01-01"},
        {"measure_id": "1", "baseline": "three weeks"},
        ("baseline", "Use a number, like 45 or 12.5."),
        lambda db: db.session.scalar(select(CampaignMeasure.baseline)) == 21.0,
    ),
    (
        "action",
        "actions",
        "action",
        {
            "kind": "convening",
            "occurred_on": "2026-01-15",
            "title": "Tenant convening",
            "staff_participants": "3",
            "constituent_participants": "28",
            "takeaways": "Form building committees",
        },
        {
            "kind": "party",
            "occurred_on": "2026-01-15",
            "title": "Tenant convening",
            "constituent_participants": "lots",
        },
        ("constituent_participants", "whole number"),
        lambda db: db.session.scalar(select(CampaignAction.constituent_participants)) == 28,
    ),
    (
        "reflection",
        "reviews",
        "review",
        {
            "period_start": "2026-01-01",
            "period_end": "2026-03-31",
            "against_goals": "Inspections faster in one ZIP",
            "learned": "Tenants' testimony moved the council",
            "decision": "continue",
        },
        {
            "period_start": "2026-03-31",
            "period_end": "2026-01-01",
            "against_goals": "x",
            "learned": "y",
            "decision": "continue",
        },
        ("period_end", "The period must end on or after its start."),
        lambda db: db.session.scalar(select(ReflectionReview.decision)) == "continue",
    ),
]


@pytest.mark.parametrize(("page", "path", "prefix", "valid", "invalid", "error", "stored"), STEP_FORMS)
def test_step_forms_valid_and_invalid(
    client, login_as, campaign, db, page, path, prefix, valid, invalid, error, stored
):
    login_as("organizer")
    if path == "measures":  # a campaign picks its measures from the organisation's library
        db.session.add(Measure(name="Days from heat complaint to inspection", unit="days"))
        db.session.commit()
    get = client.get(f"/campaigns/{campaign.id}/{page}")
    assert get.status_code == 200 and f'name="{prefix}-version"' in html(get)

    bad = client.post(f"/campaigns/{campaign.id}/{path}", data=form(prefix, 1, **invalid))
    assert bad.status_code == 422
    body = html(bad)
    field, message = error
    assert f'id="{prefix}-{field}-error"' in body and message in body
    for value in invalid.values():
        if len(value) > 3 and value not in ("party", "boss"):  # select fields show only their choices
            assert value in body  # what the user typed is still there
    assert fresh(db, campaign).version == 1

    good = client.post(f"/campaigns/{campaign.id}/{path}", data=form(prefix, 1, **valid))
    assert good.status_code == 302, html(good)
    assert good.headers["Location"].startswith(f"/campaigns/{campaign.id}/{page}")
    assert stored(db)
    assert fresh(db, campaign).version == 2  # every child edit moves the campaign's version
    assert client.get(f"/campaigns/{campaign.id}/{page}").status_code == 200


def test_step_tabs_show_what_is_filled_and_missing(client, login_as, campaign, organizer, db):
    services.save_artifact(organizer, campaign, "learning", {"problem_statement": "No heat"}, 1)
    db.session.commit()
    login_as("organizer")
    body = html(client.get(f"/campaigns/{campaign.id}/learning"))
    assert "Partly filled" in body and "Still missing:</strong> who is affected, root causes" in body
    states = services.step_states(fresh(db, campaign))
    assert states["learning"].state == "partial" and states["awareness"].state == "empty"


def test_power_map_is_drawn_with_a_table_beside_it(client, login_as, campaign, organizer, db):
    services.add_actor(
        organizer, campaign, {"name": "Mayor's office", "kind": "target", "influence": 5, "position": -1}, 1
    )
    services.add_actor(organizer, campaign, {"name": "Tenant union", "kind": "ally", "influence": 3, "position": 2}, 2)
    db.session.commit()
    login_as("director")
    body = html(client.get(f"/campaigns/{campaign.id}/awareness"))
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-power"' in body
    assert "<caption>Actors on the power map</caption>" in body and "Tenant union" in body
    assert "Add to the map" not in body and "Remove" not in body  # a director reads only


def test_remove_actor(client, login_as, campaign, organizer, db):
    actor = services.add_actor(
        organizer, campaign, {"name": "Landlord", "kind": "opponent", "influence": 4, "position": -2}, 1
    )
    db.session.commit()
    login_as("organizer")
    actor_id = actor.id
    gone = client.post(f"/campaigns/{campaign.id}/actors/{actor_id}/delete", data={"version": "2"})
    assert gone.status_code == 302 and db.session.get(PowerActor, actor_id) is None


# --- Actions and follow-ups --------------------------------------------------------------------


def test_follow_ups_have_an_owner_a_due_date_and_get_done(client, login_as, campaign, organizer, make_user, db):
    caseworker = make_user("caseworker", name="Carmen")
    admin_only = make_user("admin")
    action = services.log_action(
        organizer, campaign, {"kind": "convening", "occurred_on": today().isoformat(), "title": "Convening"}, 1
    )
    db.session.commit()
    login_as("organizer")
    page = html(client.get(f"/campaigns/{campaign.id}/action"))
    assert f'<option value="{caseworker.id}">Carmen</option>' in page and admin_only.email not in page

    bad = client.post(
        f"/campaigns/{campaign.id}/follow-ups",
        data=form("follow_up", 2, description="Call the inspector", owner_id=str(admin_only.id), due_on="soon"),
    )
    assert bad.status_code == 422
    body = html(bad)
    assert (
        "Choose someone on the staff." in body
        and "Use a date like 2026-03-31." in body
        and "Call the inspector" in body
    )

    overdue = (today() - timedelta(days=3)).isoformat()
    ok = client.post(
        f"/campaigns/{campaign.id}/follow-ups",
        data=form(
            "follow_up",
            2,
            description="Call the inspector",
            owner_id=str(caseworker.id),
            due_on=overdue,
            action_id=str(action.id),
        ),
    )
    assert ok.status_code == 302
    item = db.session.scalar(select(FollowUp))
    assert item.owner_id == caseworker.id and item.action_id == action.id
    board = html(client.get("/campaigns"))
    assert overdue in board and "overdue" in board

    done = client.post(f"/campaigns/{campaign.id}/follow-ups/{item.id}/done", data={"version": "3"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(FollowUp, item.id).done_at is not None
    again = client.post(f"/campaigns/{campaign.id}/follow-ups/{item.id}/done", data={"version": "4"})
    assert again.status_code == 422 and "already done" in html(again)


# --- Reflection decisions ----------------------------------------------------------------------

REVIEW = {
    "period_start": "2026-01-01",
    "period_end": "2026-03-31",
    "against_goals": "Inspections did not get faster",
    "learned": "The target was wrong: the agency, not the council, sets inspection times",
}


def test_reflection_can_send_the_campaign_back_to_strategy(db, campaign, organizer):
    campaign.step = "reflection"
    db.session.commit()
    with pytest.raises(ValidationFailed) as info:
        services.add_review(organizer, campaign, REVIEW | {"decision": "revisit"}, campaign.version)
    assert set(info.value.errors) == {"revisit_step", "decision_note"}
    db.session.rollback()
    campaign = fresh(db, campaign)
    services.add_review(
        organizer,
        campaign,
        REVIEW | {"decision": "revisit", "revisit_step": "strategy", "decision_note": "Retarget the agency"},
        campaign.version,
    )
    db.session.commit()
    campaign = fresh(db, campaign)
    assert campaign.step == "strategy"
    move = services.history(campaign)[0]
    assert (move.from_step, move.to_step, move.note) == ("reflection", "strategy", "Retarget the agency")


def test_reflection_revisit_respects_the_gate(db, campaign, organizer, gate):
    campaign.step = "reflection"
    db.session.commit()
    with pytest.raises(services.AdvisoryApprovalRequired):
        services.add_review(
            organizer,
            campaign,
            REVIEW | {"decision": "revisit", "revisit_step": "strategy", "decision_note": "x"},
            campaign.version,
        )
    db.session.rollback()
    assert not db.session.scalar(select(func.count()).select_from(ReflectionReview))


def test_closing_as_won_from_a_review_makes_the_campaign_read_only(client, login_as, campaign, db):
    login_as("organizer")
    response = client.post(
        f"/campaigns/{campaign.id}/reviews",
        data=form(
            "review", 1, **REVIEW, decision="close", close_as="won", decision_note="The agency adopted the 48-hour rule"
        ),
    )
    assert response.status_code == 302
    campaign = fresh(db, campaign)
    assert campaign.status == "won" and campaign.closing_summary == "The agency adopted the 48-hour rule"
    page = html(client.get(f"/campaigns/{campaign.id}/learning"))
    assert "read-only" in page and "Save issue analysis" not in page

    version = campaign.version
    refused = client.post(
        f"/campaigns/{campaign.id}/learning", data=form("learning", version, problem_statement="Sneaky edit")
    )
    assert refused.status_code == 409 and "read-only; nothing was changed" in html(refused)
    refused = client.post(f"/campaigns/{campaign.id}/move", data=form("move", version, step="action", note="x"))
    assert refused.status_code == 409
    assert db.session.get(CampaignLearning, campaign.id) is None and fresh(db, campaign).step == "learning"

    reopened = client.post(f"/campaigns/{campaign.id}/status", data=form("status", version, status="active"))
    assert reopened.status_code == 302 and fresh(db, campaign).status == "active"


def test_status_changes_need_a_closing_summary_to_close(client, login_as, campaign, db):
    login_as("organizer")
    bad = client.post(f"/campaigns/{campaign.id}/status", data=form("status", 1, status="lost", closing_summary=""))
    assert bad.status_code == 422 and 'id="status-closing_summary-error"' in html(bad)
    same = client.post(f"/campaigns/{campaign.id}/status", data=form("status", 1, status="active"))
    assert same.status_code == 422 and "already active" in html(same)
    paused = client.post(f"/campaigns/{campaign.id}/status", data=form("status", 1, status="paused"))
    assert paused.status_code == 302 and fresh(db, campaign).status == "paused"
    lost = client.post(
        f"/campaigns/{campaign.id}/status", data=form("status", 2, status="lost", closing_summary="Council voted no")
    )
    assert lost.status_code == 302
    campaign = fresh(db, campaign)
    assert campaign.status == "lost" and campaign.is_closed and campaign.closing_summary == "Council voted no"
    actions = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions.count("campaign.status") == 2


def test_hooks_hear_step_moves_and_status_changes(app, db, campaign, organizer):
    heard = []
    hooks = app.extensions.setdefault(services.HOOKS_KEY, [])

    def hook(event, campaign, **details):
        heard.append((event, campaign.id, details.get("to_step") or details.get("to_status")))

    hooks.append(hook)
    try:
        services.move_step(organizer, campaign, "vision", "On to the vision", campaign.version)
        services.set_status(organizer, campaign, {"status": "paused"}, campaign.version)
    finally:
        hooks.remove(hook)
    assert heard == [("step_moved", campaign.id, "vision"), ("status_changed", campaign.id, "paused")]


# --- Optimistic locking ------------------------------------------------------------------------


def test_two_organizers_edit_at_once_one_wins_and_nothing_is_lost(app, db, campaign, make_user):
    from tests.conftest import login

    first, second = make_user("organizer"), make_user("organizer")
    alice, bob = app.test_client(), app.test_client()
    login(alice, first.email)
    login(bob, second.email)
    # Both open the learning page at version 1.
    for c in (alice, bob):
        assert 'name="learning-version" type="hidden" value="1"' in html(c.get(f"/campaigns/{campaign.id}/learning"))
    won = alice.post(
        f"/campaigns/{campaign.id}/learning", data=form("learning", 1, problem_statement="Alice's analysis")
    )
    assert won.status_code == 302
    lost = bob.post(
        f"/campaigns/{campaign.id}/learning",
        data=form("learning", 1, problem_statement="Bob's analysis", root_causes="Bob's root causes"),
    )
    assert lost.status_code == 409
    body = html(lost)
    assert "Not saved: someone else changed this campaign" in body
    assert "Bob&#39;s analysis" in body and "Bob&#39;s root causes" in body  # Bob's typing survives in the form
    assert 'name="learning-version" type="hidden" value="2"' in body  # saving again is a deliberate overwrite
    assert db.session.get(CampaignLearning, campaign.id).problem_statement == "Alice's analysis"
    # A child edit conflicts with a step move too: the whole campaign has one version.
    stale = bob.post(f"/campaigns/{campaign.id}/move", data=form("move", 1, step="awareness", note="Go"))
    assert stale.status_code == 409 and fresh(db, campaign).step == "learning"


def test_a_save_that_races_past_the_check_still_conflicts(db, campaign, organizer):
    """Two requests both pass the version check; the second's UPDATE finds the version moved."""
    db.session.execute(text("UPDATE campaigns SET version = version + 1 WHERE id = :id"), {"id": campaign.id})
    # The in-memory campaign still says version 1, so the check passes; the flush must not.
    with pytest.raises(StaleVersion):
        services.save_artifact(organizer, campaign, "learning", {"problem_statement": "Late"}, 1)
    db.session.rollback()
    assert db.session.get(CampaignLearning, campaign.id) is None


# --- Who may do what ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["caseworker", "admin"])
def test_caseworkers_and_admins_cannot_see_campaigns(client, login_as, campaign, role):
    login_as(role)
    for path in ("/campaigns", f"/campaigns/{campaign.id}", f"/campaigns/{campaign.id}/learning"):
        assert client.get(path).status_code == 403, path
    assert (
        client.post(f"/campaigns/{campaign.id}/move", data=form("move", 1, step="vision", note="x")).status_code == 403
    )


def test_directors_read_everything_and_change_nothing(client, login_as, campaign, db):
    login_as("director")
    assert client.get("/campaigns").status_code == 200
    for page in ("", "/learning", "/awareness", "/vision", "/strategy", "/action", "/reflection"):
        response = client.get(f"/campaigns/{campaign.id}{page}")
        assert response.status_code == 200, page
        assert 'method="post" action="/campaigns/' not in html(response), page
    posts = {
        "move": form("move", 1, step="vision", note="x"),
        "status": form("status", 1, status="paused"),
        "learning": form("learning", 1, problem_statement="x"),
        "actions": form("action", 1, kind="rally", occurred_on="2026-01-01", title="x"),
    }
    for path, data in posts.items():
        assert client.post(f"/campaigns/{campaign.id}/{path}", data=data).status_code == 403, path
    assert fresh(db, campaign).version == 1


def test_unknown_step_or_campaign_is_404(client, login_as, campaign):
    login_as("organizer")
    assert client.get(f"/campaigns/{campaign.id}/nowhere").status_code == 404
    assert client.get("/campaigns/99999").status_code == 404
    assert client.post("/campaigns/99999/move", data=form("move", 1, step="vision", note="x")).status_code == 404


# --- The board ---------------------------------------------------------------------------------


def test_board_groups_by_step_without_a_query_per_campaign(client, login_as, db, organizer, make_concern, app):
    concerns = [make_concern() for _ in range(3)]
    titles = []
    for n, step in enumerate(["learning", "strategy", "action", "action"]):
        c = Campaign(title=f"Campaign {n}", lead=organizer, step=step)
        db.session.add(c)
        db.session.flush()
        titles.append(c.title)
        for concern in concerns[: n + 1]:
            db.session.add(CampaignEvidence(campaign_id=c.id, concern_id=concern.id))
    db.session.add(Campaign(title="The won one", lead=organizer, step="reflection", status="won"))
    db.session.commit()
    login_as("organizer")

    statements = []

    def count(*args, **kwargs):
        statements.append(args[2])

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        body = html(client.get("/campaigns"))
        few = len(statements)
        for n in range(6):
            db.session.add(Campaign(title=f"More {n}", lead=organizer, step="vision"))
        db.session.commit()
        statements.clear()
        client.get("/campaigns")
        many = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert few == many  # no query per campaign
    columns = re.findall(r'<section class="board-step[^"]*" aria-labelledby="col-(\w+)">(.*?)</section>', body, re.S)
    by_step = {step: chunk for step, chunk in columns}
    assert (
        "Campaign 0" in by_step["learning"] and "Campaign 2" in by_step["action"] and "Campaign 3" in by_step["action"]
    )
    assert "3 concerns" in by_step["action"] and "1 concern<" in by_step["learning"]
    assert "The won one" not in "".join(by_step.values()) and "Closed campaigns" in body and "The won one" in body


# --- Learning: evidence with suppression and consented voices -----------------------------------


def test_learning_evidence_is_disaggregated_with_suppression(client, login_as, db, campaign, make_concern):
    made = []
    for n in range(12):
        made.append(make_concern(race_ethnicity=["black"], client_ref=f"client-{n}"))
    for n in range(3):
        made.append(make_concern(race_ethnicity=["white"], client_ref=f"w-{n}"))
    made.append(
        make_concern(
            race_ethnicity=["black"],
            client_root_cause="The landlord waits us out",
            story_consent=True,
            client_importance=5,
        )
    )
    made.append(make_concern(race_ethnicity=["black"], client_root_cause="Secret words, no consent"))
    gone = make_concern(race_ethnicity=["asian"])
    for c in made + [gone]:
        db.session.add(CampaignEvidence(campaign_id=campaign.id, concern_id=c.id))
    db.session.commit()
    from caseflow.concerns.services import delete_concern

    delete_concern(gone.author, gone, "entered twice")
    db.session.commit()

    from caseflow.equity.policy import Audience, Disclosure

    exact = dict(services.evidence(campaign, disclosure=Disclosure(Audience.RECORD, 11)).race)
    assert exact["White"].display() == "3" and exact["Black, African American, or African"].display() == "14"
    ev = services.evidence(campaign, disclosure=Disclosure(Audience.AGGREGATE, 11))
    assert ev.total == 17 and ev.distinct_clients == 15
    cells = dict(ev.race)
    assert cells["White"].suppressed and cells["Black, African American, or African"].suppressed  # complementary
    assert cells["Asian or Asian American"].display() == "0"  # the deleted concern does not count
    assert sum(n for _, n in ev.months) == 17
    assert [v["text"] for v in ev.views] == ["The landlord waits us out"]

    login_as("organizer")
    body = html(client.get(f"/campaigns/{campaign.id}/learning"))
    race_table = body.split("Linked concerns by self-reported race and ethnicity")[1].split("</table>")[0]
    shown = [int(n) for n in re.findall(r'<td class="num">([\d,]+)</td>', race_table)]
    # An organizer has record access: exact counts, marked internal.
    assert 14 in shown and 3 in shown and "&lt;11" not in race_table and "Internal" in body
    assert "The landlord waits us out" in body and "Secret words" not in body
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-bar"' in body


def test_evidence_counts_are_one_grouped_query(db, campaign, organizer, make_concern):
    other = Campaign(title="Other", lead=organizer)
    db.session.add(other)
    db.session.flush()
    for concern in [make_concern() for _ in range(2)]:
        db.session.add(CampaignEvidence(campaign_id=campaign.id, concern_id=concern.id))
    db.session.commit()
    assert services.evidence_counts([campaign.id, other.id]) == {campaign.id: 2}
    assert services.evidence_counts([]) == {}


# --- Demo --------------------------------------------------------------------------------------


def test_demo_campaigns_fill_all_six_steps(client, db, app):
    from caseflow.accounts.services import create_user
    from caseflow.campaigns.demo import seed_campaigns
    from caseflow.concerns.demo import seed_concerns
    from caseflow.demo import DEMO_PASSWORD, USERS, seed_taxonomy
    from tests.conftest import login

    programs, tags = seed_taxonomy(db.session)
    users = [create_user(None, email, roles, DEMO_PASSWORD, name) for email, name, roles in USERS]
    seed_concerns(users, programs, tags, 600)
    campaigns = seed_campaigns(users, programs, tags)
    db.session.commit()
    assert len(campaigns) == 4
    by_title = {c.title: c for c in campaigns}
    heat = by_title["Heat is a right: Flatbush winter repairs"]
    assert all(state.state != "empty" for state in services.step_states(heat).values() if state.step != "reflection")
    counts = services.evidence_counts([c.id for c in campaigns])
    assert counts.get(heat.id, 0) > 0 and counts.get(by_title["Benefits without the wait"].id, 0) > 0
    benefits = by_title["Benefits without the wait"]
    assert (services.history(benefits)[0].from_step, benefits.step) == ("reflection", "strategy")
    assert by_title["Pay what's owed: Sunset Park warehouse wage theft"].status == "won"
    assert any(f.is_overdue(today()) for f in services.follow_ups(heat))
    assert db.session.scalar(select(func.count()).select_from(AdvisoryDecision)) >= 3
    kinds = {s.step for c in campaigns for s in services.step_states(c).values() if s.state != "empty"}
    assert kinds == set(STEPS)

    organizer = next(u for u in users if u.has_role("organizer"))
    login(client, organizer.email, DEMO_PASSWORD)
    assert client.get("/campaigns").status_code == 200
    for c in campaigns:
        for page in ("", "/learning", "/awareness", "/vision", "/strategy", "/action", "/reflection"):
            response = client.get(f"/campaigns/{c.id}{page}")
            assert response.status_code == 200, (c.title, page)
            body = html(response)
            assert "style=" not in body and "<script>" not in body
            ids = re.findall(r' id="([^"]+)"', body)
            assert len(ids) == len(set(ids)), (c.title, page, sorted({i for i in ids if ids.count(i) > 1}))
