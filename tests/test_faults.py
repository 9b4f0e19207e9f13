"""Real faults: an import killed with SIGKILL mid-chunk, and the database going away under gunicorn.

Both run real processes against file databases of their own (see tests/test_concurrency.py for the
helpers): the import on SQLite, and on PostgreSQL when TEST_DATABASE_URL points at it; the outage
on a throwaway PostgreSQL database (the server on 127.0.0.1:5432 or TEST_DATABASE_URL's), whose
connections are terminated and refused, or — when no PostgreSQL server answers — on a SQLite file
that disappears.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from tests.test_concurrency import (
    PASSWORD,
    REPO,
    backends,
    flask,
    fresh_database,
    gunicorn,
    healthz,
    pg_answers,
    pg_server_url,
    prepare,
    scalar,
    server_env,
)

# --- a killed import ----------------------------------------------------------------------------

IMPORT_ROWS = 2000
CHUNK = 250  # caseflow.concerns.csvio.IMPORT_CHUNK: rows in the first transaction of an import
MARK = "CASEFLOW-TEST-MID-CHUNK"

# The real `flask import concerns`, held still (and reported) once its second chunk has inserted its
# concerns but not committed them: the test kills it there.
IMPORTER = f"""
import sqlite3, sys, time
from sqlalchemy import event
from sqlalchemy.engine import Engine

commits = 0

@event.listens_for(Engine, "connect")
def _small_cache(dbapi_connection, record):
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA cache_size=20")

@event.listens_for(Engine, "commit")
def _committed(conn):
    global commits
    commits += 1

@event.listens_for(Engine, "after_cursor_execute")
def _hold(conn, cursor, statement, parameters, context, executemany):
    if commits >= 1 and statement.lstrip().upper().startswith("INSERT INTO CONCERNS "):
        print("\\n{MARK}", file=sys.stderr, flush=True)  # its own line: the progress line ends in \\r
        time.sleep(60)

from flask.cli import main
sys.argv = ["flask", *sys.argv[1:]]
main()
"""


def _write_csv(path: Path, rows: int) -> None:
    with open(path, "w", newline="") as f:
        f.write("program,tags,summary,occurred_on,zip,external_id\n")
        for i in range(rows):
            f.write(
                f"housing,no-heat,Imported concern number {i},2025-{1 + i % 12:02d}-{1 + i % 28:02d},{2100 + i % 60:05d},imp-{i}\n"
            )


@pytest.mark.slow
@pytest.mark.parametrize("backend", backends())
def test_killed_import_keeps_whole_chunks_and_finishes_when_run_again(backend, tmp_path):
    """A command-line import commits in short chunks (so others can write meanwhile). Killed with
    SIGKILL in the middle of its second chunk, it leaves the first chunk whole (concerns, rollups, an
    audit row each) and nothing of the second; the database is sound and takes writes, and running
    the same file again adds exactly the missing rows (external ids), no duplicate."""
    with fresh_database(backend, tmp_path, "kill") as url:
        env = server_env(tmp_path, url)
        setup = prepare(env, role="organizer")
        big = tmp_path / "big.csv"
        _write_csv(big, IMPORT_ROWS)

        began = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-c", IMPORTER, "--app", "caseflow", "import", "concerns", str(big), "--as", setup.email],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        stderr_tail: list[str] = []
        held = False
        try:
            for line in proc.stderr:
                stderr_tail = [*stderr_tail[-20:], line]
                if MARK in line:
                    held = True
                    break
            running = proc.poll() is None
            proc.send_signal(signal.SIGKILL)
        finally:
            proc.kill()
            proc.wait()
        killed_at = time.monotonic() - began
        assert held and running, "the import never reached its second chunk:\n" + "".join(stderr_tail)
        assert proc.returncode == -signal.SIGKILL
        print(
            f"\n[kill {backend}] import of {IMPORT_ROWS} rows killed (SIGKILL) in its second chunk, {killed_at:.1f} s in"
        )

        assert scalar(url, "SELECT count(*) FROM concerns") == CHUNK
        assert scalar(url, "SELECT count(*) FROM audit_events WHERE action = 'concern.create'") == CHUNK
        assert scalar(url, "SELECT count(*) FROM audit_events WHERE action = 'concern.import'") == 0
        assert "agree" in flask(env, "patterns", "check-rollups")
        if backend == "sqlite":
            with sqlite3.connect(make_url(url).database) as conn:
                assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        again = flask(env, "import", "concerns", str(big), "--as", setup.email)
        assert f"created {IMPORT_ROWS - CHUNK}; {CHUNK} already imported" in again
        assert scalar(url, "SELECT count(DISTINCT external_id) FROM concerns") == IMPORT_ROWS
        assert scalar(url, "SELECT count(*) FROM concerns") == IMPORT_ROWS
        assert "agree" in flask(env, "patterns", "check-rollups")


# --- the database going away under a running server ---------------------------------------------


def _outage_backends() -> list[str]:
    return ["postgresql"] if pg_answers() else ["sqlite"]


class Browser:
    """A cookie-keeping client for the server's pages (CSRF token from the login form)."""

    def __init__(self, url: str):
        self.url = url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.url + path))  # noqa: S310 (our own http://127.0.0.1)

    def post(self, path: str, form: dict) -> tuple[int, str]:
        data = urllib.parse.urlencode(form).encode()
        return self._open(urllib.request.Request(self.url + path, data=data, method="POST"))  # noqa: S310

    def _open(self, request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=30) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def login(self, email: str, password: str) -> None:
        status, html = self.get("/login")
        assert status == 200
        status, html = self.post("/login", {"csrf_token": _csrf(html), "email": email, "password": password})
        assert status == 200, status
        assert self.get("/")[0] == 200


