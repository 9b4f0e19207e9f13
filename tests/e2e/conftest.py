"""Real-browser journeys: a real gunicorn server, Debian's chromium, axe accessibility checks.

Run with ``make test-e2e`` (``make test`` never collects this folder). Needs ``/usr/bin/chromium``
(``apt-get install -y chromium``); Playwright's own browser downloads are not used.

What the session sets up
    One gunicorn server (2 workers) on 127.0.0.1 and a free port, with its own fresh SQLite
    database in a temp dir, migrated with ``flask db upgrade``; one user per role created with
    ``flask users create``; one headless chromium. Nothing is reset between tests, so a journey
    that creates data should use unique names (e.g. ``unique("program")``) and must not change
    the shared users' passwords, roles or active flag (create your own user for that).

Fixtures
    ``base_url``          "http://127.0.0.1:PORT" of the server (``live_server`` has .url, .env
                          and .log_path; the server runs the working tree's code).
    ``users``             role -> Account(email, password, role) for caseworker, organizer,
                          director, admin. ``users["admin"].email``.
    ``browser``           the session's chromium (playwright.sync_api.Browser).
    ``page``              a fresh context and page per test, 1280x900, ``base_url`` set so
                          ``page.goto("/login")`` works. Uncaught JavaScript errors and CSP
                          violations fail the test. A failing test leaves ``FAILED-<test>.png``.
    ``phone_page``        the same at phone size (375x812, mobile emulation, touch).
    ``login(page, role)`` logs in through the login form (fill and click) as the
                          shared user of that role, or ``login(page, account=Account(...))``;
                          for a user with two-step login (the shared director and admin: their
                          roles require it) types the authenticator's code on /login/code too;
                          waits until the browser has left /login; returns the page.
    ``second_step(page, account)``  on /login/code, types the code an authenticator app would show
                          now (pyotp, by the server's clock; never a code already used).
    ``totp_secrets``      email -> the base32 key of each shared user with two-step login (the
                          director and admin, enrolled with ``flask users mfa-enrol``), per server.
    ``check_a11y(page, name)``  runs axe-core on the page as it is now; fails on any violation
                          of impact "serious" or "critical" (listing rule, impact, nodes) and
                          records the counts of lower-impact ones under ``name`` in
                          test-artifacts/e2e/axe-summary.json. Call it on every page state a
                          journey visits, including forms showing errors.
    ``screenshot(page, name)``  full-page PNG to test-artifacts/e2e/<name>.png; returns the path.
    ``assert_no_horizontal_scroll(page)``  fails when the page is wider than the viewport
                          (document.documentElement.scrollWidth > window.innerWidth, or >
                          its clientWidth, which mobile emulation keeps at the device width).
    ``unique(prefix)``    a short unique lowercase slug, e.g. "program-3f9a1c".
    ``api(method, path, body=None, role="admin")``  calls the JSON API with a Bearer token of
                          that role's user (made once with ``flask users token``); returns
                          (status, json). Use it to set up data (the database starts with no
                          programs, tags or concerns) so the browser spends its time on the journey.
    ``flask_cli(*args)``  runs ``flask --app caseflow ...`` against the server's database.
    ``app_today``         the organisation's date by the server's clock (``flask clock``); use it,
                          never the machine's date, for any date a journey types or checks.
                          ``CASEFLOW_E2E_CLOCK_AT=2026-11-29T02:00:00Z`` starts the servers' (and
                          the CLI's) clock at that instant, to run every journey at 02:00 UTC.
    ``demo_server``, ``demo_page``  a server (started only when asked for) with the demo organisation
                          loaded by ``flask seed-demo`` and the same users.
    ``gated_server``, ``gated_api``, ``gated_flask_cli``, ``gated_page``, ``gated_phone_page``
                          the same against a second server (started only when asked for) with
                          the advisory gate on (CASEFLOW_ADVISORY_GATE=1) and its own fresh
                          database and the same users. ``login`` works on ``gated_page``.

Names given to ``check_a11y`` and ``screenshot`` must be unique across the whole suite (they key
the summary and name the files); prefix them with the journey, e.g. "campaign-board".

Writing a journey (tests/e2e/test_<something>_journey.py)::

    from playwright.sync_api import expect

    def test_caseworker_logs_a_concern(page, login, api, check_a11y, screenshot, unique):
        api("POST", "/api/v1/programs", {"slug": unique("housing"), "name": "Housing"})
        login(page, "caseworker")
        page.get_by_role("link", name="Log a concern").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Log a concern")
        check_a11y(page, "quick-log")
        page.get_by_label("Summary").fill(f"No heat since Monday {unique('c')}")
        page.get_by_role("button", name="Log concern").click()
        expect(page.get_by_role("status")).to_contain_text("logged")
        screenshot(page, "quick-log-done")

Prefer role/label locators (``get_by_role``, ``get_by_label``) over CSS: they test what a
screen-reader user meets. The artifacts folder is printed at the end of the run.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
ARTIFACTS = REPO / "test-artifacts" / "e2e"
AXE_SUMMARY = ARTIFACTS / "axe-summary.json"
CHROMIUM = os.environ.get("CASEFLOW_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
ROLES = ("caseworker", "organizer", "director", "admin")
PASSWORD = "e2e correct horse battery staple"
TWO_STEP_ROLES = ("director", "admin")  # their roles require two-step login (MFA_REQUIRED_ROLES)
FAILING_IMPACTS = ("serious", "critical")
STARTUP_TIMEOUT = 30.0


@dataclass(frozen=True)
class Account:
    email: str
    password: str
    role: str


@dataclass(frozen=True)
class Server:
    url: str
    env: dict
    log_path: Path


# --- the server -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _flask(env: dict, *commands) -> str:
    """Run `flask --app caseflow ...`: one command (strings), or several tuples run side by side.

    Returns the (last) command's stdout; raises with the output when any command fails."""
    if commands and isinstance(commands[0], str):
        commands = (commands,)
    procs = [
        (
            args,
            subprocess.Popen(
                [str(VENV_BIN / "flask"), "--app", "caseflow", *args],
                cwd=REPO,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            ),
        )
        for args in commands
    ]
    failures, out = [], ""
    for args, proc in procs:
        out, err = proc.communicate(timeout=120)
        if proc.returncode != 0:
            shown = " ".join("***" if a == PASSWORD else a for a in args)
            failures.append(f"flask {shown} failed ({proc.returncode}):\n{out}\n{err}")
    if failures:
        raise RuntimeError("\n".join(failures))
    return out


