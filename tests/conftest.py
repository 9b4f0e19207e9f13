"""Fixtures: one app and schema per session (built by the migrations), emptied after every test.

Set TEST_DATABASE_URL to run against PostgreSQL; otherwise a fresh SQLite file in a temp dir.
HYPOTHESIS_PROFILE=ci (set by .ci/run) makes the fuzz tests derandomized: the gate replays the
same examples every run, while local runs keep exploring new ones.
"""

from __future__ import annotations

import os
import re

import pytest
from flask.testing import FlaskClient
from hypothesis import settings
from sqlalchemy import create_engine, text

from caseflow import create_app
from caseflow.extensions import db as _db
from config import TestingConfig

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

PASSWORD = "correct horse battery staple"


def _fresh_postgres(url: str) -> None:
    """Empty the public schema so no state from an earlier run survives."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        _fresh_postgres(url)
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "caseflow-test.db")


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    from flask_migrate import upgrade

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        WTF_CSRF_ENABLED = False

    os.environ["CASEFLOW_INSTANCE_PATH"] = str(tmp_path_factory.mktemp("instance"))
    app = create_app(Config)
    app.test_client_class = IsolatedClient
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        _db.engine.dispose()


def _empty_all_tables() -> None:
    tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
    if _db.engine.dialect.name == "postgresql":
        _db.session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    else:
        from caseflow.audit.triggers import SQLITE_CREATE, SQLITE_DROP

        # The audit trail refuses deletes; the clean-up between tests lifts that for a moment.
        for statement in SQLITE_DROP:
            _db.session.execute(text(statement))
        for name in tables:
            _db.session.execute(text(f"DELETE FROM {name}"))  # noqa: S608 (our own table names)
        for statement in SQLITE_CREATE:
            _db.session.execute(text(statement))
    _db.session.commit()


@pytest.fixture
def db(app):
    with app.app_context():
        yield _db
        _db.session.rollback()
        _empty_all_tables()
        _db.session.remove()


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context, as in production: its own session and `g`.

    The test's session commits first (so SQLite's write lock is free) and forgets what it
    loaded afterwards (so the test sees what the request wrote).
    """

    def open(self, *args, **kwargs):
        _db.session.commit()
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        _db.session.expire_all()
        return response


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def make_user(db):
    from caseflow.accounts.services import create_user

    counter = {"n": 0}

    def make(*roles: str, email: str | None = None, password: str = PASSWORD, name: str = ""):
        counter["n"] += 1
        email = email or f"{'-'.join(roles) or 'user'}{counter['n']}@example.org"
        user = create_user(None, email, roles, password, name)
        db.session.commit()
        if set(roles) & {"admin", "director"}:  # their roles require two-step login
            enrol_two_step(user)
        return user

    return make


def totp_code(user) -> str:
    """The code an authenticator app shows now (by the app's clock) for a user with two-step login.
    The last accepted step is forgotten first: the test plays an app that waited for a new code."""
    import pyotp

    from caseflow.accounts.mfa import current_step

    _db.session.refresh(user)
    user.totp_last_step = None
    _db.session.commit()
    return pyotp.TOTP(user.totp_secret).generate_otp(current_step())


def login(client, email: str, password: str = PASSWORD):
    """Log in through the form; for a user with two-step login, the code step follows (its answer
    is returned, as one login)."""
    response = client.post("/login", data={"email": email, "password": password})
    if response.status_code == 302 and response.headers["Location"].endswith("/login/code"):
        from caseflow.accounts.services import find_user

        user = find_user(email)
        response = client.post("/login/code", data={"code": totp_code(user)})
    return response


def enrol_two_step(user) -> None:
    """Two-step login set up as if the user had scanned the QR code (no audit row, no new session)."""
    import pyotp

    from caseflow.models.base import utcnow

    user.totp_secret = pyotp.random_base32()
    user.totp_enabled_at = utcnow()
    _db.session.commit()


@pytest.fixture
def login_as(client, make_user):
    """Log the test client in as a new user holding the given roles; returns the user."""

    def do(*roles: str, **kwargs):
        user = make_user(*roles, **kwargs)
        response = login(client, user.email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return do


@pytest.fixture
def token_for(db, make_user):
    """A Bearer header for a new user with the given roles."""
    from caseflow.accounts.services import create_token

    def make(*roles: str, user=None):
        user = user or make_user(*roles)
        _, secret = create_token(None, user, "test")
        db.session.commit()
        return {"Authorization": f"Bearer {secret}"}

    return make


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token in the page"
    return match.group(1)


@pytest.fixture
def taxonomy(db):
    """Two programs and a handful of tags in categories."""
    from caseflow.models import Program, Tag

    programs = {
        "housing": Program(slug="housing", name="Housing Assistance"),
        "legal": Program(slug="legal", name="Legal Services"),
        "food": Program(slug="food", name="Food Pantry"),
    }
    tags = {
        "no-heat": Tag(slug="no-heat", name="No heat", category="Housing"),
        "mold": Tag(slug="mold", name="Mold", category="Housing"),
        "benefits-delay": Tag(slug="benefits-delay", name="Benefits delayed", category="Income & Benefits"),
        "wage-theft": Tag(slug="wage-theft", name="Wage theft", category="Employment"),
    }
    db.session.add_all([*programs.values(), *tags.values()])
    db.session.commit()
    return {"programs": programs, "tags": tags}


@pytest.fixture
def make_concern(db, taxonomy, make_user):
    """Log a concern through the service, as the API and form do. Keyword args override the body."""
    from caseflow.concerns.services import log_concern, parse_concern

    state = {"author": None}

    def make(author=None, **body):
        if author is None:
            state["author"] = state["author"] or make_user("caseworker")
            author = state["author"]
        raw = {"program": "housing", "tags": ["no-heat"], "summary": "No heat for a week"} | body
        concern = log_concern(author, parse_concern(raw))
        db.session.commit()
        return concern

    return make


@pytest.fixture
def clock():
    """The app's one clock (caseflow.dates), frozen on request and always released afterwards:
    ``clock.set("2026-11-29T02:00:00+00:00")``, ``clock.on(date(2026, 10, 1))`` (noon in the
    organisation's zone), ``clock.shift(hours=1)``. Tests read "today" from the app, never the machine."""
    from datetime import date, datetime, time, timedelta

    from caseflow import dates

    class Clock:
        def set(self, at):
            return dates.freeze(at)

        def on(self, day: date, at: time = time(12)):
            return dates.freeze(datetime.combine(day, at, dates.zone()))

        def shift(self, **delta):
            return dates.shift(timedelta(**delta))

    yield Clock()
    dates.unfreeze()
