"""No lost writes under a real server: gunicorn (2 workers) and 8 concurrent API clients.

The server runs the working tree's code against its own fresh database (a SQLite file; with
TEST_DATABASE_URL on PostgreSQL also a fresh PostgreSQL database created for the test and dropped
after), built by ``flask db upgrade``. Helpers here are shared by tests/test_faults.py and
tests/test_backup.py.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
LOCKED = "database is locked"
PASSWORD = "concurrency correct horse battery"
CLIENTS = 8
PER_CLIENT = 250
STARTUP_TIMEOUT = 30.0


# --- shared helpers ------------------------------------------------------------------------------


def suite_pg_url() -> str | None:
    """TEST_DATABASE_URL when it points at PostgreSQL, else None."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    return url if url.startswith(("postgresql", "postgres:")) else None


def backends() -> list[str]:
    """SQLite always; PostgreSQL only when the suite itself runs on PostgreSQL."""
    return ["sqlite", "postgresql"] if suite_pg_url() else ["sqlite"]


def pg_server_url() -> str:
    """A URL for the PostgreSQL server to create throwaway databases on (the suite's, or 127.0.0.1:5432)."""
    return suite_pg_url() or "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def pg_answers() -> bool:
    url = make_url(pg_server_url())
    try:
        with socket.create_connection((url.host or "127.0.0.1", url.port or 5432), timeout=2):
            return True
    except OSError:
        return False


@contextmanager
def fresh_database(backend: str, tmp_path: Path, name: str = "caseflow"):
    """Yield the URL of a new, empty database; a PostgreSQL one is dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / (name + '.db')}"
        return
    server = make_url(pg_server_url())
    # Named after the suite's database when there is one, so each session's stay under its prefix.
    prefix = make_url(suite_pg_url()).database if suite_pg_url() else "caseflow"
    db_name = f"{prefix}_{name}_{secrets.token_hex(4)}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{db_name}"'))
    try:
        yield server.set(database=db_name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{db_name}" ALLOW_CONNECTIONS true'))
            conn.execute(text(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))
        admin.dispose()


def server_env(tmp_path: Path, database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CASEFLOW_", "TEST_DATABASE", "DATABASE_URL"))}
    instance = tmp_path / "instance"
    instance.mkdir(exist_ok=True)
    env.update(
        CASEFLOW_ENV="development",
        CASEFLOW_INSTANCE_PATH=str(instance),
        DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_hex(32),
        PYTHONUNBUFFERED="1",
    )
    return env


def flask(env: dict, *args: str, timeout: float = 120) -> str:
    """Run ``flask --app caseflow ARGS``; return stdout, raise with the output on failure."""
    proc = subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "caseflow", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if proc.returncode != 0:
        raise AssertionError(f"flask {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


def python(env: dict, code: str) -> str:
    """Run a short script with the app (``app`` is create_app(), inside an app context)."""
    prelude = "from caseflow import create_app\nfrom caseflow.extensions import db\napp = create_app()\n"
    script = prelude + "with app.app_context():\n" + "".join(f"    {line}\n" for line in code.strip().splitlines())
    proc = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    if proc.returncode != 0:
        raise AssertionError(f"script failed ({proc.returncode}):\n{script}\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


@dataclass
class Setup:
    email: str
    token: str


def prepare(env: dict, role: str = "caseworker") -> Setup:
    """Migrate the empty database; one user with a token; program `housing`, tag `no-heat`."""
    flask(env, "db", "upgrade")
    email = f"{role}@reliability.caseflow.test"
    flask(env, "users", "create", "--email", email, "--role", role, "--password", PASSWORD)
    token = flask(env, "users", "token", "--email", email, "--name", "reliability").strip()
    python(
        env,
        """
