"""Synthetic Caseflow data at scale, built with the app's own migrations and loaded in bulk.

    .venv/bin/python -m bench.generate --db sqlite --n 1000000
    .venv/bin/python -m bench.generate --db postgresql --n 1000000 [--force]

SQLite: bench/data/caseflow_<N>.db (cached; a sidecar `.done` file marks a finished load).
PostgreSQL: database caseflow_bench_<N> on 127.0.0.1:5432 (a COMMENT ON DATABASE marks it done).

The data: 8 programs, 45 tags drawn from a Zipf-like distribution, 60 ZIP codes (also skewed),
three years of dates ending today (rising volume, fewer on weekends), clients who come back,
race/ethnicity with multi-race answers and the three non-answers, and a few planted patterns
(a no-heat surge in one ZIP, a benefits-delay rise concentrated among Black and Hispanic clients
at one program, wage theft spreading across programs). Concerns are inserted in date order, as a
live system writes them. Secondary indexes are dropped during the load and rebuilt after it.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import sqlite3
import sys
import time
from bisect import bisect
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from pathlib import Path

from sqlalchemy import text

from caseflow import dates

ROOT = Path(__file__).resolve().parent.parent
# BENCH_DATA_DIR: several checkouts on one machine share one cache of generated SQLite databases.
DATA = Path(os.environ.get("BENCH_DATA_DIR") or ROOT / "bench" / "data")
PG_SERVER = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432")
SEED = 20260401
CHUNK = 50_000

ORGANIZER_EMAIL = "bench-organizer@bench.caseflow.test"
API_EMAIL = "bench-api@bench.caseflow.test"
BENCH_PASSWORD = "bench-password-not-secret-2026"  # noqa: S105  (a throwaway benchmark database)

PROGRAMS = [
    ("housing", "Housing Assistance"),
    ("food-pantry", "Food Pantry"),
    ("immigration-legal", "Immigration Legal Services"),
    ("benefits", "Benefits Enrollment"),
    ("workforce", "Workforce Development"),
    ("family-services", "Family Services"),
    ("health-navigation", "Health Navigation"),
    ("youth", "Youth Programs"),
]
PROGRAM_WEIGHTS = [30, 18, 12, 14, 9, 8, 6, 3]

TAGS = [
    ("no-heat", "No heat or hot water", "Housing"),
    ("repairs-ignored", "Repairs ignored by landlord", "Housing"),
    ("eviction-threat", "Eviction threat", "Housing"),
    ("rent-increase", "Rent increase", "Housing"),
    ("benefits-delay", "Benefits application delayed", "Income & Benefits"),
    ("food-insecurity", "Not enough food", "Food"),
    ("wage-theft", "Wage theft", "Employment"),
    ("mold", "Mold or pests", "Housing"),
    ("benefits-cut", "Benefits cut or stopped", "Income & Benefits"),
    ("no-insurance", "No health insurance", "Health"),
    ("utility-shutoff", "Utility shut-off", "Utilities"),
    ("snap-recert", "SNAP recertification problems", "Income & Benefits"),
    ("childcare-cost", "Childcare unaffordable", "Childcare"),
    ("language-access", "No interpreter offered", "Immigration"),
    ("medical-debt", "Medical debt", "Health"),
    ("job-loss", "Job loss", "Employment"),
    ("visa-backlog", "Visa or asylum backlog", "Immigration"),
    ("high-utility-bill", "Unaffordable utility bill", "Utilities"),
    ("overcrowding", "Overcrowding", "Housing"),
    ("mental-health-access", "Cannot get mental health care", "Health"),
    ("bus-cuts", "Bus route cut", "Transportation"),
    ("pantry-hours", "Pantry hours do not fit work", "Food"),
    ("childcare-waitlist", "Childcare waitlist", "Childcare"),
    ("domestic-violence", "Domestic violence", "Safety"),
    ("unsafe-work", "Unsafe working conditions", "Employment"),
    ("court-fees", "Court fines and fees", "Justice"),
    ("record-barrier", "Criminal record barrier", "Justice"),
    ("ice-fear", "Fear of immigration enforcement", "Immigration"),
    ("no-car-access", "No way to reach services", "Transportation"),
    ("school-discipline", "School discipline", "Education"),
    ("iep-denied", "Special-education services denied", "Education"),
    ("police-stop", "Police stop or harassment", "Justice"),
    ("unsafe-street", "Unsafe street or lighting", "Safety"),
    ("lead-paint", "Lead paint", "Housing"),
    ("deposit-withheld", "Security deposit withheld", "Housing"),
    ("ssi-denied", "SSI or disability denied", "Income & Benefits"),
    ("unpaid-overtime", "Unpaid overtime", "Employment"),
    ("pharmacy-access", "No pharmacy nearby", "Health"),
    ("dental-access", "Cannot get dental care", "Health"),
    ("work-permit-delay", "Work permit delayed", "Immigration"),
    ("school-enrollment", "School enrollment refused", "Education"),
    ("water-shutoff", "Water shut-off", "Utilities"),
    ("paratransit", "Paratransit unreliable", "Transportation"),
    ("wic-access", "WIC office unreachable", "Food"),
    ("harassment-landlord", "Harassment by landlord", "Safety"),
]
# Zipf-like: the k-th most common tag is drawn with weight 1/k^1.07.
TAG_WEIGHTS = [1 / (k**1.07) for k in range(1, len(TAGS) + 1)]

ZIPS = [f"{11201 + i * 3:05d}" for i in range(40)] + [f"{10451 + i * 2:05d}" for i in range(20)]
ZIP_WEIGHTS = [1 / (k**0.8) for k in range(1, len(ZIPS) + 1)]
RACES = ["white", "black", "hispanic", "asian", "mena", "aian", "nhpi"]
RACE_WEIGHTS = [30, 28, 26, 9, 3, 2, 2]
LANGUAGES = ["English", "Spanish", "Haitian Creole", "Chinese", "Russian", "Arabic", "Bengali"]
LANGUAGE_WEIGHTS = [55, 25, 6, 5, 4, 3, 2]
AGE_BANDS = ("under-18", "18-24", "25-34", "35-44", "45-54", "55-64", "65-plus")
AGE_WEIGHTS = [3, 12, 22, 22, 18, 13, 10]
PHRASES = [
    "since last month",
    "third time this year",
    "landlord does not answer",
    "was told to wait another six weeks",
    "kids are affected",
    "lost a day of work over it",
    "no one explained why",
    "neighbours have the same problem",
    "called the hotline twice",
    "letter came in English only",
]
CASEWORKERS = 40
YEARS_DAYS = 3 * 365


def sqlite_path(n: int) -> Path:
    return DATA / f"caseflow_{n}.db"


def pg_name(n: int) -> str:
    # BENCH_PG_PREFIX: several checkouts benchmarking on one server keep their databases apart.
    return f"{os.environ.get('BENCH_PG_PREFIX', 'caseflow_bench_')}{n}"


def database_url(kind: str, n: int) -> str:
    if kind == "sqlite":
        return f"sqlite:///{sqlite_path(n)}"
    return f"{PG_SERVER}/{pg_name(n)}"


def bench_env(kind: str, n: int) -> dict[str, str]:
    """The environment every bench process runs the app with."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url(kind, n),
        CASEFLOW_INSTANCE_PATH=str(DATA / "instance"),
        SECRET_KEY="bench-secret-key-not-for-production",  # noqa: S106  (a throwaway bench database)
        CASEFLOW_CLIENT_KEY="bench-client-key",
        CASEFLOW_ENV="development",
    )
    return env


