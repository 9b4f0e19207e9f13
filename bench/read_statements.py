"""Where a read figure's time goes: per figure of bench/run.py (1–3), its statements, their time,
and EXPLAIN (ANALYZE, BUFFERS) of the slowest one (PostgreSQL), on a generated bench database.

    .venv/bin/python -m bench.read_statements --db postgresql --n 10000000
    .venv/bin/python -m bench.read_statements --db postgresql --n 1000000 --only summary --top 10

Each figure runs once untimed (caches, first compiles), then once with SQLAlchemy's cursor events
counting. Reads only: nothing is written to the database.
"""

from __future__ import annotations

import argparse
import time
from datetime import timedelta
from pathlib import Path

from bench import generate as gen
from bench.run import organizer_client

FIGURES = ("pattern_list", "detail", "equity", "concern_list", "summary")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--only", default=",".join(FIGURES), help=f"comma-separated, of {', '.join(FIGURES)}")
    parser.add_argument("--top", type=int, default=5, help="statements listed per figure, slowest first")
    parser.add_argument("--no-explain", action="store_true")
    parser.add_argument("--explain-lines", type=int, default=80, help="print at most this many plan lines")
    args = parser.parse_args(argv)
    if not gen.is_loaded(args.db, args.n):
        raise SystemExit(f"{args.db} n={args.n:,} is not generated (python -m bench.generate)")
    run(
        args.db,
        args.n,
        [f.strip() for f in args.only.split(",") if f.strip()],
        args.top,
        0 if args.no_explain else args.explain_lines,
    )
    return 0


def run(kind: str, n: int, only: list[str], top: int, explain: int) -> None:
    from sqlalchemy import event

    from caseflow.equity.policy import Audience, Disclosure
    from caseflow.extensions import db
    from caseflow.patterns.engine import PatternSettings, disparity_for, find_patterns
    from caseflow.patterns.keys import PatternKey

    app = gen._app(kind, n)
    statements: list[tuple[float, str, object, int]] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_started"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        seconds = time.perf_counter() - conn.info["bench_started"]
        statements.append((seconds, statement, parameters, cursor.rowcount))

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", before)
        event.listen(db.engine, "after_cursor_execute", after)
        settings = PatternSettings.from_config(window_days=90)
        caseworker = Disclosure(Audience.AGGREGATE, settings.min_cell)

        def pattern_list():
            patterns = find_patterns(settings, disclosure=caseworker)
            top_ = max((p for p in patterns if p.grouping == "tag"), key=lambda p: (p.count, p.key))
            disparity_for(PatternKey.parse(top_.key), settings.start, settings.as_of, caseworker)
            db.session.rollback()
            return top_

        top_key = pattern_list().key
        figures = {"pattern_list": pattern_list}
        try:
            from caseflow.reflection.quarters import Quarter
            from caseflow.reflection.summary import build_summary
        except ImportError:
            pass
        else:
            quarter = Quarter.containing(settings.as_of, app.config["FISCAL_YEAR_START_MONTH"]).previous()

            def summary():
                build_summary(quarter)
                db.session.rollback()

            figures["summary"] = summary
        db.session.remove()

    client = organizer_client(app)
    since = (settings.as_of - timedelta(days=89)).isoformat()
    urls = {
        "detail": f"/patterns/detail?key={top_key}",
        "equity": "/patterns/equity",
        "concern_list": f"/concerns?tag={top_key.split(':', 1)[1]}&since={since}&page=3",
    }
    for name, url in urls.items():

        def get(url=url):
            r = client.get(url)
            assert r.status_code == 200, (url, r.status_code)

        figures[name] = get

    print(f"{kind} n={n:,}; load average {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    for name in only:
        fn = figures.get(name)
        if fn is None:
            print(f"\n## {name}: not available")
            continue
        in_app = name in ("pattern_list", "summary")  # plain functions; the rest are pages
        for _counted in (False, True):  # once untimed (caches, compiles), once counted
            statements.clear()
            started = time.perf_counter()
            if in_app:
                with app.app_context():
                    fn()
                    db.session.remove()
            else:
                fn()
            elapsed = time.perf_counter() - started
        taken = list(statements)
        sql = sum(s for s, *_ in taken)
        print(f"\n## {name}: {elapsed * 1000:,.0f} ms, {len(taken)} statements, SQL {sql * 1000:,.0f} ms")
        for seconds, statement, _, rowcount in sorted(taken, key=lambda t: -t[0])[:top]:
            print(f"  {seconds * 1000:9,.1f} ms  rows {rowcount:>7}  {' '.join(statement.split())[:160]}")
        if explain and kind == "postgresql" and taken:
            seconds, statement, parameters, _ = max(taken, key=lambda t: t[0])
            print(f"\n  EXPLAIN (ANALYZE, BUFFERS) of the slowest ({seconds * 1000:,.0f} ms):")
            with app.app_context():
                raw = db.engine.raw_connection()
                try:
                    cur = raw.cursor()
                    cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
                    plan = [line for (line,) in cur.fetchall()]
                    for line in plan[:explain]:
                        print("    " + line)
                    if len(plan) > explain:
                        print(f"    … {len(plan) - explain} more lines; the totals:")
                        for line in plan[-2:]:
                            print("    " + line)
                    raw.rollback()
                finally:
                    raw.close()
                db.engine.dispose()


if __name__ == "__main__":
    raise SystemExit(main())
