"""Login, logout, sessions that end on the server, throttling, passwords, admin pages."""

from __future__ import annotations

from sqlalchemy import select

from caseflow.models import AuditEvent, User
from tests.conftest import PASSWORD, login


def test_login_success_lands_on_role_home_and_audits(client, make_user, db):
    user = make_user("admin")
    response = login(client, user.email.upper())  # e-mail is case-insensitive
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/users")
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "login.success" in actions
    assert db.session.get(User, user.id).last_login_at is not None


def test_wrong_password_and_unknown_email_get_the_same_message(client, make_user):
    user = make_user("caseworker")
    wrong = login(client, user.email, "not the right password")
    unknown = login(client, "nobody@example.org", "not the right password")
    assert wrong.status_code == unknown.status_code == 401
    message = "That e-mail and password do not match an active account."
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)


def test_deactivated_user_cannot_log_in(client, make_user, db):
    user = make_user("caseworker")
    user.active = False
    db.session.commit()
    assert login(client, user.email).status_code == 401


def test_cookie_replay_after_logout_is_refused(client, login_as, app):
    login_as("admin")
    assert client.get("/admin/users").status_code == 200
    captured = client.get_cookie("caseflow_session").value
    client.post("/logout")
    replay = app.test_client()
    replay.set_cookie("caseflow_session", captured)
    response = replay.get("/admin/users")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_cookie_replay_after_password_change_and_deactivation_is_refused(client, login_as, app, db):
    user = login_as("caseworker")
    captured = client.get_cookie("caseflow_session").value
    response = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
        },
    )
    assert response.status_code == 302
    # The session that changed the password goes on…
    assert client.get("/account/password").status_code == 200
    # …the captured one does not.
    replay = app.test_client()
    replay.set_cookie("caseflow_session", captured)
    assert replay.get("/account/password").status_code == 302

    captured = client.get_cookie("caseflow_session").value
    db.session.get(User, user.id).active = False
    db.session.get(User, user.id).session_version += 1
    db.session.commit()
    replay.set_cookie("caseflow_session", captured)
    assert replay.get("/account/password").status_code == 302


def test_idle_and_absolute_timeouts(client, login_as, app):
    user = login_as("caseworker")
    with client.session_transaction() as s:
        s["seen_at"] -= 31 * 60
    response = client.get("/account/password")
    assert response.status_code == 302 and "/login" in response.headers["Location"]

    login(client, user.email)
    assert client.get("/account/password").status_code == 200
    with client.session_transaction() as s:
        s["login_at"] -= 12 * 3600 + 1
    response = client.get("/account/password")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_change_password_rules(client, login_as):
    login_as("caseworker")
    short = client.post(
        "/account/password", data={"current_password": PASSWORD, "new_password": "short", "confirm": "short"}
    )
    assert short.status_code == 200
    assert "Use 12 to 128 characters." in short.get_data(as_text=True)
    wrong = client.post(
        "/account/password",
        data={
            "current_password": "not my password",
            "new_password": "long enough passphrase",
            "confirm": "long enough passphrase",
        },
    )
    assert "That is not your current password." in wrong.get_data(as_text=True)


def test_passwords_are_hashed_with_argon2id(make_user):
    user = make_user("caseworker")
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_admin_creates_user_and_errors_stay_at_the_field(client, login_as, db):
    login_as("admin")
    bad = client.post(
        "/admin/users", data={"email": "new@example.org", "name": "New", "roles": ["organizer"], "password": "short"}
    )
    assert bad.status_code == 200
    html = bad.get_data(as_text=True)
    assert 'value="new@example.org"' in html and "Use 12 to 128 characters." in html
    ok = client.post(
        "/admin/users",
        data={
            "email": "New@Example.org",
            "name": "New",
            "roles": ["organizer", "director"],
            "password": "a long passphrase here",
        },
    )
    assert ok.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "new@example.org"))
    assert user.roles == {"organizer", "director"}
    dup = client.post(
        "/admin/users", data={"email": "NEW@example.org", "roles": ["organizer"], "password": "a long passphrase here"}
    )
    assert "already exists" in dup.get_data(as_text=True)


def test_admin_deactivates_user_and_their_session_ends(client, login_as, make_user, app, db):
    target = make_user("caseworker")
    other = app.test_client()
    login(other, target.email)
    assert other.get("/account/password").status_code == 200
    login_as("admin")
    response = client.post(f"/admin/users/{target.id}", data={"roles": ["caseworker"]})  # active unchecked
    assert response.status_code == 302
    assert db.session.get(User, target.id).active is False
    assert other.get("/account/password").status_code == 302


def test_admin_cannot_deactivate_self(client, login_as):
    me = login_as("admin")
    response = client.post(f"/admin/users/{me.id}", data={"roles": ["admin"]})
    assert "cannot deactivate your own account" in response.get_data(as_text=True)


def test_api_token_shown_once_and_revocable(client, login_as, make_user, db):
    from caseflow.accounts.services import create_user
    from caseflow.models import ApiToken

    login_as("admin")
    owner = create_user(None, "sync@example.org", ["caseworker"], "", service=True)
    db.session.commit()
    page = client.post(
        "/admin/tokens", data={"email": owner.email, "name": "sync", "scopes": ["taxonomy:read"], "days": "30"}
    )
    html = page.get_data(as_text=True)
    assert "Copy this token now" in html
    secret = html.split('<code class="secret">')[1].split("</code>")[0]
    token = db.session.scalar(select(ApiToken))
    assert token.token_hash != secret and secret not in token.token_hash
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/programs", headers=headers).status_code == 200
    assert secret not in client.get("/admin/tokens").get_data(as_text=True)
    client.post(f"/admin/tokens/{token.id}/revoke")
    assert client.get("/api/v1/programs", headers=headers).status_code == 401


def test_login_next_must_stay_on_site(client, make_user):
    from tests.conftest import totp_code

    user = make_user("admin")
    client.post("/login?next=//evil.example/x", data={"email": user.email, "password": PASSWORD})
    response = client.post("/login/code", data={"code": totp_code(user)})
    assert response.headers["Location"].endswith("/admin/users")
    client.post("/logout")
    client.post("/login?next=/admin/tokens", data={"email": user.email, "password": PASSWORD})
    response = client.post("/login/code", data={"code": totp_code(user)})
    assert response.headers["Location"].endswith("/admin/tokens")