def _no_control_socket() -> list[str]:
    """Newer gunicorn opens a control socket in $HOME, shared by every run; this server needs none."""
    from gunicorn.config import Config

    return ["--no-control-socket"] if "control_socket_disable" in Config().settings else []


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=2) as r:  # noqa: S310 (our own http://127.0.0.1)
            return r.status == 200
    except (urllib.error.URLError, OSError):
        return False


# --- two-step login -----------------------------------------------------------------------------

_TOTP: dict[str, dict] = {}  # server url -> {"secrets": {email: key}, "offset": seconds, "last": {email: step}}


def _clock_offset() -> float:
    """How far the server's clock is from the machine's: CASEFLOW_E2E_CLOCK_AT starts it at that
    instant when the server starts (now, within a second: inside a 30-second code step)."""
    start = os.environ.get("CASEFLOW_E2E_CLOCK_AT")
    if not start:
        return 0.0
    from datetime import datetime

    return datetime.fromisoformat(start.replace("Z", "+00:00")).timestamp() - time.time()


def _server_of(page) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(page.url)
    return f"{parts.scheme}://{parts.netloc}"


def _type_code(page, account: Account) -> None:
    """Type the code an authenticator shows now; a step the server has accepted is never sent again
    (it refuses replays), so a second login within 30 seconds uses the next step or waits for it."""
    import pyotp

    server = _TOTP[_server_of(page)]
    secret = server["secrets"][account.email]
    step = int((time.time() + server["offset"]) // 30)
    last = server["last"].get(account.email)
    if last is not None and step <= last:
        if last + 1 > step + 1:
            time.sleep(30 - (time.time() + server["offset"]) % 30 + 0.5)
            step = int((time.time() + server["offset"]) // 30)
        step = max(step, last + 1)
    server["last"][account.email] = step
    page.get_by_label("Code").fill(pyotp.TOTP(secret).generate_otp(step))
    page.get_by_role("button", name="Verify").click()


@pytest.fixture(scope="session")
def second_step():
    return _type_code


@pytest.fixture(scope="session")
def totp_secrets(live_server) -> dict[str, str]:
    return dict(_TOTP[live_server.url]["secrets"])


@pytest.fixture(scope="session")
def users() -> dict[str, Account]:
    return {role: Account(f"{role}@e2e.caseflow.test", PASSWORD, role) for role in ROLES}


def _serve(tmp_path_factory, users, name: str = "e2e-server", setup: tuple = (), **extra_env):
    """Start the app as a real gunicorn process with its own fresh database; yield a Server."""
    tmp = tmp_path_factory.mktemp(name)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CASEFLOW_", "TEST_DATABASE"))}
    env.update(
        CASEFLOW_ENV="development",
        CASEFLOW_INSTANCE_PATH=str(tmp),
        DATABASE_URL=f"sqlite:///{tmp}/e2e.db",
        SECRET_KEY=secrets.token_hex(32),
        PYTHONUNBUFFERED="1",
        **extra_env,
    )
    if os.environ.get("CASEFLOW_E2E_CLOCK_AT"):
        # Run every journey with the app's clock started at a chosen instant, e.g. 02:00 UTC:
        # CASEFLOW_E2E_CLOCK_AT=2026-11-29T02:00:00Z make test-e2e
        env["CASEFLOW_CLOCK_AT"] = os.environ["CASEFLOW_E2E_CLOCK_AT"]
    _flask(env, "db", "upgrade")
    _flask(
        env,
        *[
            ("users", "create", "--email", a.email, "--role", a.role, "--name", f"E2E {a.role.title()}")
            + ("--password", a.password)
            for a in users.values()
        ],
    )
    for command in setup:  # e.g. ("seed-demo", "--force") before the server starts
        _flask(env, *command)
    two_step = {
        a.email: _flask(env, "users", "mfa-enrol", "--email", a.email).strip()
        for a in users.values()
        if a.role in TWO_STEP_ROLES
    }
    log_path = tmp / "gunicorn.log"
    log = open(log_path, "w")  # closed at teardown
    proc = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            *_no_control_socket(),
            "wsgi:app",
        ],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    _TOTP[url] = {"secrets": two_step, "offset": _clock_offset(), "last": {}}
    deadline = time.monotonic() + STARTUP_TIMEOUT
    try:
        while not _healthy(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not become healthy at {url}:\n{log_path.read_text()[-4000:]}")
            time.sleep(0.2)
        _SESSION.setdefault("server_logs", {})[name] = str(log_path)
        yield Server(url, env, log_path)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, users):
    """Start the app as a real gunicorn process with its own fresh database; yield a Server."""
    yield from _serve(tmp_path_factory, users)


@pytest.fixture(scope="session")
def gated_server(tmp_path_factory, users):
    """A second server, started only when a test asks for it, with the advisory gate on
    (CASEFLOW_ADVISORY_GATE=1: entering Strategy or Action needs the committee's recorded approval).
    Its own fresh database and the same users; nothing shared with ``live_server``."""
    yield from _serve(tmp_path_factory, users, "e2e-gated-server", CASEFLOW_ADVISORY_GATE="1")


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    return live_server.url


@pytest.fixture(scope="session")
def flask_cli(live_server):
    """flask_cli("users", "token", "--email", e) runs the CLI against the server's database; returns stdout."""
    return lambda *args: _flask(live_server.env, *args)


def _api_client(base_url: str, users: dict, flask_cli):
    tokens: dict[str, str] = {}

    def _call(method: str, path: str, body=None, role: str = "admin"):
        if role not in tokens:
            tokens[role] = flask_cli("users", "token", "--email", users[role].email, "--name", "e2e").strip()
        request = urllib.request.Request(  # noqa: S310 (our own http://127.0.0.1)
            base_url + path,
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {tokens[role]}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as r:  # noqa: S310
                status, raw = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, raw = e.code, e.read()
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, raw.decode(errors="replace")

    return _call


@pytest.fixture(scope="session")
def app_today(flask_cli):
    """The organisation's date by the app's own clock (``flask clock``), never the machine's: between
    00:00 and 05:00 UTC New York is still on the day before."""
    from datetime import date

    return date.fromisoformat(json.loads(flask_cli("clock"))["today"])


@pytest.fixture(scope="session")
def api(base_url, users, flask_cli):
    """api(method, path, body=None, role="admin") -> (status, parsed JSON) with that role's Bearer token.

    For setting up data quickly (programs, tags, concerns, campaigns) so a journey can start where
    it matters: ``api("POST", "/api/v1/tags", {"slug": "no-heat", "name": "No heat", "category": "Housing"})``.
    """
    return _api_client(base_url, users, flask_cli)


@pytest.fixture(scope="session")
def gated_flask_cli(gated_server):
    """``flask_cli`` against the gated server's database."""
    return lambda *args: _flask(gated_server.env, *args)


@pytest.fixture(scope="session")
def gated_app_today(gated_flask_cli):
    """``app_today`` by the gated server's clock."""
    from datetime import date

    return date.fromisoformat(json.loads(gated_flask_cli("clock"))["today"])


@pytest.fixture(scope="session")
def gated_api(gated_server, users, gated_flask_cli):
    """``api`` against the gated server (the advisory gate on)."""
    return _api_client(gated_server.url, users, gated_flask_cli)


# --- the browser ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get update && apt-get install -y chromium", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def _test_slug(nodeid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", nodeid.split("::", 1)[-1]).strip("-")[:80]


def _open_page(browser, base_url, request, **context_options):
    context = browser.new_context(base_url=base_url, **context_options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"JavaScript error: {exc}"))
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console: {msg.text}")
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed and not page.is_closed():
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        try:
            page.screenshot(path=str(ARTIFACTS / f"FAILED-{_test_slug(request.node.nodeid)}.png"), full_page=True)
        except Exception:  # noqa: S110 (best effort: the test already failed)
            pass
    context.close()
    assert not problems, "The page reported problems:\n" + "\n".join(problems)


@pytest.fixture
def page(browser, base_url, request):
    yield from _open_page(browser, base_url, request, viewport=DESKTOP)


@pytest.fixture
def phone_page(browser, base_url, request):
    yield from _open_page(browser, base_url, request, viewport=PHONE, is_mobile=True, has_touch=True)


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory, users):
    """A third server, started only when a test asks for it, holding the demo organisation
    (``flask seed-demo``) besides the shared users: for checks that need the demo's full quarter."""
    yield from _serve(tmp_path_factory, users, "e2e-demo-server", setup=(("seed-demo", "--force"),))


