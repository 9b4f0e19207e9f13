"""The migrations build exactly the schema the models describe, and run down and up again."""

from __future__ import annotations

import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from caseflow import create_app
from caseflow.extensions import db as _db
from config import TestingConfig


def _diff(engine) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, _db.metadata)


def test_models_and_migrations_agree(app, db):
    # The session's schema was built by `upgrade()` in conftest: autogenerate must find nothing.
    assert _diff(db.engine) == []


@pytest.fixture
def empty_database_url(tmp_path):
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path}/migrate.db"
        return
    name = f"caseflow_mig_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def test_upgrade_downgrade_upgrade_from_empty(empty_database_url, tmp_path):
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = empty_database_url

    app = create_app(Config)
    with app.app_context():
        upgrade()
        assert _diff(_db.engine) == []
        downgrade(revision="base")
        remaining = set(inspect(_db.engine).get_table_names()) - {"alembic_version"}
        assert remaining == set()
        upgrade()
        assert _diff(_db.engine) == []
        _db.engine.dispose()


def test_the_database_keeps_the_audit_trail_append_only(db):
    """A trigger refuses UPDATE and DELETE on audit_events (PostgreSQL and SQLite alike)."""
    from caseflow.audit.services import record

    record("test.event", object_type="x", object_id=1)
    db.session.commit()
    with pytest.raises(Exception, match="append-only"):
        db.session.execute(text("UPDATE audit_events SET action = 'forged'"))
    db.session.rollback()
    with pytest.raises(Exception, match="append-only"):
        db.session.execute(text("DELETE FROM audit_events"))
    db.session.rollback()
    assert db.session.execute(text("SELECT action FROM audit_events")).scalars().all() == ["test.event"]
