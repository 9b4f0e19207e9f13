"""The migrations build exactly the schema the models describe, run down and up again one by one,
carry data through, and never import application code (a migration is frozen history)."""

from __future__ import annotations

import ast
import os
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from caseflow import create_app
from caseflow.extensions import db as _db
from config import TestingConfig

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


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
    # Named after the test database, so each session's scratch databases stay under its own prefix.
    name = f"{make_url(url).database}_mig_{uuid.uuid4().hex[:8]}"
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


def _revisions() -> list[str]:
    """Every revision, oldest first."""
    return [r.revision for r in reversed(list(ScriptDirectory(str(MIGRATIONS)).walk_revisions()))]


def _app_on(url: str):
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = url

    return create_app(Config)


def test_no_migration_imports_application_code():
    """A migration that imports caseflow runs today's code against yesterday's schema: the next change
    to that code breaks `db upgrade` on an empty database (as 0007 did). Each carries its own SQL."""
    offenders = []
    for path in sorted((MIGRATIONS / "versions").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in ("caseflow", "config")]
    assert offenders == []


def test_each_migration_runs_down_and_up_on_the_schema_the_ones_before_built(empty_database_url):
    app = _app_on(empty_database_url)
    revisions = _revisions()
    with app.app_context():
        for before, revision in zip(["base", *revisions], revisions, strict=False):
            upgrade(revision=revision)
            downgrade(revision=before)
            upgrade(revision=revision)
        assert _diff(_db.engine) == []
        _db.engine.dispose()


def test_upgrading_a_database_that_holds_concerns_keeps_them_and_builds_consistent_rollups(empty_database_url):
    """Data written under an early schema survives every later migration, and the rollups the frozen
    migrations build agree with what the application computes today."""
    from caseflow.patterns.rollup import check

    app = _app_on(empty_database_url)
    with app.app_context():
        upgrade(revision="0002")
        now, day = "2026-10-01 12:00:00+00:00", date(2026, 9, 1)
        with _db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO programs (id, slug, name, active, created_at, updated_at) VALUES "
                    "(1, 'housing', 'Housing', true, :now, :now), (2, 'legal', 'Legal', true, :now, :now)"
                ),
                {"now": now},
            )
            conn.execute(
                text(
                    "INSERT INTO tags (id, slug, name, category, description, active, created_at, updated_at) "
                    "VALUES (1, 'no-heat', 'No heat', 'Housing', '', true, :now, :now), "
                    "(2, 'mold', 'Mold', 'Housing', '', true, :now, :now)"
                ),
                {"now": now},
            )
            conn.execute(
                text(
                    "INSERT INTO users (id, email, name, password_hash, active, session_version, created_at, "
                    "updated_at) VALUES (1, 'cw@example.org', 'Case Worker', 'x', true, 1, :now, :now)"
                ),
                {"now": now},
            )
            for i in range(30):
                conn.execute(
                    text(
                        "INSERT INTO concerns (id, program_id, summary, occurred_on, source, client_key, language, "
                        "age_band, zip, wants_involvement, author_id, version, created_at, updated_at) VALUES "
                        "(:id, :program, 'No heat', :day, 'client', :client, :language, :age, :zip, false, 1, 1, "
                        ":now, :now)"
                    ),
                    {
                        "id": i + 1,
                        "program": 1 + i % 2,
                        "day": day + timedelta(days=i % 20),
                        "client": f"{i % 12:02x}" + "0" * 62,
                        "language": ("Spanish", "English", None)[i % 3],
                        "age": ("25-34", "65-plus", None)[i % 3],
                        "zip": ("11226", "11225")[i % 2],
                        "now": now,
                    },
                )
                conn.execute(text("INSERT INTO concern_tags VALUES (:id, :tag)"), {"id": i + 1, "tag": 1 + i % 2})
                conn.execute(text("INSERT INTO concern_races VALUES (:id, :code)"), {"id": i + 1, "code": "black"})
        upgrade()
        assert _diff(_db.engine) == []
        with _db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM concerns")).scalar() == 30
            assert conn.execute(text("SELECT count(*) FROM pattern_days")).scalar() > 0
            assert check(conn) == []