from caseflow.models import Program, Tag
db.session.add_all([Program(slug="housing", name="Housing"), Tag(slug="no-heat", name="No heat", category="Housing")])
db.session.commit()
""",
    )
    return Setup(email, token)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthz(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=5) as r:  # noqa: S310 (our own http://127.0.0.1)
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except (urllib.error.URLError, OSError):
        return 0, b""


@dataclass
class Server:
    url: str
    port: int
    proc: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@contextmanager
def gunicorn(env: dict, tmp_path: Path, workers: int = 2):
    """Serve wsgi:app with gunicorn (sync workers, one thread each) on a free port; yield a Server."""
    from gunicorn.config import Config

    port = free_port()
    log_path = tmp_path / f"gunicorn-{port}.log"
    no_control = ["--no-control-socket"] if "control_socket_disable" in Config().settings else []
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                *("--workers", str(workers), "--threads", "1"),
                *("--bind", f"127.0.0.1:{port}"),
                *no_control,
                "wsgi:app",
            ],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        server = Server(f"http://127.0.0.1:{port}", port, proc, log_path)
        try:
            deadline = time.monotonic() + STARTUP_TIMEOUT
            while healthz(server.url)[0] != 200:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"gunicorn did not become healthy:\n{server.log()[-4000:]}")
                time.sleep(0.2)
            yield server
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def scalar(database_url: str, sql: str):
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql)).scalar()
    finally:
        engine.dispose()


# --- the test ------------------------------------------------------------------------------------


@dataclass
class ClientResult:
    statuses: list[int]
    locked_bodies: int = 0
    reconnects: int = 0
    error: str = ""


def _post_many(port: int, token: str, client_no: int, start: threading.Barrier, n: int = PER_CLIENT) -> ClientResult:
    result = ClientResult([])
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    start.wait()
    try:
        for i in range(n):
            body = json.dumps(
                {
                    "program": "housing",
                    "tags": ["no-heat"],
                    "summary": f"Concurrent concern {client_no}-{i}",
                    # A retried request after a dropped connection cannot store a duplicate.
                    "external_id": f"conc-{client_no}-{i}",
                }
            )
            for attempt in range(3):
                try:
                    conn.request("POST", "/api/v1/concerns", body=body, headers=headers)
                    response = conn.getresponse()
                    data = response.read()
                    break
                except (http.client.RemoteDisconnected, ConnectionError, http.client.BadStatusLine):
                    if attempt == 2:
                        raise
                    result.reconnects += 1
                    conn.close()
            result.statuses.append(response.status)
            if LOCKED.encode() in data:
                result.locked_bodies += 1
    except Exception as e:  # reported by the test, which fails on it
        result.error = f"client {client_no}: {e!r}"
    finally:
        conn.close()
    return result


@pytest.mark.slow
@pytest.mark.parametrize("backend", backends())
def test_concurrent_api_writes_under_gunicorn_are_all_stored(backend, tmp_path):
    with fresh_database(backend, tmp_path, "conc") as url:
        env = server_env(tmp_path, url)
        setup = prepare(env)
        with gunicorn(env, tmp_path) as server:
            results: list[ClientResult] = [ClientResult([]) for _ in range(CLIENTS)]
            start = threading.Barrier(CLIENTS + 1)

            def run(n: int) -> None:
                results[n] = _post_many(server.port, setup.token, n, start)

            threads = [threading.Thread(target=run, args=(n,)) for n in range(CLIENTS)]
            for t in threads:
                t.start()
            start.wait()
            began = time.perf_counter()
            for t in threads:
                t.join(timeout=300)
            elapsed = time.perf_counter() - began
            log = server.log()

        stored = scalar(url, "SELECT count(*) FROM concerns")
        statuses = [s for r in results for s in r.statuses]
        server_errors = sum(1 for s in statuses if s >= 500)
        print(
            f"\n[concurrency {backend}] {CLIENTS} clients x {PER_CLIENT} POST /api/v1/concerns on gunicorn "
            f"(2 workers): {len(statuses)} answered in {elapsed:.2f} s = {len(statuses) / elapsed:.0f} req/s; "
            f"stored {stored}, lost {CLIENTS * PER_CLIENT - stored}, 5xx {server_errors}, "
            f"reconnects {sum(r.reconnects for r in results)}"
        )
        assert [r.error for r in results if r.error] == []
        assert not any(t.is_alive() for t in threads)
        assert sorted(set(statuses)) == [201], {s: statuses.count(s) for s in set(statuses)}
        assert server_errors == 0
        assert sum(r.locked_bodies for r in results) == 0
        assert LOCKED not in log.lower(), log[-4000:]
        assert stored == CLIENTS * PER_CLIENT
        assert scalar(url, "SELECT count(DISTINCT external_id) FROM concerns") == CLIENTS * PER_CLIENT


@pytest.mark.slow
def test_two_app_servers_and_two_schedulers_on_one_postgresql(tmp_path):
    """Past one machine: two gunicorn servers (as on two web nodes) take writes for the same
    database at once, while two scheduler processes fire the same job slot; nothing is lost, the
    rollups stay exact, and the job runs once. Several nodes share a database only on PostgreSQL,
    so this runs on it in either pass of the suite (the suite's server, or 127.0.0.1:5432)."""
    assert pg_answers(), f"needs a PostgreSQL server at {make_url(pg_server_url()).host} (see README)"
    per_client = 60
    with fresh_database("postgresql", tmp_path, "nodes") as url:
        env = server_env(tmp_path, url)
        setup = prepare(env)
        with gunicorn(env, tmp_path) as first, gunicorn(env, tmp_path) as second:
            ports = [first.port, second.port]
            results: list[ClientResult] = [ClientResult([]) for _ in range(CLIENTS)]
            start = threading.Barrier(CLIENTS + 1)

            def run(n: int) -> None:
                results[n] = _post_many(ports[n % 2], setup.token, n, start, per_client)

            threads = [threading.Thread(target=run, args=(n,)) for n in range(CLIENTS)]
            for t in threads:
                t.start()
            fire = "from caseflow import jobs\nrun = jobs.run_scheduled(app, 'weekly-digest')\nprint('ran' if run else 'skipped')"
            schedulers = [
                subprocess.Popen(
                    [sys.executable, "-c", _script(fire)], cwd=REPO, env=env, stdout=subprocess.PIPE, text=True
                )
                for _ in range(2)
            ]
            start.wait()
            for t in threads:
                t.join(timeout=300)
            fired = sorted(p.communicate(timeout=120)[0].strip() for p in schedulers)
        statuses = [s for r in results for s in r.statuses]
        assert [r.error for r in results if r.error] == []
        assert sorted(set(statuses)) == [201], {s: statuses.count(s) for s in set(statuses)}
        assert scalar(url, "SELECT count(*) FROM concerns") == CLIENTS * per_client
        assert fired == ["ran", "skipped"]
        assert scalar(url, "SELECT count(*) FROM job_runs WHERE job_id = 'weekly-digest'") == 1
        assert "agree" in flask(env, "patterns", "check-rollups")


def _script(code: str) -> str:
    prelude = "from caseflow import create_app\nfrom caseflow.extensions import db\napp = create_app()\n"
    return prelude + code
