"""Issue 16 items 1, 7 and 8: login throttling that slows guessing without locking the owner out,
trusted proxies only, the owner told of a burst of failures; two-step login (TOTP and recovery
codes); common and guessable passwords refused. Every wait is read from the app's clock."""

from __future__ import annotations

import re

import pyotp
import pytest
from sqlalchemy import func, select

from caseflow.dates import now as clock_now
from caseflow.models import AuditEvent, LoginAttempt, Notification, RecoveryCode, User
from tests.conftest import PASSWORD, enrol_two_step, login, totp_code

START = "2026-11-20T15:00:00+00:00"


def _post(client, address: str, email: str, password: str):
    return client.post("/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address})


def _count(db, model, *where) -> int:
    value = db.session.scalar(select(func.count()).select_from(model).where(*where))
    db.session.commit()
    return value


# --- 1. Throttling ---------------------------------------------------------------------------


def test_guessing_from_many_addresses_is_slowed_per_account_exponentially(app, client, make_user, db, clock):
    """The probe: 6 wrong passwords from each of four addresses were 20+ guesses, and the right
    password then worked from a fifth. Now the account allows 3 failures, then waits that double."""
    clock.set(START)
    user = make_user("caseworker")
    statuses = [
        _post(app.test_client(), f"10.0.0.{a}", user.email, "wrong password!!").status_code
        for a in range(1, 5)
        for _ in range(6)
    ]
    assert statuses.count(401) == 3 and statuses.count(429) == 21
    assert _count(db, LoginAttempt, LoginAttempt.success.is_(False)) == 3  # refusals are not guesses
    fifth = _post(app.test_client(), "10.0.0.5", user.email, PASSWORD)
    assert fifth.status_code == 429 and "Wait 2 seconds" in fifth.get_data(as_text=True)
    clock.shift(seconds=2)
    assert _post(client, "10.0.0.5", user.email, "wrong password!!").status_code == 401  # 4th failure
    clock.shift(seconds=3)
    assert _post(client, "10.0.0.5", user.email, PASSWORD).status_code == 429  # waits 4 s now
    clock.shift(seconds=1)
    assert _post(client, "10.0.0.5", user.email, PASSWORD).status_code == 302


def test_the_owners_own_browser_is_never_slowed(app, make_user, db, clock):
    """Behind a proxy everyone shares one address: guesses must not keep the owner out."""
    clock.set(START)
    user = make_user("caseworker")
    owner = app.test_client()
    assert _post(owner, "10.0.0.1", user.email, PASSWORD).status_code == 302  # sets the device cookie
    owner.post("/logout")
    clock.shift(seconds=1)
    attacker = app.test_client()
    for _ in range(10):
        _post(attacker, "10.0.0.1", user.email, "wrong password!!")
    assert _post(attacker, "10.0.0.1", user.email, PASSWORD).status_code == 429
    # A forged device cookie does not help…
    attacker.set_cookie("caseflow_device", "1.forged.value")
    assert _post(attacker, "10.0.0.1", user.email, PASSWORD).status_code == 429
    # …the owner's browser goes straight in.
    assert _post(owner, "10.0.0.1", user.email, PASSWORD).status_code == 302


def test_one_address_has_a_budget_over_all_accounts(app, make_user, db, clock):
    clock.set(START)
    victims = [make_user("caseworker") for _ in range(3)]
    spray = app.test_client()
    for i in range(30):  # one guess per account: no account slows down, the address does
        _post(spray, "10.6.6.6", f"nobody{i}@example.org", "wrong password!!")
    assert _post(spray, "10.6.6.6", victims[0].email, PASSWORD).status_code == 429
    assert _post(app.test_client(), "10.7.7.7", victims[1].email, PASSWORD).status_code == 302
    clock.shift(minutes=15, seconds=1)
    assert _post(spray, "10.6.6.6", victims[2].email, PASSWORD).status_code == 302


def test_x_forwarded_for_counts_only_through_trusted_proxies(app, database_url, make_user, db):
    from caseflow import create_app
    from config import TestingConfig

    email = make_user("caseworker").email
    forged = {"X-Forwarded-For": "198.51.100.7, 203.0.113.9"}
    direct = app.test_client()
    direct.post("/login", data={"email": email, "password": "wrong password!!"}, headers=forged)
    assert db.session.scalars(select(LoginAttempt.address)).all() == ["127.0.0.1"]  # default: no proxy trusted
    db.session.commit()

    class BehindOneProxy(TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        WTF_CSRF_ENABLED = False
        TRUSTED_PROXIES = 1

    proxied = create_app(BehindOneProxy)
    proxied.test_client().post("/login", data={"email": email, "password": "wrong password!!"}, headers=forged)
    with proxied.app_context():
        from caseflow.extensions import db as proxied_db

        proxied_db.engine.dispose()
    addresses = sorted(db.session.scalars(select(LoginAttempt.address)).all())
    assert addresses == ["127.0.0.1", "203.0.113.9"]  # the one hop the proxy added, not the client's claim


def test_the_owner_is_told_in_their_inbox_about_a_burst_of_failures(app, client, make_user, db, clock):
    clock.set(START)
    user = make_user("caseworker")
    for _ in range(7):
        _post(app.test_client(), "10.0.0.9", user.email, "wrong password!!")
        clock.shift(minutes=16)  # past any wait, so each is a real failure
    notes = db.session.scalars(select(Notification).where(Notification.user_id == user.id)).all()
    assert len(notes) == 1 and notes[0].kind == "security"
    assert "5 failed attempts to log in" in notes[0].message and notes[0].link == "/account/password"
    assert login(client, user.email).status_code == 302
    assert "5 failed attempts" in client.get("/inbox").get_data(as_text=True)


# --- 7. Two-step login -------------------------------------------------------------------------


def test_admins_and_directors_set_up_two_step_before_anything_else(client, db, clock):
    from caseflow.accounts.services import create_user

    clock.set(START)
    director = create_user(None, "dir@example.org", ["director"], PASSWORD)
    db.session.commit()
    response = login(client, director.email)
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/two-step")
    assert client.get("/summaries").headers["Location"].endswith("/account/two-step")
    page = client.get("/account/two-step")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<svg" in html and "QR code" in html and "style=" not in html.split("<svg")[1]
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', html).group(1)
    wrong = client.post("/account/two-step", data={"code": "000000", "action": "confirm"})
    assert wrong.status_code == 422 and "does not match" in wrong.get_data(as_text=True)
    assert secret == db.session.get(User, director.id).totp_secret
    code = pyotp.TOTP(secret).generate_otp(int(clock_now().timestamp()) // 30)
    done = client.post("/account/two-step", data={"code": code, "action": "confirm"})
    codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", done.get_data(as_text=True))
    assert done.status_code == 200 and len(codes) == 10
    assert _count(db, RecoveryCode, RecoveryCode.user_id == director.id) == 10
    assert all(c not in repr(db.session.scalars(select(RecoveryCode.code_hash)).all()) for c in codes)
    assert _count(db, AuditEvent, AuditEvent.action == "mfa.enrol") == 1
    assert client.get("/summaries").status_code == 200  # this session goes on
    # A director cannot turn it off.
    off = client.post("/account/two-step", data={"code": totp_code(director), "action": "off"})
    assert off.status_code == 422 and db.session.get(User, director.id).mfa_enabled


def test_second_step_code_recovery_code_and_no_replay(app, client, make_user, db, clock):
    clock.set(START)
    user = make_user("caseworker")
    enrol_two_step(user)
    first = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert first.headers["Location"].endswith("/login/code")
    assert client.get("/account/password").status_code == 302  # the password alone logs no one in
    assert client.post("/login/code", data={"code": "123456"}).status_code == 401
    code = totp_code(user)
    assert client.post("/login/code", data={"code": code}).status_code == 302
    assert client.get("/account/password").status_code == 200
    client.post("/logout")
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert client.post("/login/code", data={"code": code}).status_code == 401  # the same code again
    from caseflow.accounts import mfa

    recovery = mfa._new_recovery_codes(db.session.get(User, user.id))[0]
    db.session.commit()
    assert client.post("/login/code", data={"code": recovery.upper()}).status_code == 302
    client.post("/logout")
    clock.shift(minutes=16)
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert client.post("/login/code", data={"code": recovery}).status_code == 401  # once only


def test_second_step_is_throttled_like_passwords_and_expires(app, client, make_user, db, clock):
    clock.set(START)
    user = make_user("caseworker")
    enrol_two_step(user)
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    statuses = [client.post("/login/code", data={"code": f"00000{i}"}).status_code for i in range(6)]
    assert statuses == [401, 401, 401, 429, 429, 429]
    assert _count(db, AuditEvent, AuditEvent.action == "login.throttled") == 3
    # The pending second step lasts five minutes.
    clock.shift(minutes=6)
    response = client.post("/login/code", data={"code": totp_code(user)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")


def test_cookie_replay_covers_the_second_factor(app, client, make_user, login_as, db, clock):
    clock.set(START)
    user = make_user("caseworker")
    enrol_two_step(user)
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    pending = client.get_cookie("caseflow_session").value
    replay = app.test_client()
    replay.set_cookie("caseflow_session", pending)
    assert replay.get("/account/password").status_code == 302  # half a login opens nothing
    client.post("/login/code", data={"code": totp_code(user)})
    full = client.get_cookie("caseflow_session").value
    # An administrator resets the second factor (a lost phone): every session of the user ends.
    admin = app.test_client()
    admin_user = make_user("admin")
    login(admin, admin_user.email)
    assert admin.post(f"/admin/users/{user.id}/two-step").status_code == 302
    assert _count(db, AuditEvent, AuditEvent.action == "mfa.reset") == 1
    replay.set_cookie("caseflow_session", full)
    assert replay.get("/account/password").status_code == 302
    assert not db.session.get(User, user.id).mfa_enabled


def test_two_step_is_optional_for_caseworkers_and_can_be_turned_off(client, login_as, db, clock):
    clock.set(START)
    me = login_as("caseworker")
    assert client.get("/concerns").status_code == 200  # not required
    client.get("/account/two-step")
    client.post("/account/two-step", data={"code": totp_code(me), "action": "confirm"})
    assert db.session.get(User, me.id).mfa_enabled
    clock.shift(seconds=30)
    assert client.post("/account/two-step", data={"code": totp_code(me), "action": "off"}).status_code == 302
    assert not db.session.get(User, me.id).mfa_enabled
    assert _count(db, AuditEvent, AuditEvent.action == "mfa.disable") == 1


# --- 8. Common and guessable passwords ----------------------------------------------------------


@pytest.mark.parametrize(
    "password", ["qwertyuiop123", "1qaz2wsx3edc", "passwordpassword", "123456789012", "Password123!", "iloveyou2026"]
)
def test_common_and_guessable_passwords_are_refused(client, login_as, password):
    login_as("caseworker")
    response = client.post(
        "/account/password", data={"current_password": PASSWORD, "new_password": password, "confirm": password}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and ("common passwords" in html or "too easy to guess" in html), password


def test_a_password_made_of_the_email_is_refused_and_passphrases_pass(client, login_as, db):
    from caseflow.accounts.services import password_problem

    assert password_problem("maria.lopez2026", email="maria.lopez@example.org")
    assert password_problem("correct horse battery staple") is None
    login_as("admin")
    response = client.post(
        "/admin/users", data={"email": "new@example.org", "roles": ["caseworker"], "password": "1q2w3e4r5t6y"}
    )
    assert "common passwords" in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "new@example.org")) is None
