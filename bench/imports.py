"""Import throughput, and how long a caseworker's write waits while an import runs.

For one bench database (kind, N): a CSV of IMPORT_ROWS generated concerns (the generator's
programs, tags, ZIPs and races; an external_id each) goes in through the real command,
`flask --app caseflow import concerns FILE --as <bench API user>`:
  - `--dry-run` first: the whole file checked, nothing written (validation throughput);
  - then the import itself, alone (write throughput, chunks of 1,000 rows per transaction);
  - then once more while `WRITERS` API clients each log a concern every WRITE_GAP seconds through
    gunicorn: each request's latency (p50, p95, max) is what a caseworker saving a concern during an
    import waits. Target: ≤ 1 s.
The imported rows are authored by the bench API user, so the logging run's clean-up takes them out
again (rollups included) and the database stays at N concerns.
"""

from __future__ import annotations

import csv
import http.client
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


def _flask(env: dict, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run(  # noqa: S603
        [str(BIN / "flask"), "--app", "caseflow", *args], cwd=gen.ROOT, env=env, check=True, capture_output=True
    )
    return time.perf_counter() - started


def _write_while(port: int, token: str, stop: threading.Event, body) -> list[float]:
    latencies: list[float] = []
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    i = 0
    while not stop.is_set():
        started = time.perf_counter()
        conn.request("POST", "/api/v1/concerns", body=body(900_000 + i), headers=headers)
        response = conn.getresponse()
        response.read()
        if response.status == 201:
            latencies.append((time.perf_counter() - started) * 1000)
        i += 1
        time.sleep(WRITE_GAP)
    conn.close()
    return latencies


def run_imports(kind: str, n: int, server_class, body, token: str, clean_up, stats) -> dict:
    """Validation and write throughput of a 20k-row import, and web write latency during one."""
    env = gen.bench_env(kind, n)
    path = gen.ROOT / "bench" / "data" / f"import-{IMPORT_ROWS}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_csv(path, IMPORT_ROWS)
    out: dict = {"rows": IMPORT_ROWS}
    try:
        out["validate_s"] = _flask(env, "import", "concerns", str(path), "--dry-run", "--as", gen.API_EMAIL)
        out["import_s"] = _flask(env, "import", "concerns", str(path), "--as", gen.API_EMAIL)
    finally:
        clean_up(kind, n)
    try:
        with server_class("wsgi:app", env) as server:
            stop = threading.Event()
            results: list[list[float]] = [[] for _ in range(WRITERS)]

            def client(k: int) -> None:
                results[k] = _write_while(server.port, token, stop, body)

            threads = [threading.Thread(target=client, args=(k,)) for k in range(WRITERS)]
            for t in threads:
                t.start()
            time.sleep(1.0)
            try:
                out["import_busy_s"] = _flask(env, "import", "concerns", str(path), "--as", gen.API_EMAIL)
            finally:
                stop.set()
                for t in threads:
                    t.join()
    finally:
        clean_up(kind, n)
    latencies = [v for r in results for v in r]
    summary = stats(latencies)
    out["during"] = {"writes": len(latencies), "p50": summary["median"], "p95": summary["p95"], "max": max(latencies)}
    return out