# --- what is done ------------------------------------------------------------------------------


# The migrations the data was built with: any change to them rebuilds the cached data.
SCHEMA = hashlib.sha256(
    b"".join(p.read_bytes() for p in sorted((ROOT / "migrations" / "versions").glob("*.py")))
).hexdigest()[:12]


def _marker(n: int) -> str:
    return f"caseflow-bench n={n} seed={SEED} schema={SCHEMA}"


def _data_marker(n: int) -> str:
    """The part of the marker that says which data was generated (not which migrations built it)."""
    return f"caseflow-bench n={n} seed={SEED} "


def _stored_marker(kind: str, n: int) -> str:
    if kind == "sqlite":
        done = sqlite_path(n).with_suffix(".done")
        return done.read_text() if sqlite_path(n).exists() and done.exists() else ""
    import psycopg

    with psycopg.connect(_pg_dsn("postgres"), autocommit=True) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", (pg_name(n),)
        ).fetchone()
    return (row and row[0]) or ""


def _write_marker(kind: str, n: int, marker: str) -> None:
    if kind == "sqlite":
        sqlite_path(n).with_suffix(".done").write_text(marker)
    else:
        import psycopg

        with psycopg.connect(_pg_dsn("postgres"), autocommit=True) as conn:
            conn.execute(f"COMMENT ON DATABASE \"{pg_name(n)}\" IS '{marker}'")