def test_migration_0014_carries_campaign_measures_into_the_library_and_back(empty_database_url):
    """Each old campaign measure becomes a library measure (one per indicator), its current value a
    dated value, its "disaggregated by" text kept word for word; the downgrade puts them back."""

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = empty_database_url

    app = create_app(Config)
    with app.app_context():
        upgrade(revision="0012b")
        conn = _db.session
        stamp = {"at": "2026-05-04 15:00:00"}
        for title in ("Heat", "Benefits"):
            conn.execute(
                text(
                    "INSERT INTO campaigns (title, issue_statement, status, step, closing_summary, version, "
                    "created_at, updated_at) VALUES (:t, '', 'active', 'strategy', '', 1, :at, :at)"
                ),
                stamp | {"t": title},
            )
        for campaign, indicator, unit, baseline, target, current, by in (
            (1, "Median days to inspection", "days", 21, 2, 9, "ZIP; race and ethnicity"),
            (1, "Tenants in committees", "tenants", 0, 60, None, "language; building"),
            (2, "Median days to inspection", "days", 30, 5, 12.5, ""),
        ):
            conn.execute(
                text(
                    "INSERT INTO campaign_measures (campaign_id, indicator, unit, baseline, target, current_value, "
                    "disaggregated_by, created_at, updated_at) VALUES (:c, :i, :u, :b, :t, :v, :d, :at, :at)"
                ),
                stamp | {"c": campaign, "i": indicator, "u": unit, "b": baseline, "t": target, "v": current, "d": by},
            )
        conn.commit()

        upgrade()
        measures = conn.execute(
            text("SELECT name, unit, direction, breakdowns, definition FROM measures ORDER BY name")
        ).all()
        assert [m[:4] for m in measures] == [
            ("Median days to inspection", "days", "lower", "race_ethnicity,zip"),
            ("Tenants in committees", "tenants", "higher", "language"),
        ]
        assert "Disaggregated by: language; building." in measures[1][4]  # "building" is not lost
        picks = conn.execute(
            text(
                "SELECT p.campaign_id, m.name, p.baseline, p.target FROM campaign_measures p "
                "JOIN measures m ON m.id = p.measure_id ORDER BY p.id"
            )
        ).all()
        assert picks == [
            (1, "Median days to inspection", 21, 2),
            (1, "Tenants in committees", 0, 60),
            (2, "Median days to inspection", 30, 5),
        ]
        values = conn.execute(
            text("SELECT campaign_id, scope, observed_on, dimension, value FROM measure_values ORDER BY campaign_id")
        ).all()
        assert [(v[0], v[1], str(v[2]), v[3], v[4]) for v in values] == [
            (1, "c1", "2026-05-04", "all", 9),
            (2, "c2", "2026-05-04", "all", 12.5),
        ]
        conn.commit()

        downgrade(revision="0012b")
        back = conn.execute(
            text(
                "SELECT campaign_id, indicator, unit, current_value, disaggregated_by FROM campaign_measures ORDER BY id"
            )
        ).all()
        assert back == [
            (1, "Median days to inspection", "days", 9, "ZIP; race and ethnicity"),
            (1, "Tenants in committees", "tenants", None, "language; building"),
            (2, "Median days to inspection", "days", 12.5, "ZIP; race and ethnicity"),
        ]
        conn.commit()
        _db.engine.dispose()


def test_migration_0020_makes_harvest_follow_ups_follow_ups_and_back(empty_database_url):
    """A harvest takeaway that became a follow-up becomes a row of campaign_follow_ups: in its
    convening's campaign, or in none for an organisation-wide convening; the downgrade puts the
    owner, due date and done time back on the takeaway."""

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = empty_database_url

    app = create_app(Config)
    with app.app_context():
        upgrade(revision="0017")
        conn = _db.session
        at = {"at": "2026-10-05 15:00:00"}
        conn.execute(
            text(
                "INSERT INTO users (email, name, password_hash, active, session_version, created_at, updated_at) "
                "VALUES ('o@example.org', 'Owner', 'x', true, 1, :at, :at)"
            ),
            at,
        )
        conn.execute(
            text(
                "INSERT INTO campaigns (title, issue_statement, status, step, closing_summary, version, "
                "created_at, updated_at) VALUES ('Heat', '', 'active', 'action', '', 1, :at, :at)"
            ),
            at,
        )
        for title, campaign in (("Summit", None), ("Block meeting", 1)):
            conn.execute(
                text(
                    "INSERT INTO convenings (title, campaign_id, held_on, place, agenda, breakout_notes, version, "
                    "created_at, updated_at) VALUES (:t, :c, '2026-10-05', '', '', '', 1, :at, :at)"
                ),
                at | {"t": title, "c": campaign},
            )
        for convening, takeaway, becomes, owner, due in (
            (1, "Train staff on benefits rules", "follow_up", 1, "2026-11-01"),
            (2, "Share call lists", "follow_up", 1, None),
            (2, "A tag", None, None, None),
        ):
            conn.execute(
                text(
                    "INSERT INTO harvest_items (convening_id, kind, takeaway, breakout, becomes, owner_id, due_on, "
                    "created_at) VALUES (:c, 'staff_training', :t, '', :b, :o, :d, :at)"
                ),
                at | {"c": convening, "t": takeaway, "b": becomes, "o": owner, "d": due},
            )
        conn.commit()

        upgrade(revision="0020")
        rows = conn.execute(
            text(
                "SELECT f.campaign_id, f.convening_id, f.description, f.owner_id, f.due_on FROM harvest_items h "
                "JOIN campaign_follow_ups f ON f.id = h.follow_up_id ORDER BY h.id"
            )
        ).all()
        assert [(r[0], r[1], r[2], r[3], str(r[4]) if r[4] else None) for r in rows] == [
            (None, 1, "Train staff on benefits rules", 1, "2026-11-01"),
            (1, 2, "Share call lists", 1, None),
        ]
        conn.commit()

        downgrade(revision="0017")
        back = conn.execute(text("SELECT becomes, owner_id, due_on FROM harvest_items ORDER BY id")).all()
        assert [(b, o, str(d) if d else None) for b, o, d in back] == [
            ("follow_up", 1, "2026-11-01"),
            ("follow_up", 1, None),
            (None, None, None),
        ]
        assert conn.execute(text("SELECT count(*) FROM campaign_follow_ups")).scalar() == 0
        conn.commit()
        _db.engine.dispose()


def test_upgrading_in_process_leaves_the_app_logger_on(app):
    """Alembic's env.py configures logging from alembic.ini; by default that disables every logger
    that exists already — the app's own, after which its errors went unheard (a suite that had run
    a migration lost the tag model's signature warning)."""
    from flask_migrate import upgrade

    with app.app_context():
        app.logger.info("before the upgrade")
        upgrade()
    assert not app.logger.disabled
