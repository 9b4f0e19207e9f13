"""The pattern rollups stay equal to a fresh count through logging, edits, deletes and merges,
and the pattern list read from them is the list computed from the concerns themselves."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, update

from caseflow.concerns.services import delete_concern, log_concern, parse_concern, update_concern
from caseflow.dates import today
from caseflow.equity.disparity import disparity, equity_overview, group_counts
from caseflow.equity.policy import Audience, Disclosure, Tally
from caseflow.models import Concern, ConcernRace, PatternDay, Tag, concern_tags
from caseflow.patterns import engine, rollup
from caseflow.patterns.engine import PatternSettings, find_patterns
from caseflow.patterns.facets import BY_NAME
from caseflow.patterns.keys import PatternKey
from caseflow.taxonomy.services import merge_tags
from caseflow.taxonomy.services import update as update_taxonomy

TAGS = ["no-heat", "mold", "wage-theft", "benefits-delay"]
PROGRAMS = ["housing", "legal", "food"]
ZIPS = ["11226", "11212", "11207", None]
RACES = [
    [],
    [],
    ["black"],
    ["black", "hispanic"],
    ["white"],
    ["hispanic"],
    ["not_collected"],
    ["refused"],
    ["asian", "white"],
]


def _body(rng: random.Random) -> dict:
    day = today() - timedelta(days=rng.randrange(0, 70))
    body = {
        "program": rng.choice(PROGRAMS),
        "tags": rng.sample(TAGS, rng.choice([1, 1, 2])),
        "summary": f"Concern from {day}",
        "occurred_on": day.isoformat(),
        "zip": rng.choice(ZIPS) or "",
        "wants_involvement": rng.random() < 0.3,
    }
    if rng.random() < 0.8:
        body["client_ref"] = f"client-{rng.randrange(12)}"
    if rng.random() < 0.6:
        body["client_importance"] = rng.randint(1, 5)
    body["race_ethnicity"] = rng.choice(RACES)
    return body


def _history(db, author, rng: random.Random, *, logged: int, edited: int, deleted: int) -> list[Concern]:
    """Concerns logged, then some edited into other ones, then some deleted, all through the services."""
    concerns = [log_concern(author, parse_concern(_body(rng))) for _ in range(logged)]
    db.session.commit()
    for concern in rng.sample(concerns, edited):
        update_concern(author, concern, parse_concern(_body(rng)), concern.version)
    for concern in rng.sample(concerns, deleted):
        delete_concern(author, concern, "Logged twice")
    db.session.commit()
    return concerns


def _both_ways(app, settings):
    """find_patterns from the rollups and from the concerns, as comparable dicts."""

    def run():
        return {p.key: p.to_json() | {"without_ref": p.concerns_without_ref} for p in find_patterns(settings)}

    assert settings.rollups_enabled
    from_rollups = run()
    app.config["USE_ROLLUPS"] = False
    try:
        assert not settings.rollups_enabled
        from_concerns = run()
    finally:
        app.config["USE_ROLLUPS"] = True
    return from_rollups, from_concerns


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rollups_follow_logging_edits_and_deletes(app, db, taxonomy, make_user, seed):
    _history(db, make_user("caseworker"), random.Random(seed), logged=60, edited=20, deleted=8)
    assert rollup.check(db.session) == []
    for as_of, window in ((today(), 7), (today(), 30), (today(), 45), (today() - timedelta(days=9), 30)):
        settings = PatternSettings(as_of=as_of, window_days=window, min_concerns=2, min_clients=2, min_cell=3)
        from_rollups, from_concerns = _both_ways(app, settings)
        assert window == 7 or len(from_rollups) > 5, "the data should surface patterns"
        assert from_rollups == from_concerns


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_leading_patterns_of_a_past_window_are_those_of_the_whole_list(app, db, taxonomy, make_user, seed):
    """A summary's largest and fastest-rising patterns: only the candidates ahead are counted to the
    last client, and they are exactly the first of find_patterns' list in each order."""
    _history(db, make_user("caseworker"), random.Random(seed), logged=90, edited=15, deleted=6)
    orders = {
        "top": (lambda p: True, lambda p: (-p.count, p.key)),
        "rising": (lambda p: p.trend is not None and p.trend > 0, lambda p: (-(p.trend or 0), -p.count, p.key)),
        "wants": (lambda p: p.wants_involvement > 1, lambda p: (-p.wants_involvement, p.key)),
    }
    for as_of, window, disclosure in (
        (today() - timedelta(days=9), 30, Disclosure(Audience.RECORD, 3)),
        (today() - timedelta(days=9), 30, Disclosure(Audience.AGGREGATE, 3)),
        (today() - timedelta(days=20), 25, Disclosure(Audience.PUBLISHED, 3)),
        (today(), 30, Disclosure(Audience.AGGREGATE, 3)),
    ):
        settings = PatternSettings(as_of=as_of, window_days=window, min_concerns=2, min_clients=2, min_cell=3)
        everything = find_patterns(settings, disclosure=disclosure, with_examples=0)
        for n in (1, 4, 50):
            leading = engine.leading_patterns(settings, disclosure, orders, n)
            for name, (take, key) in orders.items():
                expected = [p.to_json() for p in sorted(filter(take, everything), key=key)[:n]]
                assert [p.to_json() for p in leading[name]] == expected, (as_of, name, n)
        assert len(everything) > 8, "the data should surface patterns"


