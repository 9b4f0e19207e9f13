"""Where a logged concern's time goes: statements per POST /api/v1/concerns, their SQL time, and a
profile of the request, on a copy of a bench database (the copy is thrown away; SQLite only).

    .venv/bin/python -m bench.statements                 # 100,000 concerns, 200 requests
    .venv/bin/python -m bench.statements --n 1000000 --requests 500 --profile 30

Counted with SQLAlchemy's cursor events in the Flask test client (no server, no network), so the
figures are the app's own cost per write: what gunicorn adds is in figure 4 of bench/run.py.
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import pstats
import shutil
import tempfile
import time
from pathlib import Path

from bench import generate as gen


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--profile", type=int, default=0, help="print this many lines of the cProfile")
    args = parser.parse_args(argv)

    gen.generate("sqlite", args.n, log=print)
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "copy.db"
        shutil.copyfile(gen.sqlite_path(args.n), copy)
        run(copy, args.requests, args.profile)
    return 0


def run(path: Path, requests: int, profile_lines: int) -> None:
    from sqlalchemy import event, select

    from bench.run import _body
    from caseflow import create_app, dates
    from caseflow.accounts.services import create_token
    from caseflow.extensions import db
    from caseflow.models import User

    env = gen.bench_env("sqlite", 0)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "SECRET_KEY": env["SECRET_KEY"],
            "CASEFLOW_CLIENT_KEY": env["CASEFLOW_CLIENT_KEY"],
        }
    )
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == gen.API_EMAIL))
        _, secret = create_token(None, user, "bench statements")
        db.session.commit()
        statements: list[tuple[str, float]] = []

        def before(conn, cursor, statement, parameters, context, executemany):
            conn.info["bench_started"] = time.perf_counter()

        def after(conn, cursor, statement, parameters, context, executemany):
            statements.append((" ".join(statement.split())[:100], time.perf_counter() - conn.info["bench_started"]))

        event.listen(db.engine, "before_cursor_execute", before)
        event.listen(db.engine, "after_cursor_execute", after)
        client = app.test_client()
        headers = {"Authorization": f"Bearer {secret}"}
        as_of = dates.today()

        def post(i: int) -> None:
            response = client.post(
                "/api/v1/concerns", data=_body(i, as_of), headers=headers, content_type="application/json"
            )
            assert response.status_code == 201, response.get_data(as_text=True)

        for i in range(20):  # warm-up: caches, the first compile of each statement
            post(i)
        statements.clear()
        post(20)
        print(f"One POST /api/v1/concerns: {len(statements)} statements")
        for text, seconds in statements:
            print(f"  {seconds * 1000:6.2f} ms  {text}")
        statements.clear()
        started = time.perf_counter()
        for i in range(requests):
            post(100_000 + i)
        plain = (time.perf_counter() - started) / requests * 1000
        print(f"{requests} requests without the profiler: {plain:.1f} ms a request")
        statements.clear()
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for i in range(requests):
            post(100 + i)
        profiler.disable()
        elapsed = time.perf_counter() - started
        by_kind = collections.Counter(text.split(" ")[0] for text, _ in statements)
        print(
            f"{requests} requests: {elapsed / requests * 1000:.1f} ms a request (under cProfile), "
            f"SQL {sum(s for _, s in statements) / requests * 1000:.2f} ms and {len(statements) / requests:.1f} "
            f"statements a request ({dict(by_kind)}); load average {Path('/proc/loadavg').read_text().split()[:3]}"
        )
        if profile_lines:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(profile_lines)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(profile_lines)


if __name__ == "__main__":
    raise SystemExit(main())