def upgrade_in_place(kind: str, n: int, log=print) -> bool:
    """A cached database generated before newer migrations: `flask db upgrade` it, as a live
    organisation's database would be, instead of generating it again (10M rows take an hour).
    True when it was upgraded."""
    stored = _stored_marker(kind, n)
    if not stored.startswith(_data_marker(n)) or stored.startswith(_marker(n)):
        return False
    from flask_migrate import upgrade

    started = time.perf_counter()
    log(f"[generate] {kind} n={n:,}: cached data from older migrations; flask db upgrade …")
    app = _app(kind, n)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
    if kind == "postgresql":
        import psycopg

        with psycopg.connect(_pg_dsn(pg_name(n)), autocommit=True) as conn:
            conn.execute("ANALYZE")
    else:  # into the database file itself: copies of the file alone (bench.statements) see the upgrade
        with sqlite3.connect(sqlite_path(n)) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("ANALYZE")
    rest = " ".join(part for part in stored.split() if part.startswith(("as_of=", "load_seconds=")))
    _write_marker(kind, n, f"{_marker(n)} {rest} upgraded_seconds={time.perf_counter() - started:.0f}")
    log(f"[generate] {kind} n={n:,}: upgraded in {time.perf_counter() - started:.0f} s")
    return True


def is_loaded(kind: str, n: int) -> bool:
    if kind == "sqlite":
        done = sqlite_path(n).with_suffix(".done")
        return sqlite_path(n).exists() and done.exists() and done.read_text().startswith(_marker(n))
    import psycopg

    with psycopg.connect(_pg_dsn("postgres"), autocommit=True) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", (pg_name(n),)
        ).fetchone()
    return bool(row and row[0] and row[0].startswith(_marker(n)))


def _pg_dsn(dbname: str) -> str:
    return PG_SERVER.replace("postgresql+psycopg://", "postgresql://") + f"/{dbname}"


# --- the rows ----------------------------------------------------------------------------------


def _day_offsets(rng: random.Random, n: int, as_of: date) -> list[date]:
    """n dates over three years ending `as_of`: volume rises ~60 % over the period; weekends are quiet."""
    days = [as_of - timedelta(days=YEARS_DAYS - 1 - i) for i in range(YEARS_DAYS)]
    weights = [(1 + 0.6 * i / YEARS_DAYS) * (0.35 if d.weekday() >= 5 else 1.0) for i, d in enumerate(days)]
    picked = rng.choices(days, weights=weights, k=n)
    picked.sort()
    return picked


