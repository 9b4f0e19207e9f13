"""The API for people (organizer scope), attendance and the committee's decisions: contact only
with the dedicated permission, never a link to a concern, nothing written on a refused request."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from caseflow.models import Convening, Person, PersonConcern

PHONE = "347-555-0142"


def test_people_through_the_api(client, db, token_for, make_user, make_concern):
    organizer = make_user("organizer")
    headers = token_for(user=organizer)
    refused = client.post("/api/v1/people", json={"name": "Ana", "phone": PHONE}, headers=headers)
    assert refused.status_code == 422 and "consent" in refused.get_json()["errors"]
    assert db.session.scalar(select(func.count()).select_from(Person)) == 0

    made = client.post(
        "/api/v1/people", json={"consent": True, "name": "Ana", "phone": PHONE, "language": "Spanish"}, headers=headers
    )
    assert made.status_code == 201
    person = made.get_json()
    assert person["phone"] == PHONE and person["ladder"]["attended"] is None

    # Linked to a concern on the web: the API never says so.
    concern = make_concern(wants_involvement=True)
    db.session.add(PersonConcern(person_id=person["id"], concern_id=concern.id))
    db.session.commit()
    listing = client.get("/api/v1/people", headers=headers).get_data(as_text=True)
    assert "concern" not in listing.replace('"source":"organizer"', "")
    assert str(concern.id) not in client.get(f"/api/v1/people/{person['id']}", headers=headers).get_json().values()

    # Directors read people in pages, not through the API; caseworkers never.
    for role in ("director", "caseworker", "admin"):
        assert client.get("/api/v1/people", headers=token_for(role)).status_code == 403

    stale = client.post(f"/api/v1/people/{person['id']}/withdraw", json={"version": 99}, headers=headers)
    assert stale.status_code == 409 and db.session.get(Person, person["id"]).phone == PHONE
    done = client.post(f"/api/v1/people/{person['id']}/withdraw", json={"version": person["version"]}, headers=headers)
    assert done.status_code == 200 and done.get_json()["withdrawn"] and done.get_json()["phone"] is None
    assert db.session.scalar(select(PersonConcern)) is None
    assert client.get("/api/v1/people", headers=headers).get_json()["items"] == []


def test_contact_needs_the_dedicated_permission(app, client, db, token_for, make_user, monkeypatch):
    from caseflow.accounts import permissions

    organizer = make_user("organizer")
    headers = token_for(user=organizer)
    client.post("/api/v1/people", json={"consent": True, "name": "Ana", "phone": PHONE}, headers=headers)
    without = permissions.ROLE_PERMISSIONS["organizer"] - {"person.contact_api"}
    monkeypatch.setitem(permissions.ROLE_PERMISSIONS, "organizer", without)
    response = client.get("/api/v1/people", headers=headers)
    body = response.get_data(as_text=True)
    assert PHONE not in body and "Ana" not in body
    assert not {"name", "phone", "email", "address"} & set(response.get_json()["items"][0])


def test_attendance_through_the_api_feeds_the_ladder(client, db, token_for, make_user):
    organizer = make_user("organizer")
    headers = token_for(user=organizer)
    person = client.post(
        "/api/v1/people", json={"consent": True, "name": "Ben", "phone": PHONE}, headers=headers
    ).get_json()
    convening = Convening(title="Summit", held_on=date(2026, 10, 5))
    db.session.add(convening)
    db.session.commit()
    url = f"/api/v1/convenings/{convening.id}/attendance"
    bad = client.post(url, json={"people": [{"person_id": person["id"], "status": "sang"}]}, headers=headers)
    assert bad.status_code == 422
    ok = client.post(
        url, json={"people": [{"person_id": person["id"], "status": "spoke"}], "staff": [organizer.id]}, headers=headers
    )
    assert ok.status_code == 200 and ok.get_json()["people_came"] == 1 and ok.get_json()["staff"] == [organizer.id]
    assert client.get(url, headers=token_for("director")).get_json()["people"] == [
        {"person_id": person["id"], "status": "spoke"}
    ]
    ladder = client.get(f"/api/v1/people/{person['id']}", headers=headers).get_json()["ladder"]
    assert ladder["attended"] == ladder["spoke"] == "2026-10-05"


def test_committee_decisions_through_the_api(client, db, token_for, make_user):
    headers = token_for("organizer")
    bad = client.post(
        "/api/v1/committee/proposals", json={"kind": "promote", "pattern_keys": ["nope"]}, headers=headers
    )
    assert bad.status_code == 422 and set(bad.get_json()["errors"]) == {"pattern_keys", "title"}
    made = client.post(
        "/api/v1/committee/proposals",
        json={"kind": "promote", "pattern_keys": ["tag:no-heat"], "title": "Heat"},
        headers=headers,
    )
    assert made.status_code == 201 and made.get_json()["status"] == "waiting"
    listing = client.get("/api/v1/committee/decisions", headers=token_for("director")).get_json()
    assert listing["items"][0]["votes"] == {"for": 0, "against": 0, "abstain": 0}
    assert (
        client.post(
            "/api/v1/committee/proposals", json={"kind": "general", "title": "x"}, headers=token_for("director")
        ).status_code
        == 403
    )


def test_people_have_their_own_token_scopes_and_contact_its_own(client, db, make_user):
    """Organizer scope: `people:read` to read people, `people:write` to record them, and contact
    details only with the dedicated `people:contact` scope as well."""
    from caseflow.accounts.permissions import api_scopes
    from caseflow.accounts.services import create_token

    organizer = make_user("organizer")
    assert {"people:read", "people:write", "people:contact"} <= api_scopes(organizer.roles)
    assert not {"people:read", "people:contact"} & api_scopes(make_user("caseworker").roles)

    def bearer(*scopes):
        _, secret = create_token(None, organizer, "t", scopes=list(scopes))
        db.session.commit()
        return {"Authorization": f"Bearer {secret}"}

    body = {"consent": True, "name": "Ana", "phone": PHONE}
    assert client.post("/api/v1/people", json=body, headers=bearer("people:read")).status_code == 403
    made = client.post("/api/v1/people", json=body, headers=bearer("people:write", "people:read"))
    assert made.status_code == 201 and "phone" not in made.get_json()
    assert client.get("/api/v1/people", headers=bearer("campaigns:read")).status_code == 403
    plain = client.get("/api/v1/people", headers=bearer("people:read")).get_data(as_text=True)
    assert PHONE not in plain and "Ana" not in plain
    full = client.get("/api/v1/people", headers=bearer("people:read", "people:contact")).get_json()
    assert full["items"][0]["phone"] == PHONE
