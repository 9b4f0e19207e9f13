"""Import throughput, and how long a caseworker's write waits while an import runs.

For one bench database (kind, N): a CSV of IMPORT_ROWS generated concerns (the generator's
programs, tags, ZIPs and races; an external_id each) goes in through the real command,
`flask --app caseflow import concerns FILE --as <bench API user>`:
  - `--dry-run` first: the whole file checked, nothing written (validation throughput, from the
    seconds the command reports for its check; the command's wall-clock time is kept beside it);
  - then the import itself, alone (write throughput, in short transactions of its own), and its
    floor: the same cells, 1,000 rows per committed executemany into a bare table;
  - then `WRITERS` API clients each log a concern every WRITE_GAP seconds through gunicorn, first
    for IDLE_SECONDS with no import (the floor), then while the import runs once more: each
    request's latency (p50, p95, max) is what a caseworker saving a concern during an import
    waits. Target: max ≤ 1 s.
The imported rows are authored by the bench API user, so the logging run's clean-up takes them out
again (rollups included) and the database stays at N concerns.
"""

from __future__ import annotations

import csv
import http.client
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench import generate as gen

BIN = Path(sys.executable).parent
IMPORT_ROWS = 20_000
WRITERS = 4
WRITE_GAP = 0.05  # seconds between one client's writes: a busy office, not a load test


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(
            ["program", "tags", "summary", "occurred_on", "zip", "race_ethnicity", "client_ref", "external_id"]
        )
        for i in range(rows):
            tags = [gen.TAGS[i % 11][0]] + ([gen.TAGS[(i * 7) % len(gen.TAGS)][0]] if i % 3 == 0 else [])
            out.writerow(
                [
                    gen.PROGRAMS[i % len(gen.PROGRAMS)][0],
                    ";".join(dict.fromkeys(tags)),
                    f"Imported concern {i}: {gen.PHRASES[i % len(gen.PHRASES)]}",
                    f"2026-{1 + i % 9:02d}-{1 + i % 28:02d}",
                    gen.ZIPS[i % len(gen.ZIPS)],
                    gen.RACES[i % len(gen.RACES)] if i % 5 else "",
                    f"import-client-{i % 4999}",
                    f"bench-import-{i}",
                ]
            )


TIMING = re.compile(r"Checked ([\d,]+) rows in ([\d.]+) s(?:[^;]*; wrote ([\d,]+) in ([\d.]+) s)?")


def _flask(env: dict, *args: str) -> dict:
    """Run the command; its wall-clock time and the check and write seconds it reports itself."""
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603
        [str(BIN / "flask"), "--app", "caseflow", *args],
        cwd=gen.ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    out = {"command_s": time.perf_counter() - started}
    match = TIMING.search(done.stderr)
    if match:
        out["check_s"] = float(match.group(2))
        if match.group(4):
            out["write_s"] = float(match.group(4))
    return out


def import_floor(url: str, path: Path) -> float:
    """The floor of the write: the file's cells as they are, 1,000 rows per committed executemany
    into a bare table without indexes — seconds for the whole file."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    columns = list(rows[0])
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS bench_import_floor"))
        conn.execute(text(f"CREATE TABLE bench_import_floor ({', '.join(f'{c} VARCHAR(500)' for c in columns)})"))
    insert = text(
        f"INSERT INTO bench_import_floor ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})"  # noqa: S608
    )
    started = time.perf_counter()
    for i in range(0, len(rows), 1000):
        with engine.begin() as conn:
            conn.execute(insert, rows[i : i + 1000])
    elapsed = time.perf_counter() - started
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE bench_import_floor"))
    engine.dispose()
    return elapsed


def _write_while(port: int, token: str, stop: threading.Event, body, offset: int) -> tuple[list[float], dict]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    i = 0
    while not stop.is_set():
        started = time.perf_counter()
        conn.request("POST", "/api/v1/concerns", body=body(offset + i), headers=headers)
        response = conn.getresponse()
        response.read()
        latencies.append((time.perf_counter() - started) * 1000)
        statuses[response.status] = statuses.get(response.status, 0) + 1
        i += 1
        time.sleep(WRITE_GAP)
    conn.close()
    return latencies, statuses


def _writers(port: int, token: str, body, offset: int, during) -> tuple[list[float], dict]:
    """WRITERS clients writing while `during()` runs; every request's latency and the statuses."""
    stop = threading.Event()
    results: list = [([], {})] * WRITERS

    def client(k: int) -> None:
        results[k] = _write_while(port, token, stop, body, offset + k * 100_000)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(WRITERS)]
    for t in threads:
        t.start()
    try:
        during()
    finally:
        stop.set()
        for t in threads:
            t.join()
    statuses: dict[int, int] = {}
    for _, st in results:
        for code, n in st.items():
            statuses[code] = statuses.get(code, 0) + n
    return [v for r, _ in results for v in r], statuses


def run_imports(kind: str, n: int, server_class, body, token: str, clean_up, stats) -> dict:
    """Validation and write throughput of a 20k-row import (and their floor), and the latency of
    web writes during one (and with no import running: their floor)."""
    env = gen.bench_env(kind, n)
    path = gen.ROOT / "bench" / "data" / f"import-{IMPORT_ROWS}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_csv(path, IMPORT_ROWS)
    out: dict = {"rows": IMPORT_ROWS, "load": _load()}
    try:
        out["dry_run"] = _flask(env, "import", "concerns", str(path), "--dry-run", "--as", gen.API_EMAIL)
        out["alone"] = _flask(env, "import", "concerns", str(path), "--as", gen.API_EMAIL)
    finally:
        clean_up(kind, n)
    out["floor_s"] = import_floor(env["DATABASE_URL"], path)
    try:
        with server_class("wsgi:app", env) as server:
            _writers(server.port, token, body, 800_000, lambda: time.sleep(2.0))  # warm both workers up
            latencies, statuses = _writers(server.port, token, body, 900_000, lambda: time.sleep(IDLE_SECONDS))
            out["idle"] = {**_summary(latencies, stats), "statuses": statuses}
            busy: dict = {}

            def the_import() -> None:
                time.sleep(1.0)
                busy.update(_flask(env, "import", "concerns", str(path), "--as", gen.API_EMAIL))

            latencies, statuses = _writers(server.port, token, body, 1_900_000, the_import)
            out["busy"] = busy
            out["during"] = {**_summary(latencies, stats), "statuses": statuses}
    finally:
        clean_up(kind, n)
    out["load_after"] = _load()
    return out


IDLE_SECONDS = 5.0


def _summary(latencies: list[float], stats) -> dict:
    summary = stats(latencies)
    return {"writes": len(latencies), "p50": summary["median"], "p95": summary["p95"], "max": max(latencies)}


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])
