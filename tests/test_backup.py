"""`flask backup create` and `backup restore`: a backup restored into an empty database has every row.

Runs the real CLI in subprocesses against file databases of its own: SQLite always; PostgreSQL
(pg_dump/pg_restore) when TEST_DATABASE_URL points at PostgreSQL.
"""

from __future__ import annotations

import subprocess

import pytest
from sqlalchemy import create_engine, text

from caseflow.extensions import db as _db
from tests.test_concurrency import REPO, VENV_BIN, backends, flask, fresh_database, python, server_env

SPOT_CHECKS = {
    "users": "SELECT email FROM users ORDER BY id",
    "concerns": "SELECT id, summary, occurred_on, zip FROM concerns ORDER BY id LIMIT 25",
    "campaigns": "SELECT id, title FROM campaigns ORDER BY id",
    "tags": "SELECT slug, name, category FROM tags ORDER BY slug",
    "api_tokens": "SELECT token_hash FROM api_tokens ORDER BY id",
}


def _snapshot(url: str) -> tuple[dict[str, int], dict[str, list]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            counts = {
                t.name: conn.execute(text(f'SELECT count(*) FROM "{t.name}"')).scalar()
                for t in _db.metadata.sorted_tables
            }
            counts["alembic_version"] = conn.execute(text("SELECT count(*) FROM alembic_version")).scalar()
            rows = {name: [tuple(r) for r in conn.execute(text(sql))] for name, sql in SPOT_CHECKS.items()}
    finally:
        engine.dispose()
    return counts, rows


def _cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "caseflow", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.mark.parametrize("backend", backends())
def test_backup_restores_every_row_into_an_empty_database(backend, tmp_path):
    backup = tmp_path / ("caseflow.backup" if backend == "postgresql" else "caseflow-backup.db")
    with fresh_database(backend, tmp_path, "src") as source_url, fresh_database(backend, tmp_path, "dst") as target_url:
        source = server_env(tmp_path, source_url)
        # One process builds the source: migrations, the demo organisation (users, concerns,
        # campaigns in every step, summaries) and an API token.
        python(
            source,
            """
from flask_migrate import upgrade
from caseflow.accounts.services import create_token, find_user
from caseflow.demo import seed
upgrade()
seed(concern_count=300)
create_token(None, find_user("admin@demo.caseflow.test"), "backup test")
db.session.commit()
""",
        )
        flask(source, "backup", "create", str(backup))
        assert backup.stat().st_size > 0
        refused = _cli(source, "backup", "create", str(backup))
        assert refused.returncode == 1 and "exists" in refused.stderr
        before_counts, before_rows = _snapshot(source_url)

        target = server_env(tmp_path, target_url)
        # An empty database: nothing in it at all (SQLite: no file yet; PostgreSQL: just created).
        restored = _cli(target, "backup", "restore", str(backup))
        assert restored.returncode == 0, restored.stdout + restored.stderr
        after_counts, after_rows = _snapshot(target_url)

        # The restore records itself in the restored audit trail (so the database takes writes);
        # every other row is the source's.
        assert after_counts["audit_events"] == before_counts["audit_events"] + 1
        assert {**after_counts, "audit_events": before_counts["audit_events"]} == before_counts
        assert after_rows == before_rows
        assert before_counts["concerns"] == 300 and before_counts["campaigns"] > 0 and before_counts["api_tokens"] == 1
        print(
            f"\n[backup {backend}] restored {sum(before_counts.values())} rows in {len(before_counts)} tables "
            f"({', '.join(f'{k} {v}' for k, v in sorted(before_counts.items()) if v)}); backup "
            f"{backup.stat().st_size:,} bytes"
        )

        # Now the target holds users: another restore is refused without --force.
        again = _cli(target, "backup", "restore", str(backup))
        assert again.returncode == 1
        assert "already holds" in again.stderr
        assert _snapshot(target_url)[0] == after_counts


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    with fresh_database("sqlite", tmp_path, "empty") as url:
        not_a_backup = tmp_path / "notes.db"
        not_a_backup.write_text("not a database")
        refused = _cli(server_env(tmp_path, url), "backup", "restore", str(not_a_backup))
        assert refused.returncode == 1
        assert "nothing was restored" in refused.stderr
        assert not_a_backup.read_text() == "not a database"