def _without_rollups(app, compute):
    app.config["USE_ROLLUPS"] = False
    try:
        return compute()
    finally:
        app.config["USE_ROLLUPS"] = True


@pytest.mark.parametrize("seed", [4, 5])
def test_race_counts_from_the_rollup_equal_the_concerns(app, db, taxonomy, make_user, seed):
    _history(db, make_user("caseworker"), random.Random(seed), logged=80, edited=15, deleted=6)
    assert rollup.check(db.session) == []

    # Published values (cell key method) from both paths: the record-key sums agree too.
    published = Disclosure(Audience.AGGREGATE, 3)

    def equity(since, until):
        out = {}
        for alone in (False, True):
            overview = equity_overview(since, until, published, alone=alone)
            out[alone] = (
                overview.categories,
                {k: c.display() for k, c in overview.table.cells.items()},
                overview.not_collected_share,
                group_counts(since, until, alone=alone),
            )
        for tag in TAGS:
            gap = disparity(PatternKey(tag).matching_concern_ids(since, until), since, until, published, tag=tag)
            out[tag] = gap.to_json() | {"reported": gap.pattern_reported}
        return out

    for since, until in (
        (today() - timedelta(days=29), today()),
        (today() - timedelta(days=60), today() - timedelta(days=20)),
    ):
        from_rollup = equity(since, until)
        assert from_rollup[False][3]["_total"].count > 10
        assert from_rollup == _without_rollups(app, lambda: equity(since, until))  # noqa: B023


def test_a_tag_moved_to_another_category_is_recounted(app, db, taxonomy, make_user):
    _history(db, make_user("caseworker"), random.Random(9), logged=20, edited=0, deleted=0)
    mold = db.session.scalar(select(Tag).where(Tag.slug == "mold"))
    update_taxonomy(make_user("admin"), mold, name=mold.name, active=True, category="Health")
    db.session.commit()
    assert rollup.check(db.session) == []
    since = today() - timedelta(days=80)
    assert "Health" in equity_overview(since, today(), Disclosure(Audience.RECORD, 1)).categories


