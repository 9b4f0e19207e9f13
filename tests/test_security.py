"""Deny by default, CSRF, headers, health, size limits."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.exc import OperationalError

from caseflow.accounts.permissions import ROLE_PERMISSIONS
from tests.conftest import csrf_token_from
from tests.test_access_matrix import QUERY

PUBLIC_ENDPOINTS = {
    "static",
    "accounts.login",
    "accounts.login_code",  # the second step: only after the right password in this browser
    "accounts.index",
    "health.healthz",
    "api.openapi_json",
    "selfreport.tell_us",  # issue 18: a client tells us without an account
    "selfreport.thanks",
    "selfreport.poster",  # the link and QR code for the waiting room
}


def test_every_endpoint_declares_a_permission(app):
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":  # Flask's own file server; our files are public by design
            continue
        view = app.view_functions[rule.endpoint]
        declared = getattr(view, "required_permissions", None) or getattr(view, "is_public", False)
        if not declared:
            missing.append(rule.endpoint)
        if getattr(view, "is_public", False):
            assert rule.endpoint in PUBLIC_ENDPOINTS, f"{rule.endpoint} is public but should not be"
    assert missing == []


def _concrete(rule) -> str:
    """The rule with every variable part filled with 1 (an object that does not exist)."""
    return re.sub(r"<[^>]+>", "1", rule.rule)


def _protected_rules(app):
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        perms = getattr(view, "required_permissions", None)
        if perms:
            yield rule, perms


@pytest.mark.parametrize("role", sorted(ROLE_PERMISSIONS))
def test_each_role_gets_403_where_it_lacks_permission(app, client, login_as, role):
    """Walk every protected GET page: refused with 403 exactly where the role lacks the permission."""
    login_as(role)
    for rule, perms in _protected_rules(app):
        if "GET" not in rule.methods or rule.endpoint.startswith("api."):
            continue
        # The query a page cannot do without (tests/test_access_matrix.py lists them).
        response = client.get(_concrete(rule) + QUERY.get(rule.endpoint, ""))
        if any(p in ROLE_PERMISSIONS[role] for p in perms):
            # Allowed: the page renders, or the object with id 1 does not exist.
            assert response.status_code in (200, 404), (rule.rule, role, response.status_code)
        else:
            assert response.status_code == 403, (rule.rule, role, response.status_code)


def test_anonymous_is_sent_to_login_and_api_gets_401(client, app):
    for rule, _ in _protected_rules(app):
        if "GET" not in rule.methods:
            continue
        response = client.get(_concrete(rule))
        if rule.endpoint.startswith("api."):
            assert response.status_code == 401, rule.rule
            assert "errors" in response.get_json()
        else:
            assert response.status_code == 302 and "/login" in response.headers["Location"], rule.rule


def test_post_without_csrf_token_is_refused(app, client, make_user):
    user = make_user("admin")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        refused = client.post("/login", data={"email": user.email, "password": "correct horse battery staple"})
        assert refused.status_code == 400
        assert "The form expired" in refused.get_data(as_text=True)
        token = csrf_token_from(client.get("/login").get_data(as_text=True))
        accepted = client.post(
            "/login", data={"email": user.email, "password": "correct horse battery staple", "csrf_token": token}
        )
        assert accepted.status_code == 302
        # A logged-in POST without the token is refused too.
        assert client.post("/admin/users", data={"email": "x@example.org"}).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_security_headers_on_pages_and_api(client, login_as):
    for path in ("/login", "/api/openapi.json", "/healthz"):
        response = client.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "object-src 'none'" in csp
        assert "base-uri 'none'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp and "http" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"]
        assert response.headers["Cache-Control"] == "no-store"
    login_as("admin")
    page = client.get("/admin/users")
    assert page.headers["Cache-Control"] == "no-store"
    assert "<script>" not in page.get_data(as_text=True)  # no inline script
    cookie = client.get_cookie("caseflow_session")
    assert cookie.http_only and cookie.same_site == "Lax"


def test_hsts_and_secure_cookie_in_production(monkeypatch, tmp_path):
    from caseflow import create_app
    from config import ProductionConfig

    monkeypatch.delenv("SECRET_KEY", raising=False)

    class NoSecret(ProductionConfig):
        SECRET_KEY = None
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path}/p.db"

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(NoSecret)

    class WithSecret(NoSecret):
        SECRET_KEY = "x" * 40
        CASEFLOW_DATA_KEY = "y" * 40

    app = create_app(WithSecret)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    response = app.test_client().get("/login")
    assert "max-age" in response.headers["Strict-Transport-Security"]


def test_healthz_reports_database_state(client, monkeypatch):
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}

    from caseflow.extensions import db

    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_database_down_mid_request_answers_503(client, login_as, monkeypatch):
    login_as("admin")
    from caseflow.extensions import db

    def broken(*args, **kwargs):
        raise OperationalError("SELECT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(db.session, "scalars", broken)
    response = client.get("/admin/users")
    assert response.status_code == 503
    assert "Nothing you sent was saved" in response.get_data(as_text=True)


def test_oversized_request_gets_413(client, login_as, app):
    login_as("admin")
    big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    response = client.post("/admin/users", data={"email": big})
    assert response.status_code == 413


def test_instance_folder_and_sqlite_files_are_owner_only(tmp_path, monkeypatch):
    """Issue 16 item 6: the SQLite database and its WAL were 0644 (world-readable)."""
    import os
    import stat

    from sqlalchemy import text

    from caseflow import create_app
    from caseflow.extensions import db

    instance = tmp_path / "instance"
    monkeypatch.setenv("CASEFLOW_INSTANCE_PATH", str(instance))
    old_umask = os.umask(0o022)  # the usual default, which made the files 0644
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": None, "SECRET_KEY": None, "ENV_NAME": "development"})
        with app.app_context():
            db.session.execute(text("CREATE TABLE probe (x INTEGER)"))
            db.session.execute(text("INSERT INTO probe VALUES (1)"))
            db.session.commit()
            files = {p.name: stat.S_IMODE(p.stat().st_mode) for p in instance.iterdir()}
            db.engine.dispose()
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(instance.stat().st_mode) == 0o700
    assert {"caseflow.db", "caseflow.db-wal", "caseflow.db-shm", "secret_key"} <= set(files)
    assert all(mode == 0o600 for name, mode in files.items()), files
