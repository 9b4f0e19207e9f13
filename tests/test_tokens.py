"""Issue 16 item 4: API tokens only for oneself or a service account, scopes checked with the role,
expiry, last use, revoked with the password and on deactivation."""

from __future__ import annotations

from datetime import timedelta

from click.testing import CliRunner
from sqlalchemy import func, select

from caseflow.accounts.services import change_password, create_token, create_user, set_active
from caseflow.models import ApiToken, AuditEvent, User
from tests.conftest import PASSWORD, login

CONCERN = {"program": "housing", "tags": ["no-heat"], "summary": "No heat"}


def _bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def _tokens(db) -> int:
    value = db.session.scalar(select(func.count()).select_from(ApiToken))
    db.session.commit()
    return value


def test_an_admin_cannot_mint_a_token_for_another_person(client, login_as, make_user, db, taxonomy):
    """The probe: an admin made a token for a director and read narratives the admin may not see."""
    director = make_user("director")
    me = login_as("admin")
    page = client.post(
        "/admin/tokens", data={"email": director.email, "name": "x", "scopes": ["concerns:read"], "days": "90"}
    )
    assert "only for yourself or for a service account" in page.get_data(as_text=True)
    assert _tokens(db) == 0
    # For oneself, only the scopes the admin's roles can use.
    beyond = client.post(
        "/admin/tokens", data={"email": me.email, "name": "x", "scopes": ["concerns:read"], "days": "90"}
    )
    assert "roles do not allow: concerns:read" in beyond.get_data(as_text=True) and _tokens(db) == 0
    mine = client.post(
        "/admin/tokens", data={"email": me.email, "name": "mine", "scopes": ["taxonomy:write"], "days": "٣"}
    )
    assert "whole number of days" in mine.get_data(as_text=True) and _tokens(db) == 0  # ASCII digits only
    ok = client.post(
        "/admin/tokens", data={"email": me.email, "name": "mine", "scopes": ["taxonomy:write"], "days": "7"}
    )
    assert "Copy this token now" in ok.get_data(as_text=True)
    token = db.session.scalar(select(ApiToken))
    assert token.scopes == "taxonomy:write" and token.expires_at - token.created_at == timedelta(days=7)


def test_scopes_are_checked_together_with_the_role(client, make_user, db, taxonomy):
    organizer = make_user("organizer")
    _, read_only = create_token(None, organizer, "reader", scopes=["concerns:read"])
    db.session.commit()
    assert client.get("/api/v1/concerns", headers=_bearer(read_only)).status_code == 200
    refused = client.post("/api/v1/concerns", json=CONCERN, headers=_bearer(read_only))
    assert refused.status_code == 403 and "concerns:write" in refused.get_json()["errors"]["scope"][0]
    assert client.get("/api/v1/patterns", headers=_bearer(read_only)).status_code == 403
    # A scope never adds to the role: a director's token cannot log concerns.
    director = make_user("director")
    try:
        create_token(None, director, "x", scopes=["concerns:write"])
        raise AssertionError("a scope beyond the role was accepted")
    except Exception as e:  # ValidationFailed
        assert "concerns:write" in str(getattr(e, "errors", e))
    db.session.rollback()


def test_default_scopes_cover_every_api_route_the_role_can_use(app, make_user, db):
    from caseflow.accounts.permissions import api_scopes

    runner = CliRunner()
    for role in ("caseworker", "organizer", "director", "admin"):
        user = make_user(role)
        result = app.test_cli_runner().invoke(args=["users", "token", "--email", user.email, "--name", "e2e"])
        assert result.exit_code == 0, result.output
        secret = result.output.strip().splitlines()[-1]
        token = db.session.scalar(select(ApiToken).where(ApiToken.prefix == secret[:10]))
        with app.test_request_context():
            assert token.scope_set == api_scopes(user.roles), role
    assert runner is not None


def test_tokens_expire_and_record_their_last_use(client, make_user, db, clock):
    clock.set("2026-11-01T12:00:00+00:00")
    user = make_user("caseworker")
    token, secret = create_token(None, user, "sync")
    db.session.commit()
    assert token.expires_at == token.created_at + timedelta(days=90)
    clock.shift(days=89, hours=23)
    assert client.get("/api/v1/programs", headers=_bearer(secret)).status_code == 200
    assert db.session.get(ApiToken, token.id).last_used_at == token.created_at + timedelta(days=89, hours=23)
    clock.shift(hours=1)
    assert client.get("/api/v1/programs", headers=_bearer(secret)).status_code == 401


def test_tokens_are_revoked_by_password_change_reset_and_deactivation(client, make_user, db):
    user = make_user("caseworker")
    admin = make_user("admin")
    secrets_ = []
    for reason in ("change", "reset", "deactivate"):
        _, secret = create_token(None, user, reason)
        db.session.commit()
        assert client.get("/api/v1/programs", headers=_bearer(secret)).status_code == 200
        user = db.session.get(User, user.id)
        if reason == "change":
            change_password(user, user, "a brand new passphrase")
        elif reason == "reset":
            change_password(admin, user, "an admin set this passphrase")
        else:
            set_active(admin, user, False)
        db.session.commit()
        assert client.get("/api/v1/programs", headers=_bearer(secret)).status_code == 401, reason
        secrets_.append(secret)
    set_active(admin, db.session.get(User, user.id), True)  # reactivated: the old tokens stay dead
    db.session.commit()
    assert all(client.get("/api/v1/programs", headers=_bearer(s)).status_code == 401 for s in secrets_)
    revoked = db.session.scalars(select(AuditEvent.details).where(AuditEvent.action == "token.revoke_all")).all()
    assert [d["reason"] for d in revoked] == ["password change", "password reset", "deactivation"]


def test_service_accounts_hold_tokens_and_cannot_log_in(client, login_as, db, taxonomy):
    login_as("admin")
    created = client.post(
        "/admin/users",
        data={"email": "sync@example.org", "name": "Case system", "roles": ["caseworker"], "service": "y"},
    )
    assert created.status_code == 302
    service = db.session.scalar(select(User).where(User.email == "sync@example.org"))
    assert service.is_service
    page = client.post(
        "/admin/tokens", data={"email": service.email, "name": "push", "scopes": ["concerns:write"], "days": "30"}
    )
    secret = page.get_data(as_text=True).split('<code class="secret">')[1].split("</code>")[0]
    assert client.post("/api/v1/concerns", json=CONCERN, headers=_bearer(secret)).status_code == 201
    client.post("/logout")
    assert login(client, service.email, PASSWORD).status_code == 401
    # Even knowing its (random) password would not help: the kind refuses the login.
    service.password_hash = create_user.__globals__["hash_password"](PASSWORD)
    db.session.commit()
    assert login(client, service.email, PASSWORD).status_code == 401