@pytest.fixture
def demo_page(browser, demo_server, request):
    """``page`` on the demo server."""
    yield from _open_page(browser, demo_server.url, request, viewport=DESKTOP)


@pytest.fixture
def gated_page(browser, gated_server, request):
    """``page`` on the gated server (``login`` works with it as with any page)."""
    yield from _open_page(browser, gated_server.url, request, viewport=DESKTOP)


@pytest.fixture
def gated_phone_page(browser, gated_server, request):
    """``phone_page`` on the gated server."""
    yield from _open_page(browser, gated_server.url, request, viewport=PHONE, is_mobile=True, has_touch=True)


@pytest.fixture
def login(users):
    from playwright.sync_api import expect

    def _login(page, role: str = "admin", *, account: Account | None = None):
        account = account or users[role]
        page.goto("/login")
        page.get_by_label("E-mail").fill(account.email)
        page.get_by_label("Password").fill(account.password)
        page.get_by_role("button", name="Log in").click()
        expect(page).not_to_have_url(re.compile(r"/login(\?|$)"))
        if re.search(r"/login/code(\?|$)", page.url):
            _type_code(page, account)
            expect(page).not_to_have_url(re.compile(r"/login(/code)?(\?|$)"))
        return page

    return _login


@pytest.fixture
def unique():
    return lambda prefix="e2e": f"{prefix}-{secrets.token_hex(3)}"