def test_weeks_and_breakdowns_count_the_live_concerns(app, db, taxonomy, make_user):
    rng = random.Random(11)
    author = make_user("caseworker")
    concerns = [log_concern(author, parse_concern(_body(rng))) for _ in range(50)]
    for concern in concerns[:5]:
        delete_concern(author, concern, "Duplicate")
    db.session.commit()
    settings = PatternSettings(as_of=today(), window_days=28)
    live = [c for c in concerns[5:] if c.occurred_on >= settings.start]
    for key in ("tag:no-heat", "tag:no-heat/program:legal", "tag:mold/zip:11226"):
        parsed = PatternKey.parse(key)
        matching = [c for c in live if parsed.matches(c)]
        weeks = Counter((c.occurred_on - settings.start).days // 7 for c in matching)
        week_keys = Counter()
        for c in matching:
            week_keys[(c.occurred_on - settings.start).days // 7] += c.record_key
        assert engine.week_counts(parsed, settings) == [
            (settings.start + timedelta(days=7 * i), Tally(weeks[i], week_keys[i])) for i in range(4)
        ]
        by_program = Counter(c.program.name for c in matching)
        assert {k: t.count for k, t in engine.breakdown(parsed, settings, BY_NAME["program"])} == by_program
        by_zip = Counter(c.zip for c in matching if c.zip)
        zip_keys = Counter()
        for c in matching:
            if c.zip:
                zip_keys[c.zip] += c.record_key
        assert dict(engine.breakdown(parsed, settings, BY_NAME["zip"])) == {
            z: Tally(n, zip_keys[z]) for z, n in by_zip.items()
        }


def test_a_detail_page_search_finds_exactly_the_related_patterns(app, db, taxonomy, make_user):
    _history(db, make_user("caseworker"), random.Random(12), logged=70, edited=0, deleted=0)
    settings = PatternSettings(as_of=today(), window_days=30, min_concerns=2, min_clients=1, min_cell=2)
    for use_rollups in (True, False):
        app.config["USE_ROLLUPS"] = use_rollups
        try:
            everything = find_patterns(settings, with_examples=0)
            for key in (PatternKey("no-heat"), PatternKey("mold", "zip", "11212")):
                near = {p.key: p.to_json() for p in find_patterns(settings, with_examples=0, near=key)}
                related = {p.key: p.to_json() for p in everything if p.tag == key.tag or (key.zip and p.zip == key.zip)}
                assert near == related and str(PatternKey(key.tag)) in near
        finally:
            app.config["USE_ROLLUPS"] = True


def test_a_client_counted_once_moves_with_their_latest_concern(app, db, taxonomy, make_user):
    author = make_user("caseworker")
    body = {"program": "housing", "tags": ["no-heat"], "summary": "Cold", "client_ref": "A"}
    recent = log_concern(author, parse_concern(body | {"occurred_on": today().isoformat()}))
    old = (today() - timedelta(days=40)).isoformat()
    log_concern(author, parse_concern(body | {"occurred_on": old}))
    log_concern(author, parse_concern(body | {"occurred_on": old, "client_ref": "B"}))
    db.session.commit()
    settings = PatternSettings(as_of=today(), window_days=30, min_concerns=1, min_clients=1, min_cell=1)
    [pattern] = [p for p in find_patterns(settings) if p.key == "tag:no-heat"]
    assert (pattern.count, pattern.distinct_clients, pattern.previous_count) == (1, 1, 2)

    delete_concern(author, recent, "Wrong client")
    db.session.commit()
    assert [p.key for p in find_patterns(settings)] == []
    assert rollup.check(db.session) == []


def test_a_tag_merge_and_a_bulk_change_are_recounted(app, db, taxonomy, make_user):
    _history(db, make_user("caseworker"), random.Random(7), logged=30, edited=0, deleted=0)
    mold = db.session.scalar(select(Tag).where(Tag.slug == "mold"))
    no_heat = db.session.scalar(select(Tag).where(Tag.slug == "no-heat"))
    merge_tags(make_user("admin"), mold, no_heat)
    db.session.commit()
    assert rollup.check(db.session) == []

    # A change behind the ORM's back is found by the check and put right by a rebuild.
    db.session.execute(update(Concern).values(zip="11226"))
    db.session.commit()
    assert rollup.check(db.session) != []
    rollup.rebuild(db.session)
    db.session.commit()
    assert rollup.check(db.session) == []


def test_past_windows_count_their_clients_from_the_concerns(app, db, taxonomy, make_concern):
    make_concern(occurred_on=(today() - timedelta(days=3)).isoformat(), client_ref="A")
    make_concern(occurred_on=(today() - timedelta(days=2)).isoformat(), client_ref="A")
    # clients_last only holds for windows ending today: a past window must not read it.
    db.session.execute(update(PatternDay).values(clients_last=50))
    db.session.commit()
    past = PatternSettings(as_of=today() - timedelta(days=1), window_days=30, min_concerns=1, min_clients=1)
    assert not past.uses_rollups and past.rollups_enabled
    [pattern] = find_patterns(past, ("tag",))
    assert (pattern.key, pattern.count, pattern.distinct_clients) == ("tag:no-heat", 2, 1)


def test_concerns_deleted_outside_the_orm_leave_the_rollups(app, db, taxonomy, make_user):
    rng = random.Random(21)
    author = make_user("caseworker")
    concerns = [log_concern(author, parse_concern(_body(rng))) for _ in range(30)]
    db.session.commit()
    gone = [c.id for c in concerns[::3]]
    conn = db.session.connection()

    def delete_them():
        for table in (concern_tags, ConcernRace.__table__):
            conn.execute(delete(table).where(table.c.concern_id.in_(gone)))
        conn.execute(delete(Concern).where(Concern.id.in_(gone)))

    rollup.remove_concerns(conn, gone, delete_them)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Concern)) == 20
    assert rollup.check(db.session) == []


def test_rollup_commands(app, db, taxonomy, make_concern):
    make_concern(client_ref="A")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["patterns", "check-rollups"]).exit_code == 0
    db.session.execute(update(PatternDay).values(concerns=0))
    db.session.commit()
    failed = runner.invoke(args=["patterns", "check-rollups"])
    assert failed.exit_code == 1 and "day ('tag'" in failed.output
    assert "rebuilt" in runner.invoke(args=["patterns", "rebuild-rollups"]).output
    assert runner.invoke(args=["patterns", "check-rollups"]).exit_code == 0
