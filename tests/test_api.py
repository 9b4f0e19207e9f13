"""The JSON API of INTERFACES.md: auth, field errors, nothing written on rejection, idempotency."""

from __future__ import annotations

import re

import pytest
from openapi_spec_validator import validate
from sqlalchemy import func, select, text

from caseflow.models import Concern, Program, Tag

BODY = {"program": "housing", "tags": ["no-heat"], "summary": "No heat since Monday"}


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_openapi_document_is_valid_and_lists_every_api_route(client, app):
    doc = client.get("/api/openapi.json").get_json()
    validate(doc)
    documented = {(path, method.upper()) for path, ops in doc["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert (path, method) in documented, (path, method)


def test_missing_invalid_and_revoked_tokens_get_401(client, token_for, db):
    assert client.get("/api/v1/tags").status_code == 401
    assert client.get("/api/v1/tags", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.get("/api/v1/tags", headers={"Authorization": "Basic abc"}).status_code == 401
    headers = token_for("caseworker")
    assert client.get("/api/v1/tags", headers=headers).status_code == 200


def test_session_cookie_does_not_authenticate_the_api(client, login_as, taxonomy):
    login_as("organizer")
    assert client.post("/api/v1/concerns", json=BODY).status_code == 401


def test_programs_and_tags(client, token_for, taxonomy, db):
    listing = client.get("/api/v1/tags", headers=token_for("caseworker")).get_json()
    assert {"slug": "no-heat", "name": "No heat", "category": "Housing", "active": True} in listing["items"]
    assert (
        client.post("/api/v1/programs", json={"slug": "x", "name": "X"}, headers=token_for("caseworker")).status_code
        == 403
    )
    admin = token_for("admin")
    created = client.post("/api/v1/programs", json={"slug": "youth", "name": "Youth Services"}, headers=admin)
    assert created.status_code == 201 and created.get_json()["slug"] == "youth"
    dup = client.post("/api/v1/programs", json={"slug": "youth", "name": "Again"}, headers=admin)
    assert dup.status_code == 422 and dup.get_json()["errors"]["slug"] == ["This slug is already in use."]
    tag = client.post("/api/v1/tags", json={"slug": "bed-bugs", "name": "Bed bugs", "category": "Nope"}, headers=admin)
    assert tag.status_code == 422 and "category" in tag.get_json()["errors"]
    assert count(db, Program) == 4 and count(db, Tag) == 4


def test_create_concern_returns_it_without_the_client_ref(client, token_for, taxonomy, db):
    body = BODY | {"client_ref": "CASE-991", "race_ethnicity": ["hispanic"], "zip": "11226", "client_importance": 5}
    response = client.post("/api/v1/concerns", json=body, headers=token_for("caseworker"))
    assert response.status_code == 201
    data = response.get_json()
    assert data["id"] and data["tags"] == ["no-heat"] and data["has_client_ref"] is True
    assert "CASE-991" not in response.get_data(as_text=True)
    assert data["race_ethnicity"] == ["hispanic"] and data["occurred_on"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"tags": []}, "tags"),
        ({"program": "nowhere"}, "program"),
        ({"summary": ""}, "summary"),
        ({"occurred_on": "2999-01-01"}, "occurred_on"),
        ({"race_ethnicity": ["refused", "white"]}, "race_ethnicity"),
        ({"zip": 11226}, "zip"),
        ({"client_importance": "5 stars"}, "client_importance"),
        ({"wants_involvement": "sure"}, "wants_involvement"),
    ],
)
def test_invalid_fields_get_422_and_nothing_is_written(client, token_for, taxonomy, db, body, field):
    response = client.post("/api/v1/concerns", json=BODY | body, headers=token_for("caseworker"))
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert count(db, Concern) == 0


