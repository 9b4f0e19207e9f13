"""Caseflow's performance benchmark: every figure against its target and its floor, in one table.

    make bench                                   # default scales 100,000 and 1,000,000; SQLite and PostgreSQL
    BENCH_SIZES=100000 make bench                # shorter
    .venv/bin/python -m bench.run --sizes 100000,1000000 --dbs sqlite,postgresql

For each database and scale (generated first unless cached, see bench/generate.py):
  1. the pattern list — find_patterns(90-day window, all groupings, trend) plus the disparity of the
     top pattern — and its floor, one bare `SELECT tag_id, count(*) … GROUP BY tag_id` over the window;
  2. the pattern detail page, the equity overview and the filtered, paginated concern list, as full
     HTTP GETs through the Flask test client, logged in as an organizer;
  3. building one quarterly summary (the last complete quarter);
  5. the peak resident memory (VmHWM) of the process that ran 1–3 (a fresh process per database/scale);
  4. POST /api/v1/concerns under gunicorn (2 workers, 16 keep-alive clients) and, as its floor,
     bench/floor_app.py served the same way: throughput, p50/p95 latency, workers' peak memory.
Each read is timed WARMUP times untimed then REPEAT times; the table shows the median and p95.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import shlex
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

from bench import generate as gen
from caseflow import dates

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "RESULTS.md"

TARGET_LIST_MS = 300
TARGET_PAGE_MS = 150
TARGET_SUMMARY_MS = 2000
TARGET_LIST_RATIO = 1.5
TARGET_LOG_SHARE = 0.5
TARGET_LOG_P95_MS = 50
TARGET_IMPORT_RATE = 5000
TARGET_RSS_MB = 200
TARGET_GROWTH = 3.0


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _stats(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return {"median": statistics.median(ordered), "p95": p95, "n": len(ordered)}


def _timed(fn, warmup: int, repeat: int) -> dict:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return _stats(samples)


def vm_hwm_kb(pid: int | str = "self") -> int | None:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(r"^VmHWM:\s+(\d+) kB", text, re.M)
    return int(match.group(1)) if match else None


def organizer_client(app):
    """A Flask test client logged in as the bench organizer (through the login form and its CSRF token)."""
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    response = client.post(
        "/login",
        data={"email": gen.ORGANIZER_EMAIL, "password": gen.BENCH_PASSWORD, "csrf_token": token.group(1)},
    )
    assert response.status_code == 302, response.status_code
    return client


# --- 1–3 and 5: reads, in a fresh process per database and scale --------------------------------


def reads(kind: str, n: int, warmup: int, repeat: int) -> dict:
    from sqlalchemy import Date, bindparam, text

    from caseflow.equity.policy import Audience, Disclosure
    from caseflow.extensions import db
    from caseflow.patterns.engine import PatternSettings, disparity_for, find_patterns
    from caseflow.patterns.keys import PatternKey

    app = gen._app(kind, n)
    out: dict = {"kind": kind, "n": n}
    with app.app_context():
        settings = PatternSettings.from_config(window_days=90)
        as_of = settings.as_of
        caseworker = Disclosure(Audience.AGGREGATE, settings.min_cell)

        def pattern_list():
            # As a caseworker sees it: counts of people published by the cell key method.
            patterns = find_patterns(settings, disclosure=caseworker)
            top = max((p for p in patterns if p.grouping == "tag"), key=lambda p: (p.count, p.key))
            gap = disparity_for(PatternKey.parse(top.key), settings.start, as_of, caseworker)
            db.session.rollback()
            return patterns, top, gap

        floor_sql = text(
            "SELECT ct.tag_id, count(*) FROM concerns c JOIN concern_tags ct ON ct.concern_id = c.id "
            "WHERE c.occurred_on BETWEEN :start AND :end GROUP BY ct.tag_id"
        ).bindparams(bindparam("start", type_=Date), bindparam("end", type_=Date))

        def floor():
            db.session.execute(floor_sql, {"start": settings.start, "end": as_of}).all()
            db.session.rollback()

        patterns, top, _ = pattern_list()
        out["patterns_found"] = len(patterns)
        out["top_pattern"] = top.key
        log(f"[{kind} {n:,}] pattern list ({len(patterns)} patterns, top {top.key}) …")
        out["pattern_list"] = _timed(pattern_list, warmup, repeat)
        out["pattern_floor"] = _timed(floor, warmup, repeat)

        # Quarterly summary: the last complete quarter, if the reflection part exists yet.
        try:
            from caseflow.reflection.quarters import Quarter
            from caseflow.reflection.summary import build_summary
        except ImportError:
            out["summary"] = "not built yet"
        else:
            quarter = Quarter.containing(as_of, app.config["FISCAL_YEAR_START_MONTH"])
            quarter = quarter.previous() if hasattr(quarter, "previous") else quarter
            out["summary_quarter"] = quarter.label

            def summary():
                build_summary(quarter)
                db.session.rollback()

            log(f"[{kind} {n:,}] quarterly summary {quarter.label} …")
            try:
                out["summary"] = _timed(summary, 1, max(3, repeat // 3))
            except Exception as e:  # noqa: BLE001  (report, do not abort the run)
                db.session.rollback()
                out["summary"] = f"error: {type(e).__name__}: {str(e).splitlines()[0][:120]}"
        db.session.remove()

    # Pages over HTTP, logged in as the organizer.
    client = organizer_client(app)
    since = (as_of - timedelta(days=89)).isoformat()
    top_tag = top.key.split(":", 1)[1]
    pages = {
        "detail": f"/patterns/detail?key={top.key}",
        "equity": "/patterns/equity",
        "concern_list": f"/concerns?tag={top_tag}&since={since}&page=3",
        "pattern_page": "/patterns/",
        "quick_log": "/log",
    }
    out["urls"] = pages
    for name, url in pages.items():
        log(f"[{kind} {n:,}] GET {url} …")

        def get(url=url):
            r = client.get(url)
            assert r.status_code == 200, (url, r.status_code)

        out[name] = _timed(get, warmup, repeat)
    out["reads_peak_rss_kb"] = vm_hwm_kb()
    with app.app_context():
        db.engine.dispose()
    return out


def run_reads(kind: str, n: int, warmup: int, repeat: int) -> dict:
    cmd = [sys.executable, "-m", "bench.run", "--reads", kind, str(n), "--warmup", str(warmup), "--repeat", str(repeat)]
    done = subprocess.run(cmd, cwd=ROOT, env=gen.bench_env(kind, n), capture_output=True, text=True)  # noqa: S603
    for line in done.stderr.splitlines():
        if line.startswith("["):
            log(line)
    if done.returncode != 0:
        raise RuntimeError(f"reads failed for {kind} {n}:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- 4: logging under gunicorn -----------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class Server:
    def __init__(self, app_spec: str, env: dict, workers: int = 2):
        self.port = _free_port()
        self.cmd = [
            str(BIN / "gunicorn"),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--log-level",
            "warning",
            app_spec,
        ]
        self.env = env

    def __enter__(self):
        self.proc = subprocess.Popen(self.cmd, cwd=ROOT, env=self.env)  # noqa: S603
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError(f"gunicorn did not start: {self.cmd}")
        time.sleep(1.0)  # let both workers boot
        return self

    def workers_peak_kb(self) -> int | None:
        peaks = [vm_hwm_kb(pid) for pid in _children(self.proc.pid)]
        peaks = [p for p in peaks if p]
        return max(peaks) if peaks else None

    def __exit__(self, *exc):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _body(i: int, as_of: date) -> bytes:
    tags = gen.TAGS
    return json.dumps(
        {
            "program": gen.PROGRAMS[i % len(gen.PROGRAMS)][0],
            "tags": [tags[i % 11][0]] + ([tags[(i * 7) % len(tags)][0]] if i % 3 == 0 else []),
            "summary": f"Bench concern {i}: {gen.PHRASES[i % len(gen.PHRASES)]}",
            "occurred_on": (as_of - timedelta(days=i % 30)).isoformat(),
            "client_ref": f"bench-client-{i % 997}",
            "race_ethnicity": [gen.RACES[i % len(gen.RACES)]] if i % 5 else [],
            "zip": gen.ZIPS[i % len(gen.ZIPS)],
            "client_importance": 1 + i % 5,
            "wants_involvement": i % 8 == 0,
        }
    ).encode()


def hammer(port: int, token: str | None, total: int, clients: int, warmup: int = 100) -> dict:
    """`clients` threads, each with its own keep-alive connection, POST until `total` are done."""
    as_of = dates.today()  # the app's clock: the server under test reads the same CASEFLOW_TIMEZONE
    lock = threading.Lock()
    state = {"next": 0}
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    marks: dict[str, float] = {}

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        while True:
            with lock:
                i = state["next"]
                state["next"] += 1
                if i == warmup:
                    marks["start"] = time.perf_counter()
            if i >= total + warmup:
                break
            started = time.perf_counter()
            try:
                conn.request("POST", "/api/v1/concerns", body=_body(i, as_of), headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
                if response.getheader("connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException):
                conn.close()
                status = 599
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                if i >= warmup:
                    latencies.append(elapsed)
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - marks["start"]
    stats = _stats(latencies)
    ordered = sorted(latencies)
    return {
        "requests": len(latencies),
        "rps": len(latencies) / wall,
        "p50": stats["median"],
        "p95": stats["p95"],
        "p99": ordered[min(len(ordered) - 1, round(0.99 * len(ordered)))],
        "statuses": statuses,
    }


def _api_token(kind: str, n: int) -> str:
    done = subprocess.run(  # noqa: S603
        [str(BIN / "flask"), "--app", "caseflow", "users", "token", "--email", gen.API_EMAIL, "--name", "bench"],
        cwd=ROOT,
        env=gen.bench_env(kind, n),
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


def _delete_bench_concerns(kind: str, n: int) -> None:
    """Remove what the logging run added, so the database stays at N concerns."""
    from sqlalchemy import create_engine, text

    engine = create_engine(gen.database_url(kind, n))
    from caseflow.patterns.rollup import remove_concerns

    with engine.begin() as conn:
        api_user = conn.execute(text("SELECT id FROM users WHERE email = :e"), {"e": gen.API_EMAIL}).scalar()
        ids = "SELECT id FROM concerns WHERE author_id = :u"

        def delete_them():
            for table in ("campaign_evidence", "concern_tags", "concern_races"):
                conn.execute(text(f"DELETE FROM {table} WHERE concern_id IN ({ids})"), {"u": api_user})  # noqa: S608
            conn.execute(text("DELETE FROM concerns WHERE author_id = :u"), {"u": api_user})

        # Out of the rollups too, so every run starts from the same data.
        remove_concerns(conn, conn.execute(text(ids), {"u": api_user}).scalars().all(), delete_them)
    engine.dispose()


def run_logging(kind: str, n: int, total: int, clients: int) -> dict:
    from bench import floor_app

    env = gen.bench_env(kind, n)
    token = _api_token(kind, n)
    out = {}
    log(f"[{kind} {n:,}] logging: Caseflow under gunicorn, {clients} clients, {total} requests …")
    try:
        with Server("wsgi:app", env) as server:
            out["app"] = hammer(server.port, token, total, clients)
            out["app"]["worker_peak_rss_kb"] = server.workers_peak_kb()
    finally:
        _delete_bench_concerns(kind, n)
    log(f"[{kind} {n:,}] logging: floor app …")
    floor_app.prepare(env["DATABASE_URL"])
    try:
        with Server("bench.floor_app:app", env) as server:
            out["floor"] = hammer(server.port, None, total, clients)
            out["floor"]["worker_peak_rss_kb"] = server.workers_peak_kb()
    finally:
        floor_app.drop(env["DATABASE_URL"])
    return out


# --- the table ---------------------------------------------------------------------------------


def _ms(v: float | None) -> str:
    return "—" if v is None else f"{v:,.0f} ms" if v >= 10 else f"{v:.1f} ms"


def _mb(kb: int | None) -> str:
    return "—" if kb is None else f"{kb / 1024:,.0f} MB"


def _met(ok: bool | None) -> str:
    return "—" if ok is None else "met" if ok else "**not met**"


def rows_for(result: dict) -> list[list[str]]:
    rows = []
    if "reads" in result:
        rows += read_rows(result["reads"])
    if "logging" in result:
        rows += logging_rows(result["logging"])
    if "reads" in result:
        rows += read_rss_rows(result["reads"])
    if "imports" in result:
        rows += import_rows(result["imports"])
    return rows


def read_rows(r: dict) -> list[list[str]]:
    rows = []
    pl, fl = r["pattern_list"], r["pattern_floor"]
    ratio = pl["median"] / fl["median"] if fl["median"] else None
    rows.append(
        [
            "1. pattern list + top disparity",
            _ms(pl["median"]),
            _ms(pl["p95"]),
            f"≤ {TARGET_LIST_MS} ms, ≤ {TARGET_LIST_RATIO}× floor",
            f"{_ms(fl['median'])} (bare GROUP BY tag)",
            f"{ratio:.1f}×" if ratio else "—",
            _met(pl["median"] <= TARGET_LIST_MS and ratio is not None and ratio <= TARGET_LIST_RATIO),
        ]
    )
    for key, label in (
        ("detail", "2. pattern detail page"),
        ("equity", "2. equity overview page"),
        ("concern_list", "2. concern list, filtered, page 3"),
    ):
        s = r[key]
        rows.append(
            [label, _ms(s["median"]), _ms(s["p95"]), f"≤ {TARGET_PAGE_MS} ms", "—", "—", _met(s["median"] <= 150)]
        )
    for key, label in (
        ("pattern_page", "   pattern list page (HTTP, info)"),
        ("quick_log", "   quick-log form (info)"),
    ):
        s = r[key]
        rows.append([label, _ms(s["median"]), _ms(s["p95"]), "—", "—", "—", "—"])
    s = r["summary"]
    if isinstance(s, dict):
        label = f"3. quarterly summary {r.get('summary_quarter', '')}".rstrip()
        rows.append([label, _ms(s["median"]), _ms(s["p95"]), "≤ 2 s", "—", "—", _met(s["median"] <= TARGET_SUMMARY_MS)])
    else:
        rows.append(["3. quarterly summary", s, "", "≤ 2 s", "—", "—", "—"])
    return rows


def logging_rows(lg: dict) -> list[list[str]]:
    rows = []
    a, f = lg["app"], lg["floor"]
    share = a["rps"] / f["rps"] if f["rps"] else None
    rows.append(
        [
            "4. logging throughput (req/s)",
            f"{a['rps']:,.0f}/s",
            "",
            "≥ 50 % of floor",
            f"{f['rps']:,.0f}/s",
            f"{share:.0%}" if share else "—",
            _met(share is not None and share >= TARGET_LOG_SHARE),
        ]
    )
    rows.append(
        [
            "4. logging latency p50 / p95",
            _ms(a["p50"]),
            _ms(a["p95"]),
            f"p95 ≤ {TARGET_LOG_P95_MS} ms",
            f"{_ms(f['p50'])} / {_ms(f['p95'])}",
            f"{a['p95'] / f['p95']:.1f}× (p95)" if f["p95"] else "—",
            _met(a["p95"] <= TARGET_LOG_P95_MS),
        ]
    )
    bad = {k: v for k, v in a["statuses"].items() if str(k) != "201"}
    if bad:
        rows.append(["   logging non-201 responses", json.dumps(bad), "", "none", "", "", "**not met**"])
    wk, fk = a.get("worker_peak_rss_kb"), f.get("worker_peak_rss_kb")
    rows.append(
        [
            "5. peak RSS, gunicorn worker (logging)",
            _mb(wk),
            "",
            f"≤ {TARGET_RSS_MB} MB",
            _mb(fk),
            f"{wk / fk:.1f}×" if wk and fk else "—",
            _met(wk is not None and wk <= TARGET_RSS_MB * 1024),
        ]
    )
    return rows


def read_rss_rows(r: dict) -> list[list[str]]:
    rows = []
    peak = r["reads_peak_rss_kb"]
    rows.append(
        [
            "5. peak RSS, process serving 1–3",
            _mb(peak),
            "",
            f"≤ {TARGET_RSS_MB} MB",
            "—",
            "—",
            _met(peak is not None and peak <= TARGET_RSS_MB * 1024),
        ]
    )
    return rows


def import_rows(imp: dict) -> list[list[str]]:
    """Figure 6: the import's check and write rates (from the seconds the command reports; its
    wall-clock time, process start included, in brackets), and web writes during an import."""
    n = imp["rows"]
    floor_rate = n / imp["floor_s"]
    dry, alone = imp["dry_run"], imp["alone"]
    check_rate = n / dry.get("check_s", dry["command_s"])
    write_rate = n / alone["write_s"] if alone.get("write_s") else n / alone["command_s"]
    rows = [
        [
            "6. import: check every row (rows/s)",
            f"{check_rate:,.0f}/s",
            f"({n / dry['command_s']:,.0f}/s whole command)",
            f"≥ {TARGET_IMPORT_RATE:,}/s",
            "—",
            "—",
            _met(check_rate >= TARGET_IMPORT_RATE),
        ],
        [
            "6. import: write (rows/s)",
            f"{write_rate:,.0f}/s",
            f"({n / alone['command_s']:,.0f}/s whole command)",
            f"≥ {TARGET_IMPORT_RATE:,}/s",
            f"{floor_rate:,.0f}/s (bare executemany)",
            f"{write_rate / floor_rate:.0%}",
            _met(write_rate >= TARGET_IMPORT_RATE),
        ],
    ]
    d, idle = imp["during"], imp["idle"]
    rows.append(
        [
            f"6. web write during an import p50 / p95 (max), {d['writes']} writes",
            _ms(d["p50"]),
            f"{_ms(d['p95'])} ({_ms(d['max'])})",
            "max ≤ 1,000 ms",
            f"{_ms(idle['p50'])} / {_ms(idle['p95'])} ({_ms(idle['max'])}) no import",
            f"{d['p95'] / idle['p95']:.1f}× (p95)" if idle["p95"] else "—",
            _met(d["max"] <= 1000 and set(d["statuses"]) <= {201, "201"}),
        ]
    )
    bad = {k: v for k, v in d["statuses"].items() if str(k) != "201"}
    if bad:
        rows.append(["   web writes refused during the import", json.dumps(bad), "", "none", "", "", "**not met**"])
    return rows


def table(results: list[dict]) -> str:
    head = ["figure", "median", "p95", "target", "floor", "ratio", "target met"]
    lines = []
    for result in results:
        lines.append(f"\n### {result['kind']} — {result['n']:,} concerns\n")
        if "reads" in result:
            reads_ = result["reads"]
            lines.append(f"Pattern list found {reads_['patterns_found']} patterns; top `{reads_['top_pattern']}`.")
        lines.append(
            f"Load average (1, 5, 15 min) before / after: {result.get('load', '?')} / {result.get('load_after', '?')}."
        )
        lines.append(f"Generated in {result.get('load_seconds') or '?'} s (cached across runs).\n")
        lines.append("| " + " | ".join(head) + " |")
        lines.append("|" + "---|" * len(head))
        for row in rows_for(result):
            lines.append("| " + " | ".join(row) + " |")
    for (small, large), growth in _growth(results).items():
        lines.append(f"\n### Growth of the pattern list, {small:,} → {large:,} concerns\n")
        lines.append(
            f"| database | {_size(small)} median | {_size(large)} median | growth | target | floor growth | target met |"
        )
        lines.append("|---|---|---|---|---|---|---|")
        lines.extend(growth)
    return "\n".join(lines) + "\n"


def _size(n: int) -> str:
    """100000 → 100k, 1000000 → 1M, 10000000 → 10M."""
    for unit, name in ((1_000_000, "M"), (1_000, "k")):
        if n >= unit and n % unit == 0:
            return f"{n // unit}{name}"
    return f"{n:,}"


def _growth(results: list[dict]) -> dict[tuple[int, int], list[str]]:
    """The pattern list's growth between each pair of consecutive scales measured (tenfold: the
    target is < 3×), per database, beside the floor's growth over the same step."""
    out: dict[tuple[int, int], list[str]] = {}
    for kind in sorted({r["kind"] for r in results}):
        measured = [r for r in results if r["kind"] == kind and "reads" in r]
        by_n = {r["n"]: r["reads"]["pattern_list"]["median"] for r in measured}
        floors = {r["n"]: r["reads"]["pattern_floor"]["median"] for r in measured}
        sizes = sorted(by_n)
        for small, large in zip(sizes, sizes[1:], strict=False):
            g = by_n[large] / by_n[small]
            fg = floors[large] / floors[small]
            out.setdefault((small, large), []).append(
                f"| {kind} | {_ms(by_n[small])} | {_ms(by_n[large])} | {g:.1f}× | < {TARGET_GROWTH:.0f}× "
                f"| {fg:.1f}× | {_met(g < TARGET_GROWTH)} |"
            )
    return out