def _client_keys(rng: random.Random, n: int) -> Iterator[str | None]:
    """About one client per 2.5 concerns; frequent clients come back often; 15 % give no reference.

    Streamed (10M keys held at once take a gigabyte): the draws are replayed from a copy of `rng`'s
    state, and `rng` is moved past them at once, as if the list had been built here."""
    pool = max(10, n * 2 // 5)
    replay = random.Random()
    replay.setstate(rng.getstate())
    draw = rng.random
    for _ in range(n):
        if draw() >= 0.15:
            draw()

    def keys():
        draw = replay.random
        for _ in range(n):
            if draw() < 0.15:
                yield None
            else:
                # Skewed towards low indexes: squaring a uniform draw makes repeat visitors.
                yield hashlib.sha256(f"bench-client-{int(pool * draw() ** 2)}".encode()).hexdigest()

    return keys()


def _races(rng: random.Random) -> list[str]:
    r = rng.random()
    if r < 0.10:
        return []  # no answer recorded
    if r < 0.18:
        return ["not_collected"]
    if r < 0.21:
        return ["refused"]
    if r < 0.23:
        return ["unknown"]
    first = rng.choices(RACES, weights=RACE_WEIGHTS)[0]
    if r < 0.30:  # multi-race
        second = rng.choices(RACES, weights=RACE_WEIGHTS)[0]
        if second != first:
            return sorted([first, second])
    return [first]


def _cum(weights) -> tuple[list[float], float, int]:
    """What `random.choices(population, weights)` computes on every call: cumulative weights, their
    float total, the last index. Drawing `population[bisect(cum, random() * total, 0, hi)]` with
    them consumes the same random numbers and returns the same element as `choices(...)[0]`."""
    cum = list(accumulate(weights))
    return cum, cum[-1] + 0.0, len(cum) - 1


def generate_rows(n: int, as_of: date, seed: int = SEED):
    """Yield chunks of (concerns, concern_tags, concern_races) row tuples, in date order.

    The draws are those of the plain version (`rng.choices(…, weights=…)`, `rng.randrange`,
    `rng.randint`, `rng.choice`), written out inline: the same seed gives the same rows, four
    times faster (a 10M load spends most of its Python time here)."""
    rng = random.Random(seed)
    key_rng = random.Random(seed + 1)  # record keys (cell key method) from their own stream
    days = _day_offsets(rng, n, as_of)
    clients = _client_keys(rng, n)
    tag_ids = list(range(1, len(TAGS) + 1))
    program_ids = list(range(1, len(PROGRAMS) + 1))
    slug_id = {slug: i + 1 for i, (slug, _, _) in enumerate(TAGS)}
    prog_id = {slug: i + 1 for i, (slug, _) in enumerate(PROGRAMS)}
    surge_start = as_of - timedelta(days=60)
    window_start = as_of - timedelta(days=89)
    summaries = {i + 1: [f"{name}: {p}" for p in PHRASES] for i, (_, name, _) in enumerate(TAGS)}
    random_, below, key_below = rng.random, rng._randbelow, key_rng._randbelow
    prog_cum, prog_total, prog_hi = _cum(PROGRAM_WEIGHTS)
    zip_cum, zip_total, zip_hi = _cum(ZIP_WEIGHTS)
    tag_cum, tag_total, tag_hi = _cum(TAG_WEIGHTS)
    race_cum, race_total, race_hi = _cum(RACE_WEIGHTS)
    lang_cum, lang_total, lang_hi = _cum(LANGUAGE_WEIGHTS)
    age_cum, age_total, age_hi = _cum(AGE_WEIGHTS)
    surge_zip, no_heat, benefits_delay, wage_theft = (
        ZIPS[7],
        slug_id["no-heat"],
        slug_id["benefits-delay"],
        slug_id["wage-theft"],
    )
    benefits = prog_id["benefits"]
    black_hispanic = ["black", "hispanic"]
    detail, landlord = "Client described the situation in detail.", "The landlord knows and does nothing."
    midnight = {}  # day -> its datetime at 00:00 UTC
    concerns, ctags, craces = [], [], []
    for i in range(n):
        cid = i + 1
        day = days[i]
        program = program_ids[bisect(prog_cum, random_() * prog_total, 0, prog_hi)]
        zip_code = ZIPS[bisect(zip_cum, random_() * zip_total, 0, zip_hi)] if random_() > 0.08 else None
        k = 1 if random_() < 0.6 else 2 if random_() < 0.75 else 3
        tags = {tag_ids[bisect(tag_cum, random_() * tag_total, 0, tag_hi)] for _ in range(k)}
        # _races(rng), inline.
        r = random_()
        if r < 0.10:
            races = []  # no answer recorded
        elif r < 0.18:
            races = ["not_collected"]
        elif r < 0.21:
            races = ["refused"]
        elif r < 0.23:
            races = ["unknown"]
        else:
            first = RACES[bisect(race_cum, random_() * race_total, 0, race_hi)]
            races = [first]
            if r < 0.30:  # multi-race
                second = RACES[bisect(race_cum, random_() * race_total, 0, race_hi)]
                if second != first:
                    races = sorted([first, second])
        # Planted patterns.
        if day >= surge_start and zip_code == surge_zip and random_() < 0.35:
            tags.add(no_heat)  # a no-heat surge in one ZIP over the last 60 days
        if day >= window_start and program == benefits and random_() < 0.25:
            tags.add(benefits_delay)  # a recent rise at one program …
            if random_() < 0.6:
                races = [black_hispanic[below(2)]]  # … among Black and Hispanic clients
        if day >= window_start and random_() < 0.01:
            tags.add(wage_theft)  # wage theft everywhere lately
        first_tag = min(tags)
        deleted = random_() < 0.005
        base = midnight.get(day)
        if base is None:
            base = midnight[day] = datetime(day.year, day.month, day.day, tzinfo=UTC)
        hour = 9 + below(9)
        created = base + timedelta(hours=hour, minutes=below(60))
        consent = day if random_() < 0.05 else None
        summary_options = summaries[first_tag]
        summary = summary_options[below(len(summary_options))]
        narrative = detail if random_() < 0.3 else None
        source = "client" if random_() < 0.9 else "staff"
        client = next(clients)
        language = LANGUAGES[bisect(lang_cum, random_() * lang_total, 0, lang_hi)] if random_() < 0.7 else None
        age_band = AGE_BANDS[bisect(age_cum, random_() * age_total, 0, age_hi)] if random_() < 0.75 else None
        importance = 1 + below(5) if random_() < 0.5 else None
        root_cause = landlord if random_() < 0.1 else None
        wants = random_() < 0.12
        concerns.append(
            (
                cid,
                program,
                summary,
                narrative,
                day,
                source,
                client,
                language,
                age_band,
                zip_code,
                importance,
                root_cause,
                wants,
                consent,
                None,
                None,
                2 + below(CASEWORKERS),  # user 1 is the organizer; 2.. are caseworkers
                1,
                created if deleted else None,
                "entered twice" if deleted else None,
                None,
                created,
                created,
                key_below(256),
                int(client[:2], 16) if client else None,
            )
        )
        for t in tags:
            ctags.append((cid, t))
        for code in races:
            craces.append((cid, code))
        if len(concerns) >= CHUNK:
            yield concerns, ctags, craces
            concerns, ctags, craces = [], [], []
    if concerns:
        yield concerns, ctags, craces


CONCERN_COLUMNS = (
    "id",
    "program_id",
    "summary",
    "narrative",
    "occurred_on",
    "source",
    "client_key",
    "language",
    "age_band",
    "zip",
    "client_importance",
    "client_root_cause",
    "wants_involvement",
    "story_consent_on",
    "story_consent_revoked_on",
    "external_id",
    "author_id",
    "version",
    "deleted_at",
    "deleted_reason",
    "narrative_purged_at",
    "created_at",
    "updated_at",
    "record_key",
    "client_record_key",
)


# --- schema and small tables -------------------------------------------------------------------


def _app(kind: str, n: int):
    """The app on the bench database (config classes read the environment once, at import)."""
    env = bench_env(kind, n)
    os.environ.update({k: env[k] for k in ("CASEFLOW_INSTANCE_PATH", "SECRET_KEY", "CASEFLOW_CLIENT_KEY")})
    from caseflow import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"],
            "SECRET_KEY": env["SECRET_KEY"],
            "CASEFLOW_CLIENT_KEY": env["CASEFLOW_CLIENT_KEY"],
        }
    )