# --- checks and artifacts ---------------------------------------------------------------------

_SESSION: dict = {"axe": {}, "screenshots": 0, "server_logs": {}}


def _describe(violation: dict) -> str:
    nodes = violation.get("nodes", [])
    targets = "; ".join(" ".join(map(str, n.get("target", []))) for n in nodes[:8])
    more = f" (+{len(nodes) - 8} more)" if len(nodes) > 8 else ""
    return f"- {violation['id']} [{violation.get('impact')}]: {violation.get('help', '')}\n    nodes: {targets}{more}"


@pytest.fixture
def check_a11y():
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def _check(page, name: str) -> dict:
        violations = axe.run(page).response.get("violations", [])
        counts: dict[str, int] = {}
        for v in violations:
            counts[v.get("impact") or "unknown"] = counts.get(v.get("impact") or "unknown", 0) + 1
        _SESSION["axe"][name] = {
            "url": page.url,
            "counts": counts,
            "rules": sorted(f"{v['id']} ({v.get('impact')})" for v in violations),
        }
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        AXE_SUMMARY.write_text(json.dumps(_SESSION["axe"], indent=2, sort_keys=True) + "\n")
        blocking = [v for v in violations if v.get("impact") in FAILING_IMPACTS]
        assert not blocking, (
            f"axe: {len(blocking)} serious/critical violation(s) on {name} ({page.url}):\n"
            + "\n".join(map(_describe, blocking))
        )
        return counts

    return _check