def _csrf(html: str) -> str:
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert token, "no CSRF token in the page"
    return token.group(1)


def _api_post(server, token: str) -> tuple[int, dict]:
    request = urllib.request.Request(  # noqa: S310 (our own http://127.0.0.1)
        server.url + "/api/v1/concerns",
        data=json.dumps({"program": "housing", "tags": ["no-heat"], "summary": "During the outage"}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as r:  # noqa: S310
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def _check_down(server, visitor: Browser, login_form: str, member: Browser, token: str, email: str) -> int:
    """Assert the outage answers; return the status a signed-in page gets (see the test's end)."""
    status, body = healthz(server.url)
    assert status == 503, (status, body)
    assert json.loads(body)["database"] == "unreachable"
    # A page: signing in needs the database.
    status, html = visitor.post("/login", {"csrf_token": _csrf(login_form), "email": email, "password": PASSWORD})
    assert status == 503, (status, html[:2000])
    assert "Nothing you sent was saved" in html
    # The API: a write is refused as a whole.
    status, answer = _api_post(server, token)
    assert status == 503, (status, answer)
    assert "Nothing you sent was saved" in answer["errors"]["database"][0]
    status, html = member.get("/")
    if status == 503:
        assert "Nothing you sent was saved" in html
    return status


def _wait_healthy(server, timeout: float = 20) -> int:
    deadline = time.monotonic() + timeout
    while (status := healthz(server.url)[0]) != 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    return status


@pytest.mark.slow
@pytest.mark.parametrize("backend", _outage_backends())
def test_database_going_away_answers_503_and_recovers(backend, tmp_path):
    with fresh_database(backend, tmp_path, "outage") as url:
        env = server_env(tmp_path, url)
        setup = prepare(env, role="organizer")
        with gunicorn(env, tmp_path) as server:
            member = Browser(server.url)
            member.login(setup.email, PASSWORD)
            visitor = Browser(server.url)
            status, login_form = visitor.get("/login")
            assert status == 200
            for _ in range(4):  # every worker holds a pooled connection now
                assert healthz(server.url)[0] == 200
            signed_in = []
            if backend == "postgresql":
                name = make_url(url).database
                admin = create_engine(make_url(pg_server_url()).set(database="postgres"), isolation_level="AUTOCOMMIT")
                try:
                    with admin.connect() as conn:
                        conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
                        killed = conn.execute(
                            text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = :n"),
                            {"n": name},
                        ).scalar()
                    print(f"\n[outage postgresql] terminated {killed} server connection(s); new ones refused")
                    for _ in range(2):  # twice: no worker is wedged by its first failure
                        signed_in.append(_check_down(server, visitor, login_form, member, setup.token, setup.email))
                    with admin.connect() as conn:
                        conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
                finally:
                    admin.dispose()
            else:
                # The file disappears (a directory takes its place); gunicorn's workers are recycled
                # so their pooled connections, which would keep the old file open, are gone too.
                path = Path(make_url(url).database)
                aside = path.with_name(path.name + ".aside")
                os.replace(path, aside)
                path.mkdir()
                booted = server.log().count("Booting worker")
                server.proc.send_signal(signal.SIGHUP)
                deadline = time.monotonic() + 30
                while server.log().count("Booting worker") < booted + 2 and time.monotonic() < deadline:
                    time.sleep(0.2)
                print("\n[outage sqlite] database file replaced by a directory; workers recycled")
                for _ in range(2):
                    signed_in.append(_check_down(server, visitor, login_form, member, setup.token, setup.email))
                shutil.rmtree(path)
                os.replace(aside, path)
            assert _wait_healthy(server) == 200
            assert member.get("/")[0] == 200  # the same session, still signed in
            assert _api_post(server, setup.token)[0] == 201
            log = server.log()
        assert "database unavailable: OperationalError" in log
        assert scalar(url, "SELECT count(*) FROM concerns") == 1  # only the write made after recovery
        print(f"[outage {backend}] signed-in page during the outage answered {signed_in}")
        # Regression: the 503 page once asked the unreachable database who was signed in (a bare 500).
        assert signed_in == [503, 503]