@pytest.mark.parametrize("payload", ["not json", "[1, 2]", '"text"', "{bad json"])
def test_malformed_json_gets_400(client, token_for, taxonomy, db, payload):
    response = client.post(
        "/api/v1/concerns", data=payload, headers=token_for("caseworker") | {"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert "body" in response.get_json()["errors"]
    assert count(db, Concern) == 0


def test_external_id_makes_a_repeat_idempotent(client, token_for, taxonomy, db):
    headers = token_for("caseworker")
    first = client.post("/api/v1/concerns", json=BODY | {"external_id": "cms-77"}, headers=headers)
    again = client.post("/api/v1/concerns", json=BODY | {"external_id": "cms-77"}, headers=headers)
    assert first.status_code == 201 and again.status_code == 200
    assert first.get_json()["id"] == again.get_json()["id"]
    assert count(db, Concern) == 1


def test_roles_that_may_not_log_get_403(client, token_for, taxonomy):
    for role in ("director", "admin"):
        assert client.post("/api/v1/concerns", json=BODY, headers=token_for(role)).status_code == 403


def test_visibility_by_role(client, token_for, taxonomy, make_user):
    alice, bob = make_user("caseworker"), make_user("caseworker")
    a, b = token_for(user=alice), token_for(user=bob)
    mine = client.post("/api/v1/concerns", json=BODY | {"narrative": "private words"}, headers=a).get_json()
    assert client.get(f"/api/v1/concerns/{mine['id']}", headers=b).status_code == 404
    assert client.get("/api/v1/concerns", headers=b).get_json()["total"] == 0
    assert client.get("/api/v1/concerns", headers=a).get_json()["total"] == 1
    assert client.get(f"/api/v1/concerns/{mine['id']}", headers=a).get_json()["narrative"] == "private words"
    organizer = client.get(f"/api/v1/concerns/{mine['id']}", headers=token_for("organizer")).get_json()
    assert organizer["narrative"] == "private words"
    assert client.get("/api/v1/concerns", headers=token_for("admin")).status_code == 403
    assert client.get("/api/v1/concerns/999", headers=a).status_code == 404


def test_list_filters_and_pages(client, token_for, taxonomy):
    headers = token_for("organizer")
    for i in range(55):
        client.post(
            "/api/v1/concerns",
            json=BODY | {"summary": f"n{i}", "tags": ["mold"] if i % 5 == 0 else ["no-heat"]},
            headers=headers,
        )
    page1 = client.get("/api/v1/concerns", headers=headers).get_json()
    assert page1["total"] == 55 and page1["pages"] == 2 and len(page1["items"]) == 50
    assert len(client.get("/api/v1/concerns?page=2", headers=headers).get_json()["items"]) == 5
    assert client.get("/api/v1/concerns?tag=mold", headers=headers).get_json()["total"] == 11
    assert client.get("/api/v1/concerns?since=bad", headers=headers).status_code == 422
    assert client.get("/api/v1/concerns?page=x", headers=headers).status_code == 422


def test_token_posts_work_with_csrf_protection_on(app, client, token_for, taxonomy):
    """Regression: the /api blueprint must be exempt from CSRF (tokens, not cookies, authenticate it)."""
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/api/v1/concerns", json=BODY, headers=token_for("caseworker"))
        assert response.status_code == 201
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_a_taxonomy_change_reaches_the_next_logged_concern_however_it_was_made(client, token_for, taxonomy, db):
    """Each process keeps the programs and tags between requests; a change made anywhere — an admin
    in another process, a plain SQL statement — is seen by the very next concern logged."""
    headers = token_for("caseworker")
    assert client.post("/api/v1/concerns", json=BODY, headers=headers).status_code == 201  # cached now
    moho = BODY | {"tags": ["Moho"]}
    assert client.post("/api/v1/concerns", json=moho, headers=headers).status_code == 422
    with db.engine.begin() as other:  # another process names the tag in Spanish
        other.execute(
            text("INSERT INTO tag_names (tag_id, locale, name) VALUES (:t, 'es', 'Moho')"),
            {"t": taxonomy["tags"]["mold"].id},
        )
    response = client.post("/api/v1/concerns", json=moho, headers=headers)
    assert response.status_code == 201 and response.get_json()["tags"] == ["mold"]
    with db.engine.begin() as other:  # and retires it, behind the ORM's back
        other.execute(Tag.__table__.update().where(Tag.__table__.c.slug == "mold").values(active=False))
    response = client.post("/api/v1/concerns", json=moho, headers=headers)
    assert response.status_code == 422 and "tags" in response.get_json()["errors"]
    assert count(db, Concern) == 2