def _load() -> str:
    """The machine's load average (1, 5, 15 minutes): the figures are only as quiet as it was."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
    cores = len(re.findall(r"^processor\s*:", cpuinfo, re.M))
    mem = re.search(r"^MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text(), re.M)
    pg = subprocess.run(  # noqa: S603
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc", "SHOW server_version"],  # noqa: S607
        capture_output=True,
        text=True,
    ).stdout.strip()
    import sqlite3

    return (
        f"{cores} cores ({model.group(1) if model else 'unknown CPU'}), "
        f"{int(mem.group(1)) / 1024 / 1024:.1f} GiB memory (from /proc); "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, PostgreSQL {pg or '?'}"
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Caseflow benchmark")
    parser.add_argument("--sizes", default=os.environ.get("BENCH_SIZES", "100000,1000000"))
    parser.add_argument("--dbs", default=os.environ.get("BENCH_DBS", "sqlite,postgresql"))
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--requests", type=int, default=int(os.environ.get("BENCH_REQUESTS", "3000")))
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--no-write", action="store_true", help="do not write bench/RESULTS.md")
    parser.add_argument("--no-imports", action="store_true", help="skip the import figures (6.)")
    parser.add_argument(
        "--only",
        default="reads,logging,imports",
        help="which parts to run: reads (1–3, 5), logging (4), imports (6); comma-separated",
    )
    parser.add_argument(
        "--section",
        metavar="NAME",
        help="write this run's tables into the section NAME of bench/RESULTS.md's kept notes (replacing "
        "an earlier run's section of that name) instead of replacing the main tables: e.g. --section 10m",
    )
    parser.add_argument("--reads", nargs=2, metavar=("DB", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.reads:
        result = reads(args.reads[0], int(args.reads[1]), args.warmup, args.repeat)
        print(json.dumps(result, default=str))
        return 0

    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    kinds = [k.strip() for k in args.dbs.split(",") if k.strip()]
    parts = {p.strip() for p in args.only.split(",") if p.strip()}
    command = "make bench" if os.environ.get("MAKELEVEL") else "python -m bench.run " + shlex.join(sys.argv[1:])
    env_note = " ".join(f"{k}={os.environ[k]}" for k in ("BENCH_SIZES", "BENCH_DBS") if os.environ.get(k))
    started = dates.now()
    results = []
    for kind in kinds:
        for n in sizes:
            if gen.generate(kind, n, log=log):
                pass
            result = {"kind": kind, "n": n, "load_seconds": gen.load_seconds(kind, n), "load": _load()}
            if "reads" in parts:
                result["reads"] = run_reads(kind, n, args.warmup, args.repeat)
            if "logging" in parts:
                result["logging"] = run_logging(kind, n, args.requests, args.clients)
            if "imports" in parts and not args.no_imports:
                from bench.imports import run_imports

                log(f"[{kind} {n:,}] imports: 20,000 rows alone, then beside web writes …")
                result["imports"] = run_imports(
                    kind,
                    n,
                    Server,
                    lambda i: _body(i, dates.today()),
                    _api_token(kind, n),
                    _delete_bench_concerns,
                    _stats,
                )
            result["load_after"] = _load()
            results.append(result)
            print(table([result]), flush=True)
    text = table(results)
    print("\n" + text)
    if not args.no_write:
        run_line = (
            f"- Run: {started:%Y-%m-%d %H:%M} UTC, `{(env_note + ' ' + command).strip()}` "
            f"(warm-up {args.warmup}, timed {args.repeat}; logging {args.requests} requests, "
            f"{args.clients} clients, gunicorn 2 sync workers)\n"
            f"- Machine: {machine()}\n"
        )
        raw = ROOT / "bench" / "data" / (f"last-run-{args.section}.json" if args.section else "last-run.json")
        raw.parent.mkdir(parents=True, exist_ok=True)
        raw.write_text(json.dumps(results, indent=1, default=str))
        if args.section:
            write_section(args.section, run_line + text)
        else:
            header = (
                "# Caseflow benchmark results\n\n"
                + run_line
                + "- Targets apply at 1,000,000 concerns; smaller scales are judged against them only for reading growth.\n"
            )
            RESULTS.write_text(header + text + NOTES_MARKER + _existing_notes())
    return 0


NOTES_MARKER = "\n<!-- notes below are kept across runs -->\n"


def _existing_notes() -> str:
    if RESULTS.exists() and NOTES_MARKER in RESULTS.read_text():
        return RESULTS.read_text().split(NOTES_MARKER, 1)[1]
    return ""


def _section_marks(name: str) -> tuple[str, str]:
    return f"<!-- section {name}: written by bench.run --section {name} -->", f"<!-- /section {name} -->"


def write_section(name: str, body: str) -> None:
    """Put a run's tables in the kept notes of bench/RESULTS.md, between the section's marks: a
    later `make bench` keeps them; a later run with the same --section replaces them. The main
    tables above the notes marker are left as they are."""
    current = RESULTS.read_text() if RESULTS.exists() else "# Caseflow benchmark results\n"
    head, notes = current.split(NOTES_MARKER, 1) if NOTES_MARKER in current else (current, "")
    begin, end = _section_marks(name)
    block = f"{begin}\n{body.strip()}\n{end}\n"
    if begin in notes and end in notes:
        before, rest = notes.split(begin, 1)
        notes = before + block + "\n" + rest.split(end, 1)[1].lstrip("\n")
    else:
        notes = block + "\n" + notes.lstrip("\n")
    RESULTS.write_text(head + NOTES_MARKER + notes)


if __name__ == "__main__":
    raise SystemExit(main())