@pytest.fixture
def screenshot():
    def _shot(page, name: str, full_page: bool = True) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / (re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") + ".png")
        page.screenshot(path=str(path), full_page=full_page)
        _SESSION["screenshots"] += 1
        return path

    return _shot


def _assert_no_horizontal_scroll(page) -> None:
    """The page is no wider than the viewport.

    Under mobile emulation a too-wide page makes chromium widen the layout (window.innerWidth grows
    to fit, as a phone zooms out), so the width is also checked against documentElement.clientWidth,
    which stays at the device width. The widest offending elements are named in the message.
    """
    w = page.evaluate(
        """() => {
          const root = document.documentElement, limit = Math.min(window.innerWidth, root.clientWidth);
          const wide = [];
          for (const el of document.body.querySelectorAll('*')) {
            const r = el.getBoundingClientRect();
            if (r.right > limit + 1 && r.width > 0) {
              wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                        (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
                        (['absolute', 'fixed'].includes(getComputedStyle(el).position) ? ' [position: ' + getComputedStyle(el).position + ']' : '') +
                        ' (right edge ' + Math.round(r.right) + 'px)');
            }
          }
          return {scroll: root.scrollWidth, inner: window.innerWidth, client: root.clientWidth, wide: wide.slice(-8)};
        }"""
    )
    limit = min(w["inner"], w["client"])
    assert w["scroll"] <= limit, (
        f"{page.url} scrolls sideways: content is {w['scroll']}px wide in a {limit}px viewport "
        f"(innerWidth {w['inner']}, clientWidth {w['client']}). Elements past the edge (innermost last): "
        + "; ".join(w["wide"])
    )


@pytest.fixture
def assert_no_horizontal_scroll():
    return _assert_no_horizontal_scroll


# --- hooks ------------------------------------------------------------------------------------


def pytest_sessionstart(session):
    # Old screenshots and the old summary would mislead; keep the folder itself.
    if ARTIFACTS.exists():
        for old in [*ARTIFACTS.glob("*.png"), AXE_SUMMARY]:
            if old.is_file():
                old.unlink()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def pytest_terminal_summary(terminalreporter):
    if not _SESSION["axe"] and not _SESSION["screenshots"]:
        return
    tr = terminalreporter
    tr.section("e2e artifacts")
    tr.write_line(f"screenshots and axe summary: {ARTIFACTS}")
    for name, log_path in _SESSION["server_logs"].items():
        tr.write_line(f"server log ({name}): {log_path}")
    for name, entry in sorted(_SESSION["axe"].items()):
        counts = ", ".join(f"{k} {v}" for k, v in sorted(entry["counts"].items())) or "none"
        tr.write_line(f"  axe {name:<22} {counts}")