def build_schema_and_people(kind: str, n: int) -> None:
    """`flask db upgrade` on the bench database, then programs, tags and users with plain inserts."""
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from caseflow.accounts.services import create_user
    from caseflow.extensions import db
    from caseflow.models import Program, Tag, User, UserRole

    app = _app(kind, n)
    with app.app_context():
        upgrade()
        now = dates.now()
        db.session.execute(
            insert(Program),
            [
                {"id": i + 1, "slug": s, "name": name, "active": True, "created_at": now, "updated_at": now}
                for i, (s, name) in enumerate(PROGRAMS)
            ],
        )
        db.session.execute(
            insert(Tag),
            [
                {
                    "id": i + 1,
                    "slug": s,
                    "name": name,
                    "category": cat,
                    "description": "",
                    "active": True,
                    "created_at": now,
                    "updated_at": now,
                }
                for i, (s, name, cat) in enumerate(TAGS)
            ],
        )
        # User 1: the organizer the benchmark logs in as (a real password hash).
        create_user(None, ORGANIZER_EMAIL, ["organizer"], BENCH_PASSWORD, "Bench Organizer")
        db.session.flush()
        db.session.execute(
            insert(User),
            [
                {
                    "id": 2 + k,
                    "email": f"caseworker{k}@bench.caseflow.test",
                    "name": f"Caseworker {k}",
                    "password_hash": "!disabled",
                    "active": True,
                    "session_version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
                for k in range(CASEWORKERS)
            ],
        )
        db.session.execute(insert(UserRole), [{"user_id": 2 + k, "role": "caseworker"} for k in range(CASEWORKERS)])
        db.session.commit()
        if kind == "postgresql":
            for table in ("programs", "tags", "users"):
                db.session.execute(
                    db.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
                )
            db.session.commit()
        db.engine.dispose()


ROLLUP_TABLES = ("pattern_last_seen", "pattern_days", "pattern_weeks", "race_days")


def _without_indexes(conn, tables) -> list[str]:
    """Drop the indexes and primary keys of `tables` (PostgreSQL); return the statements that put
    them back. Filling a table and then building its indexes at once is several times faster than
    keeping the indexes in step row by row (10M concerns: ~50M last-seen rows)."""
    constraints = conn.execute(
        text(
            "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "WHERE c.conrelid::regclass::text = ANY(:t) AND c.contype IN ('p', 'u')"
        ),
        {"t": list(tables)},
    ).all()
    indexes = conn.execute(
        text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(:t) AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))"
        ),
        {"t": list(tables)},
    ).all()
    for table, name, _ in constraints:
        conn.execute(text(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"'))
    for name, _ in indexes:
        conn.execute(text(f'DROP INDEX "{name}"'))
    return [
        f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}' for table, name, definition in constraints
    ] + [sql for _, sql in indexes]


def build_rollups(kind: str, n: int, log=print) -> None:
    """The bulk load bypassed the ORM hooks: count the pattern rollups in with the app's rebuild."""
    from caseflow.extensions import db
    from caseflow.patterns.rollup import rebuild

    app = _app(kind, n)
    with app.app_context():
        restore = []
        if kind == "postgresql":
            # The rebuild's GROUP BYs over every (concern, tag): sorts and hashes in memory, not on disk.
            db.session.execute(text("SET LOCAL work_mem = '128MB'"))
            db.session.execute(text("SET LOCAL maintenance_work_mem = '1GB'"))
            db.session.execute(text("SET LOCAL synchronous_commit = off"))
            restore = _without_indexes(db.session, ROLLUP_TABLES)
        started = time.perf_counter()
        rebuild(db.session)
        log(f"[generate] {kind} n={n:,}: rollup rows in {time.perf_counter() - started:.0f} s")
        started = time.perf_counter()
        for sql in restore:
            db.session.execute(text(sql))
        if restore:
            log(f"[generate] {kind} n={n:,}: rollup indexes in {time.perf_counter() - started:.0f} s")
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        db.engine.dispose()


def create_api_user(kind: str, n: int) -> None:
    from caseflow.accounts.services import create_user, find_user
    from caseflow.extensions import db

    app = _app(kind, n)
    with app.app_context():
        if find_user(API_EMAIL) is None:
            create_user(None, API_EMAIL, ["caseworker"], BENCH_PASSWORD, "Bench API")
            db.session.commit()
        db.engine.dispose()


# --- bulk loads --------------------------------------------------------------------------------

BULK_TABLES = ("concerns", "concern_tags", "concern_races")


def _load_sqlite(n: int, as_of: date) -> None:
    conn = sqlite3.connect(sqlite_path(n), isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-400000")
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL AND tbl_name IN (?, ?, ?)",
        BULK_TABLES,
    ).fetchall()
    conn.execute("BEGIN")
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    marks = ", ".join("?" for _ in CONCERN_COLUMNS)
    insert_concern = f"INSERT INTO concerns ({', '.join(CONCERN_COLUMNS)}) VALUES ({marks})"  # noqa: S608

    def sqlite_value(v):
        if isinstance(v, datetime):
            return v.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
        if isinstance(v, date):
            return v.isoformat()
        return v

    for concerns, ctags, craces in generate_rows(n, as_of):
        conn.executemany(insert_concern, ([sqlite_value(v) for v in row] for row in concerns))
        conn.executemany("INSERT INTO concern_tags (concern_id, tag_id) VALUES (?, ?)", ctags)
        conn.executemany("INSERT INTO concern_races (concern_id, code) VALUES (?, ?)", craces)
    for _, sql in indexes:
        conn.execute(sql)
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


# The COPY column types, for COPY … (FORMAT BINARY): the server reads binary dates and timestamps
# without parsing text.
CONCERN_TYPES = (
    "int4",
    "int4",
    "text",
    "text",
    "date",
    "text",
    "text",
    "text",
    "text",
    "text",
    "int4",
    "text",
    "bool",
    "date",
    "date",
    "text",
    "int4",
    "int4",
    "timestamptz",
    "text",
    "timestamptz",
    "timestamptz",
    "timestamptz",
    "int2",
    "int2",
)
COPY_FORMAT = os.environ.get("BENCH_COPY_FORMAT", "binary")  # or "text"


def _copy(cur, sql: str, types, rows) -> None:
    binary = COPY_FORMAT == "binary"
    with cur.copy(sql + (" (FORMAT BINARY, FREEZE)" if binary else " (FREEZE)")) as copy:
        if binary:
            copy.set_types(types)
        for row in rows:
            copy.write_row(row)


def _load_postgresql(n: int, as_of: date, log=print) -> None:
    import psycopg

    with psycopg.connect(_pg_dsn(pg_name(n))) as conn:
        indexes = conn.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i "
            "WHERE i.tablename = ANY(%s) AND i.indexname NOT IN "
            "(SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))",
            (list(BULK_TABLES),),
        ).fetchall()
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        conn.execute("SET synchronous_commit = off")
        # Emptied in this transaction (they are empty: the database was just created), so COPY …
        # FREEZE writes the rows frozen and all-visible; VACUUM then has nothing to rewrite.
        conn.execute(f"TRUNCATE {', '.join(BULK_TABLES)} CASCADE")
        # The rows are consistent by construction (concern ids 1..n, tags, programs and users
        # inserted above): the foreign-key triggers, one index probe per row, are skipped for the
        # load (as pg_restore --disable-triggers does); the constraints stay declared.
        conn.execute("SET session_replication_role = replica")
        gen_s = copy_s = 0.0
        concern_sql = f"COPY concerns ({', '.join(CONCERN_COLUMNS)}) FROM STDIN"  # noqa: S608
        with conn.cursor() as cur:
            rows = generate_rows(n, as_of)
            done = 0
            while True:
                started = time.perf_counter()
                chunk = next(rows, None)
                gen_s += time.perf_counter() - started
                if chunk is None:
                    break
                concerns, ctags, craces = chunk
                started = time.perf_counter()
                _copy(cur, concern_sql, CONCERN_TYPES, concerns)
                _copy(cur, "COPY concern_tags (concern_id, tag_id) FROM STDIN", ("int4", "int4"), ctags)
                _copy(cur, "COPY concern_races (concern_id, code) FROM STDIN", ("int4", "text"), craces)
                copy_s += time.perf_counter() - started
                done += len(concerns)
                if done % 1_000_000 < CHUNK:
                    log(f"[generate] postgresql n={n:,}: {done:,} rows (rows {gen_s:.0f} s, COPY {copy_s:.0f} s)")
        conn.execute("SET session_replication_role = DEFAULT")
        log(f"[generate] postgresql n={n:,}: rows generated in {gen_s:.0f} s, COPY {copy_s:.0f} s; indexes …")
        started = time.perf_counter()
        conn.execute("SET maintenance_work_mem = '1GB'")
        for _, sql in indexes:
            conn.execute(sql)
        conn.execute("SELECT setval(pg_get_serial_sequence('concerns', 'id'), (SELECT max(id) FROM concerns))")
        conn.commit()
        log(f"[generate] postgresql n={n:,}: {len(indexes)} indexes in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    with psycopg.connect(_pg_dsn(pg_name(n)), autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute("VACUUM ANALYZE")
    log(f"[generate] postgresql n={n:,}: VACUUM ANALYZE in {time.perf_counter() - started:.0f} s")


def generate(kind: str, n: int, *, force: bool = False, log=print) -> bool:
    """Build the bench database for (kind, n) unless it is cached; True when it was (re)built."""
    if not force and is_loaded(kind, n):
        return False
    if not force and upgrade_in_place(kind, n, log=log):
        return False
    as_of = dates.today()
    started = time.perf_counter()
    if kind == "sqlite":
        DATA.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", ".done"):
            Path(str(sqlite_path(n)) + suffix).unlink(missing_ok=True)
    else:
        import psycopg

        with psycopg.connect(_pg_dsn("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{pg_name(n)}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{pg_name(n)}"')
    log(f"[generate] {kind} n={n:,}: schema (flask db upgrade), programs, tags, users …")
    build_schema_and_people(kind, n)
    log(f"[generate] {kind} n={n:,}: bulk load …")
    if kind == "sqlite":
        _load_sqlite(n, as_of)
    else:
        _load_postgresql(n, as_of, log=log)
    log(f"[generate] {kind} n={n:,}: pattern rollups …")
    rollups_started = time.perf_counter()
    build_rollups(kind, n, log=log)
    log(f"[generate] {kind} n={n:,}: rollups in {time.perf_counter() - rollups_started:.0f} s")
    create_api_user(kind, n)
    seconds = time.perf_counter() - started
    _write_marker(kind, n, f"{_marker(n)} as_of={as_of.isoformat()} load_seconds={seconds:.0f}")
    log(f"[generate] {kind} n={n:,}: done in {seconds:.0f} s")
    return True


def load_seconds(kind: str, n: int) -> float | None:
    """How long the cached load took (from its marker)."""
    text = ""
    if kind == "sqlite":
        done = sqlite_path(n).with_suffix(".done")
        text = done.read_text() if done.exists() else ""
    else:
        import psycopg

        with psycopg.connect(_pg_dsn("postgres"), autocommit=True) as conn:
            row = conn.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", (pg_name(n),)
            ).fetchone()
        text = (row and row[0]) or ""
    for part in text.split():
        if part.startswith("load_seconds="):
            return float(part.split("=", 1)[1])
    return None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), action="append")
    parser.add_argument("--n", type=int, action="append")
    parser.add_argument("--force", action="store_true", help="rebuild even when cached")
    args = parser.parse_args(argv)
    for kind in args.db or ["sqlite", "postgresql"]:
        for n in args.n or [1_000_000]:
            if not generate(kind, n, force=args.force):
                print(f"[generate] {kind} n={n:,}: cached", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
