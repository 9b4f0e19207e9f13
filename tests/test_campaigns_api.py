"""The campaign endpoints of INTERFACES.md: read, move between steps, log an action."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import func, select

from caseflow.models import Campaign, CampaignAction, CampaignEvidence, CampaignPattern, StepMove, User

ACTION = {
    "kind": "testimony",
    "occurred_on": "2026-02-10",
    "title": "Testimony at the council's housing committee",
    "staff_participants": 2,
    "constituent_participants": 9,
    "new_leaders": 3,
    "outcome": "Chair promised a hearing",
}


@pytest.fixture
def campaign(db, make_user, make_concern):
    concerns = [make_concern(zip="11226"), make_concern(zip="11226")]
    lead = make_user("organizer", email="lead@example.org")
    c = Campaign(title="Heat is a right", lead=lead)
    c.patterns = [CampaignPattern(pattern_key="tag:no-heat/zip:11226")]
    db.session.add(c)
    db.session.flush()
    for concern in concerns:
        db.session.add(CampaignEvidence(campaign_id=c.id, concern_id=concern.id))
    db.session.commit()
    return c


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("role", ["organizer", "director"])
def test_get_campaign(client, token_for, campaign, role):
    response = client.get(f"/api/v1/campaigns/{campaign.id}", headers=token_for(role))
    assert response.status_code == 200
    data = response.get_json()
    assert data["id"] == campaign.id and data["step"] == "learning" and data["status"] == "active"
    assert data["version"] == 1 and data["evidence_count"] == 2
    assert data["pattern_keys"] == ["tag:no-heat/zip:11226"] and data["lead"] == "lead@example.org"


@pytest.mark.parametrize("role", ["caseworker", "admin"])
def test_other_roles_get_403(client, token_for, campaign, role):
    headers = token_for(role)
    assert client.get(f"/api/v1/campaigns/{campaign.id}", headers=headers).status_code == 403
    move = {"step": "awareness", "note": "x", "version": 1}
    assert client.post(f"/api/v1/campaigns/{campaign.id}/step", json=move, headers=headers).status_code == 403
    assert client.post(f"/api/v1/campaigns/{campaign.id}/actions", json=ACTION, headers=headers).status_code == 403


def test_director_reads_but_cannot_move_or_log(client, token_for, campaign, db):
    headers = token_for("director")
    move = {"step": "awareness", "note": "x", "version": 1}
    assert client.post(f"/api/v1/campaigns/{campaign.id}/step", json=move, headers=headers).status_code == 403
    assert client.post(f"/api/v1/campaigns/{campaign.id}/actions", json=ACTION, headers=headers).status_code == 403
    assert count(db, StepMove) == 0 and count(db, CampaignAction) == 0


def test_missing_token_401_and_unknown_campaign_404(client, token_for, campaign):
    assert client.get(f"/api/v1/campaigns/{campaign.id}").status_code == 401
    headers = token_for("organizer")
    missing = client.get("/api/v1/campaigns/424242", headers=headers)
    assert missing.status_code == 404 and "errors" in missing.get_json()
    move = {"step": "awareness", "note": "x", "version": 1}
    assert client.post("/api/v1/campaigns/424242/step", json=move, headers=headers).status_code == 404


def test_move_step_forwards_and_back(client, token_for, campaign, db):
    headers = token_for("organizer")
    url = f"/api/v1/campaigns/{campaign.id}/step"
    forward = client.post(url, json={"step": "reflection", "note": "Time to take stock", "version": 1}, headers=headers)
    assert forward.status_code == 200
    data = forward.get_json()
    assert data["step"] == "reflection" and data["version"] == 2
    back = client.post(url, json={"step": "strategy", "note": "Wrong target", "version": 2}, headers=headers)
    assert back.status_code == 200
    moves = back.get_json()["moves"]
    assert [(m["from_step"], m["to_step"], m["note"]) for m in moves] == [
        ("reflection", "strategy", "Wrong target"),
        ("learning", "reflection", "Time to take stock"),
    ]


def test_stale_version_is_409_and_changes_nothing(client, token_for, campaign, db):
    headers = token_for("organizer")
    url = f"/api/v1/campaigns/{campaign.id}/step"
    assert client.post(url, json={"step": "vision", "note": "First", "version": 1}, headers=headers).status_code == 200
    stale = client.post(url, json={"step": "action", "note": "Second", "version": 1}, headers=headers)
    assert stale.status_code == 409 and "version" in stale.get_json()["errors"]
    assert db.session.get(Campaign, campaign.id).step == "vision" and count(db, StepMove) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"step": "nowhere", "note": "x", "version": 1}, "step"),
        ({"step": 3, "note": "x", "version": 1}, "step"),
        ({"step": "learning", "note": "x", "version": 1}, "step"),
        ({"step": "vision", "note": "", "version": 1}, "note"),
        ({"step": "vision", "note": ["x"], "version": 1}, "note"),
        ({"step": "vision", "note": "nul\x00", "version": 1}, "note"),
        ({"step": "vision", "note": "x"}, "version"),
        ({"step": "vision", "note": "x", "version": "1"}, "version"),
        ({"step": "vision", "note": "x", "version": True}, "version"),
    ],
)
def test_bad_moves_are_422_at_the_field(client, token_for, campaign, db, body, field):
    response = client.post(f"/api/v1/campaigns/{campaign.id}/step", json=body, headers=token_for("organizer"))
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]
    assert count(db, StepMove) == 0


def test_malformed_json_is_400(client, token_for, campaign):
    headers = token_for("organizer") | {"Content-Type": "application/json"}
    assert client.post(f"/api/v1/campaigns/{campaign.id}/step", data="[1,", headers=headers).status_code == 400
    assert client.post(f"/api/v1/campaigns/{campaign.id}/actions", json=[ACTION], headers=headers).status_code == 400


def test_advisory_gate_applies_to_the_api(app, client, token_for, campaign, db):
    headers = token_for("organizer")
    url = f"/api/v1/campaigns/{campaign.id}/step"
    app.config["ADVISORY_GATE"] = True
    try:
        refused = client.post(url, json={"step": "strategy", "note": "Plan", "version": 1}, headers=headers)
        assert refused.status_code == 409
        assert "advisory committee" in refused.get_json()["errors"]["step"][0]
        from tests.test_campaigns import committee_votes

        committee_votes(db.session.get(User, campaign.lead_id), campaign, "strategy")
        db.session.commit()
        assert (
            client.post(url, json={"step": "strategy", "note": "Plan", "version": 1}, headers=headers).status_code
            == 200
        )
    finally:
        app.config["ADVISORY_GATE"] = False
    assert client.post(url, json={"step": "action", "note": "Go", "version": 2}, headers=headers).status_code == 200


def test_closed_campaign_refuses_changes(client, token_for, campaign, db):
    campaign.status = "lost"
    db.session.commit()
    headers = token_for("organizer")
    move = client.post(
        f"/api/v1/campaigns/{campaign.id}/step", json={"step": "vision", "note": "x", "version": 2}, headers=headers
    )
    assert move.status_code == 409 and "read-only" in move.get_json()["errors"]["status"][0]
    action = client.post(f"/api/v1/campaigns/{campaign.id}/actions", json=ACTION, headers=headers)
    assert action.status_code == 409
    assert count(db, CampaignAction) == 0


def test_log_action(client, token_for, campaign, db):
    response = client.post(f"/api/v1/campaigns/{campaign.id}/actions", json=ACTION, headers=token_for("organizer"))
    assert response.status_code == 201
    data = response.get_json()
    # new_leaders is read-only: counted from who came (the ladder), the 3 sent are ignored.
    assert data["id"] and data["kind"] == "testimony" and data["new_leaders"] == 0 and data["campaign_version"] == 2
    stored = db.session.get(CampaignAction, data["id"])
    assert stored.constituent_participants == 9 and stored.outcome == "Chair promised a hearing"
    assert db.session.get(Campaign, campaign.id).version == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "picnic"}, "kind"),
        ({"kind": None}, "kind"),
        ({"occurred_on": "2026-13-01"}, "occurred_on"),
        ({"occurred_on": "1999-12-31"}, "occurred_on"),
        ({"occurred_on": "2999-01-01"}, "occurred_on"),
        ({"occurred_on": 20260101}, "occurred_on"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "a\x00b"}, "title"),
        ({"staff_participants": -1}, "staff_participants"),
        ({"staff_participants": 100000}, "staff_participants"),
        ({"staff_participants": "3"}, "staff_participants"),
        ({"staff_participants": 2.5}, "staff_participants"),
        ({"constituent_participants": True}, "constituent_participants"),
        ({"outcome": 42}, "outcome"),
        ({"version": 99}, "version"),
    ],
)
def test_bad_actions_are_refused_and_nothing_is_written(client, token_for, campaign, db, change, field):
    response = client.post(
        f"/api/v1/campaigns/{campaign.id}/actions", json=ACTION | change, headers=token_for("organizer")
    )
    assert response.status_code in (409, 422)
    assert field in response.get_json()["errors"]
    assert count(db, CampaignAction) == 0 and db.session.get(Campaign, campaign.id).version == 1


def test_campaign_endpoints_are_documented(client):
    doc = client.get("/api/openapi.json").get_json()
    assert {"get"} <= set(doc["paths"]["/api/v1/campaigns/{campaign_id}"])
    assert "409" in doc["paths"]["/api/v1/campaigns/{campaign_id}/step"]["post"]["responses"]
    assert "201" in doc["paths"]["/api/v1/campaigns/{campaign_id}/actions"]["post"]["responses"]


# --- Generated requests against a campaign that exists ------------------------------------------

CHECKS = (not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance)


@pytest.fixture
def campaign_api_schema(app, db, taxonomy, token_for, make_user):
    user = make_user("organizer", "director")
    c = Campaign(title="Fuzzed campaign", lead=user)
    db.session.add(c)
    db.session.commit()
    pytest.campaign_api = {"headers": token_for(user=user), "id": c.id, "n": 0}
    return schemathesis.from_wsgi("/api/openapi.json", app)


campaign_schema = schemathesis.from_pytest_fixture("campaign_api_schema", endpoint="^/api/v1/campaigns/")


@campaign_schema.parametrize()
@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
def test_campaign_api_conforms_with_a_real_campaign(case, db):
    state = pytest.campaign_api
    case.path_parameters = {"campaign_id": state["id"]}
    state["n"] += 1
    if isinstance(case.body, dict) and state["n"] % 2:
        # Half the bodies carry the current version, so successful writes are exercised too.
        db.session.expire_all()
        case.body["version"] = db.session.get(Campaign, state["id"]).version
    response = case.call_wsgi(headers=state["headers"])
    case.validate_response(response, checks=CHECKS)
    assert response.status_code < 500
