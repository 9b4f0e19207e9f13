"""Keeping the rollups (caseflow.models.rollup) in step with the concerns: the pattern rollups
here, the race/ethnicity rollup through caseflow.equity.rollup.

Every ORM flush that adds, edits or deletes concerns is followed, in the same transaction, by a
delta: the changed concerns' facts as they were before the flush are taken away and their facts
after it are added, by day and by ISO week. Bulk loaders that bypass the ORM (the demo seed, tag
merges, the benchmark generator) call `rebuild()` instead, which recomputes everything with a few
INSERT … SELECT statements; a bulk hard delete goes through `remove_concerns()`. `flask patterns
rebuild-rollups` rebuilds by hand; `check()` compares the rollups with a fresh computation (the
tests use it after random edits).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace

import click
from flask.cli import AppGroup
from sqlalchemy import (
    Column,
    Date,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    case,
    cast,
    delete,
    event,
    func,
    literal,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from caseflow.database import begin_writing
from caseflow.equity.rollup import RACE_COUNTS, RaceFact, add_race, check_race, race_facts, race_rows, rebuild_race
from caseflow.models import Concern, PatternDay, PatternLastSeen, PatternWeek, RaceDay, concern_tags
from caseflow.patterns.facets import FACETS, GROUPINGS, NO_VALUE, Facet, facet_of, stored
from caseflow.sqlutil import monday, week_start

COUNTS = (
    "concerns",
    "without_ref",
    "importance_sum",
    "importance_n",
    "wants",
    "clients_last",
    "key_sum",
    "wants_key_sum",
    "clients_key_last",
)
CLIENTS_LAST, CLIENTS_KEY_LAST = COUNTS.index("clients_last"), COUNTS.index("clients_key_last")
KEY = ("grouping", "tag_id", "value")  # a pattern's rollup key, whatever its facet
N_KEY = 4  # (grouping, day, tag_id, value): the day and week tables' key columns
MEMBERS_PER_READ = 5000
# PostgreSQL: rollup maintenance is serialised across transactions (SQLite already serialises writers).
PG_LOCK_KEY = 7_424_011


def spans_programs(grouping: str) -> bool:
    """Whether a grouping's keys keep the programs they span (last-seen rows of kind "program"):
    all but the program facet's, whose key is one program."""
    return grouping != "tag_program"


@dataclass(frozen=True)
class Fact:
    """One (live concern, tag) pair with what the rollups need from the concern; `values` holds the
    concern's value of each facet (FACETS' order), None where it has none."""

    tag_id: int
    program_id: int
    values: tuple[str | None, ...]
    client_key: str | None
    day: date
    importance: int | None
    wants: bool
    record_key: int = 0
    client_record_key: int | None = None

    def keys(self):
        """(grouping, tag_id, value) of every pattern this fact counts towards."""
        yield ("tag", self.tag_id, NO_VALUE)
        for facet, value in zip(FACETS, self.values, strict=True):
            if value is not None:
                yield (facet.grouping, self.tag_id, value)

    def members(self):
        """(key, kind, member): the clients and programs whose last-seen day this fact may move."""
        for key in self.keys():
            if self.client_key:
                yield key, "client", self.client_key
            if spans_programs(key[0]):
                yield key, "program", str(self.program_id)


def _fact_columns():
    return (
        concern_tags.c.tag_id,
        Concern.program_id,
        *(facet.sql() for facet in FACETS),
        Concern.client_key,
        Concern.occurred_on,
        Concern.client_importance,
        Concern.wants_involvement,
        Concern.record_key,
        Concern.client_record_key,
    )


def fact_of(tag_id: int, concern) -> Fact:
    """The fact of one tag of a concern object, or of a concern's column values (a namespace)."""
    return Fact(
        tag_id,
        concern.program_id,
        tuple(facet.value_of(concern) for facet in FACETS),
        concern.client_key,
        concern.occurred_on,
        concern.client_importance,
        bool(concern.wants_involvement),
        concern.record_key,
        concern.client_record_key,
    )


def _fact(row) -> Fact:
    n = len(FACETS)
    tag_id, program_id, *rest = row
    return Fact(tag_id, program_id, tuple(stored(v) for v in rest[:n]), *rest[n:])


def _facts(conn, concern_ids) -> list[Fact]:
    if not concern_ids:
        return []
    rows = conn.execute(
        select(*_fact_columns())
        .join(concern_tags, concern_tags.c.concern_id == Concern.id)
        .where(Concern.id.in_(sorted(concern_ids)), Concern.deleted_at.is_(None))
    )
    return [_fact(row) for row in rows]


_UPSERTS: dict[tuple, object] = {}


def _upsert(conn, model, rows: list[dict], keys: list[str], set_) -> None:
    """INSERT … ON CONFLICT DO UPDATE for each row, as one executemany of one statement built once
    per database kind (a multi-row VALUES would be compiled afresh on every write)."""
    if not rows:
        return
    cache_key = (conn.dialect.name, model, tuple(keys))
    statement = _UPSERTS.get(cache_key)
    if statement is None:
        insert = (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(model)
        statement = insert.on_conflict_do_update(index_elements=keys, set_=set_(insert.excluded))
        _UPSERTS[cache_key] = statement
    conn.execute(statement, rows)


def apply_change(conn, before: list[Fact], after: list[Fact]) -> None:
    """Move the rollups from the `before` facts of some concerns to their `after` facts."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_LOCK_KEY})")
    deltas: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(COUNTS))
    for sign, facts in ((-1, before), (1, after)):
        for fact in facts:
            for grouping, tag_id, value in fact.keys():
                d = deltas[(grouping, fact.day, tag_id, value)]
                d[0] += sign
                d[1] += sign * (fact.client_key is None)
                d[2] += sign * (fact.importance or 0)
                d[3] += sign * (fact.importance is not None)
                d[4] += sign * bool(fact.wants)
                d[6] += sign * fact.record_key
                d[7] += sign * fact.record_key * bool(fact.wants)
    _move_last_seen(conn, before, after, deltas)
    weeks: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(COUNTS))
    for (g, day, t, v), d in deltas.items():
        week = weeks[(g, monday(day), t, v)]
        for i, value in enumerate(d):
            week[i] += value
    for model, changes in ((PatternDay, deltas), (PatternWeek, weeks)):
        rows = [
            {"grouping": g, "day": day, "tag_id": t, "value": v, **dict(zip(COUNTS, d, strict=True))}
            for (g, day, t, v), d in sorted(changes.items())
            if any(d)
        ]
        _upsert(
            conn,
            model,
            rows,
            ["grouping", "day", "tag_id", "value"],
            lambda new, model=model: {c: getattr(model, c) + getattr(new, c) for c in COUNTS},
        )


def _move_last_seen(conn, before: list[Fact], after: list[Fact], deltas) -> None:
    """Recompute the last-seen day of every (key, member) the change touches; a client whose last
    day moves moves its `clients_last` count with it."""
    added: dict[tuple, date] = {}
    for fact in after:
        for member in fact.members():
            added[member] = max(added.get(member, fact.day), fact.day)
    removed = {member for fact in before for member in fact.members()}
    client_keys = {f.client_key: f.client_record_key or 0 for f in (*before, *after) if f.client_key}
    touched = set(added) | removed
    if not touched:
        return
    stored = _stored_last_seen(conn, touched)
    exact = _exact_last_seen(conn, removed) if removed else {}
    upserts, deletes = [], []
    for member in touched:
        old = stored.get(member)
        if member in removed:
            new = exact.get(member)
        else:
            new = max(d for d in (old, added[member]) if d is not None)
        if new == old:
            continue
        (grouping, tag_id, value), kind, who = member
        member_key = client_keys.get(who, 0) if kind == "client" else 0
        if kind == "client":
            for day, sign in ((old, -1), (new, 1)):
                if day is not None:
                    d = deltas[(grouping, day, tag_id, value)]
                    d[CLIENTS_LAST] += sign
                    d[CLIENTS_KEY_LAST] += sign * member_key
        row = {"grouping": grouping, "tag_id": tag_id, "value": value}
        if new is None:
            deletes.append({**row, "kind": kind, "member": who})
        else:
            upserts.append({**row, "kind": kind, "member": who, "last_day": new, "member_key": member_key})
    _upsert(
        conn,
        PatternLastSeen,
        sorted(upserts, key=lambda r: tuple(map(str, r.values()))),
        [*KEY, "kind", "member"],
        lambda new: {"last_day": new.last_day, "member_key": new.member_key},
    )
    for row in deletes:
        conn.execute(delete(PatternLastSeen).filter_by(**row))


EXACT_LOOKUPS = 200  # up to this many touched rows (one logged concern: a few dozen), looked up by key
_EXACT_SQL: dict[int, object] = {}


def _exact_seen_sql(n: int):
    statement = _EXACT_SQL.get(n)
    if statement is None:
        keys = " OR ".join(
            f'("grouping" = :g{i} AND tag_id = :t{i} AND value = :v{i} AND kind = :k{i} AND member = :m{i})'
            for i in range(n)
        )
        statement = text(
            f"SELECT grouping, tag_id, value, kind, member, last_day FROM pattern_last_seen WHERE {keys}"  # noqa: S608
        ).columns(
            PatternLastSeen.grouping,
            PatternLastSeen.tag_id,
            PatternLastSeen.value,
            PatternLastSeen.kind,
            PatternLastSeen.member,
            PatternLastSeen.last_day,
        )
        _EXACT_SQL[n] = statement
    return statement


def _stored_last_seen(conn, touched) -> dict[tuple, date]:
    seen = PatternLastSeen
    if len(touched) <= EXACT_LOOKUPS:
        # Each row by its primary key (an OR of keys: both databases walk the key index once per
        # row), not every row of the touched members and tags — a program member alone has
        # hundreds of rows per tag. Plain SQL, one text per row count: built once, bound after.
        members = sorted(touched, key=str)
        params = {}
        for i, ((grouping, tag_id, value), kind, who) in enumerate(members):
            params.update({f"g{i}": grouping, f"t{i}": tag_id, f"v{i}": value, f"k{i}": kind, f"m{i}": who})
        rows = conn.execute(_exact_seen_sql(len(members)), params)
        return {((g, t, v), k, w): day for g, t, v, k, w, day in rows}
    tag_ids = sorted({key[1] for key, _, _ in touched})
    members = sorted({who for _, _, who in touched})
    found = {}
    # In slices: a bulk import touches tens of thousands of clients (SQLite binds ≤ 32,766 values).
    for i in range(0, len(members), MEMBERS_PER_READ):
        rows = conn.execute(
            select(seen.grouping, seen.tag_id, seen.value, seen.kind, seen.member, seen.last_day).where(
                seen.member.in_(members[i : i + MEMBERS_PER_READ]), seen.tag_id.in_(tag_ids)
            )
        )
        for grouping, tag_id, value, kind, who, last_day in rows:
            member = ((grouping, tag_id, value), kind, who)
            if member in touched:
                found[member] = last_day
    return found


def _exact_last_seen(conn, members) -> dict[tuple, date]:
    """The latest live day of each (key, member) from the concerns themselves (after the change):
    per grouping, one GROUP BY over the touched tags, values and members."""
    wanted: dict[tuple[str, str], dict] = defaultdict(lambda: {"tags": set(), "values": set(), "who": set()})
    for (grouping, tag_id, value), kind, who in members:
        w = wanted[(grouping, kind)]
        w["tags"].add(tag_id)
        w["values"].add(value)
        w["who"].add(who)
    parts = []
    for (grouping, kind), w in sorted(wanted.items()):
        facet = facet_of(grouping)
        value = facet.sql() if facet else literal(NO_VALUE)
        who = Concern.client_key if kind == "client" else cast(Concern.program_id, String(64))
        conditions = [Concern.deleted_at.is_(None), concern_tags.c.tag_id.in_(sorted(w["tags"]))]
        conditions.append(
            who.in_(sorted(w["who"])) if kind == "client" else Concern.program_id.in_(sorted(int(p) for p in w["who"]))
        )
        if facet:
            conditions.append(value.in_(sorted(w["values"])))
        parts.append(
            select(
                literal(grouping).label("grouping"),
                concern_tags.c.tag_id,
                value.label("value"),
                literal(kind).label("kind"),
                who.label("member"),
                func.max(Concern.occurred_on).label("last_day"),
            )
            .join(concern_tags, concern_tags.c.concern_id == Concern.id)
            .where(*conditions)
            .group_by(concern_tags.c.tag_id, *([facet.sql()] if facet else []), who)
        )
    exact: dict[tuple, date] = {}
    for grouping, tag_id, value, kind, who, day in conn.execute(union_all(*parts)):
        member = ((grouping, tag_id, value), kind, who)
        if member in members:
            exact[member] = day
    return exact


# --- The ORM hooks ----------------------------------------------------------------------------------

_PENDING = "caseflow.rollup_before"


def _changed_concern_ids(session: Session, collections) -> set[int]:
    return {obj.id for objs in collections for obj in objs if isinstance(obj, Concern) and obj.id is not None}


def _before_flush(session: Session, flush_context, instances) -> None:
    ids = _changed_concern_ids(session, (session.dirty, session.deleted))
    if ids:
        begin_writing(session)
        conn = session.connection()
        session.info[_PENDING] = (ids, _facts(conn, ids), race_facts(conn, ids))


def _new_concern_facts(concerns: list[Concern]) -> tuple[list[Fact], list[RaceFact]]:
    """A new concern's facts from the objects just written (no need to read them back)."""
    facts, race = [], []
    for c in concerns:
        if c.deleted_at is not None:
            continue
        tags = list(c.tags)
        facts += [fact_of(t.id, c) for t in tags]
        race.append(
            RaceFact(
                c.occurred_on,
                tuple(sorted({t.id for t in tags})),
                tuple(sorted({t.category for t in tags})),
                tuple(sorted({r.code for r in c.race_rows})),
                c.record_key,
            )
        )
    return facts, race


def _after_flush(session: Session, flush_context) -> None:
    before_ids, before, race_before = session.info.pop(_PENDING, (set(), [], []))
    new = [obj for obj in session.new if isinstance(obj, Concern)]
    changed_ids = before_ids | _changed_concern_ids(session, (session.dirty,))
    if not new and not changed_ids:
        return
    conn = session.connection()
    after, race_after = _new_concern_facts(new)
    after += _facts(conn, changed_ids)
    race_after += race_facts(conn, changed_ids)
    apply_change(conn, before, after)
    _apply_race(conn, race_before, race_after)


def add_one(conn, row: dict, tags, race_codes) -> None:
    """Count one concern just inserted outside the ORM (`row`: its column values; `tags`: objects
    with an id and a category) into the rollups — what the flush hooks do for a new Concern."""
    if row.get("deleted_at") is not None:
        return
    concern = SimpleNamespace(**row)
    apply_change(conn, [], [fact_of(t.id, concern) for t in tags])
    race = RaceFact(
        row["occurred_on"],
        tuple(sorted({t.id for t in tags})),
        tuple(sorted({t.category for t in tags})),
        tuple(sorted(set(race_codes or ()))),
        row["record_key"],
    )
    _apply_race(conn, [], [race])


def _apply_race(conn, before: list[RaceFact], after: list[RaceFact]) -> None:
    _upsert(
        conn,
        RaceDay,
        race_rows(before, after),
        ["scope", "day", "key", "code"],
        lambda new: {c: getattr(RaceDay, c) + getattr(new, c) for c in RACE_COUNTS},
    )


def lock(conn) -> None:
    """Serialise rollup maintenance (PostgreSQL; SQLite has one writer anyway) until the transaction
    ends. Taken before a bulk insert, no other writer's concern can be counted by it twice."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_LOCK_KEY})")


_SCRATCH = MetaData()
_NEW_SEEN = Table(
    "rollup_new_seen",
    _SCRATCH,
    Column("grouping", String(20)),
    Column("tag_id", Integer),
    Column("value", String(64)),
    Column("kind", String(8)),
    Column("member", String(64)),
    Column("last_day", Date),
    Column("member_key", Integer),
    Column("old_day", Date),  # the member's last day before the batch, if it had one
    PrimaryKeyConstraint("grouping", "tag_id", "value", "kind", "member"),
    prefixes=["TEMPORARY"],
)
_DELTA = Table(
    "rollup_delta",
    _SCRATCH,
    Column("grouping", String(20)),
    Column("day", Date),
    Column("tag_id", Integer),
    Column("value", String(64)),
    *(Column(c, Integer) for c in COUNTS),
    prefixes=["TEMPORARY"],
)


def add_concerns(conn, first_id: int, last_id: int) -> None:
    """Count the concerns with ids `first_id`…`last_id`, just inserted outside the ORM (a bulk import,
    after `lock`), into the rollups with set-based SQL: each grouping's day counts, the clients whose
    last day moves (their count moves from the old day to the new), the weeks, the last-seen rows and
    the race/ethnicity rollup — a few INSERT … SELECT … ON CONFLICT statements for any batch size."""
    batch = Concern.id.between(first_id, last_id)
    for table in (_NEW_SEEN, _DELTA):
        table.drop(conn, checkfirst=True)
        table.create(conn)
    try:
        new, old = _NEW_SEEN, PatternLastSeen.__table__
        conn.execute(new.insert().from_select([c.name for c in new.c][:-1], computed_last_seen(batch)))
        # Each member's stored last day, looked up by primary key from the batch's side (a join
        # could let SQLite walk every client of pattern_last_seen instead).
        stored_day = (
            select(old.c.last_day).where(*(old.c[k] == new.c[k] for k in (*KEY, "kind", "member"))).scalar_subquery()
        )
        conn.execute(new.update().values(old_day=stored_day))
        columns = [c.name for c in _DELTA.c]
        for part in _counted_days(batch):
            conn.execute(_DELTA.insert().from_select(columns, part))
        moved = or_(new.c.old_day.is_(None), new.c.last_day > new.c.old_day)
        zeros = [literal(0)] * CLIENTS_LAST
        for sign, day, which in ((1, new.c.last_day, moved), (-1, new.c.old_day, new.c.last_day > new.c.old_day)):
            clients = (
                select(
                    new.c.grouping,
                    day,
                    new.c.tag_id,
                    new.c.value,
                    *zeros,
                    literal(sign) * func.count(),
                    literal(0),
                    literal(0),
                    literal(sign) * func.sum(new.c.member_key),
                )
                .where(new.c.kind == "client", which)
                .group_by(new.c.grouping, day, new.c.tag_id, new.c.value)
            )
            conn.execute(_DELTA.insert().from_select(columns, clients))
        sums = [func.sum(_DELTA.c[c]) for c in COUNTS]
        for model, day in ((PatternDay, _DELTA.c.day), (PatternWeek, week_start(_DELTA.c.day))):
            rows = select(_DELTA.c.grouping, day, _DELTA.c.tag_id, _DELTA.c.value, *sums).group_by(
                _DELTA.c.grouping, day, _DELTA.c.tag_id, _DELTA.c.value
            )
            _upsert_from(
                conn,
                model,
                ["grouping", "day", "tag_id", "value", *COUNTS],
                rows.where(literal(True)),
                lambda t, excluded: {c: getattr(t.c, c) + getattr(excluded, c) for c in COUNTS},
            )
        seen_columns = [c.name for c in new.c][:-1]
        _upsert_from(
            conn,
            PatternLastSeen,
            seen_columns,
            select(*(new.c[c] for c in seen_columns)).where(moved),
            lambda t, excluded: {"last_day": excluded.last_day, "member_key": excluded.member_key},
            keys=[*KEY, "kind", "member"],
        )
    finally:
        for table in (_NEW_SEEN, _DELTA):
            table.drop(conn, checkfirst=True)
    add_race(conn, first_id, last_id)


def _upsert_from(conn, model, columns: list[str], query, set_, keys=("grouping", "day", "tag_id", "value")) -> None:
    """INSERT INTO model (columns) SELECT … ON CONFLICT (keys) DO UPDATE SET set_(table, excluded)."""
    table = model.__table__
    insert = (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(table).from_select(columns, query)
    conn.execute(insert.on_conflict_do_update(index_elements=list(keys), set_=set_(table, insert.excluded)))


def remove_concerns(conn, concern_ids, delete_them) -> None:
    """Hard-delete concerns outside the ORM (`delete_them()` runs the DELETEs) and take them out of
    the rollups — cheaper than a rebuild for a few thousand rows (the benchmark's clean-up)."""
    ids = set(concern_ids)
    before, race_before = _facts(conn, ids), race_facts(conn, ids)
    delete_them()
    apply_change(conn, before, [])
    _apply_race(conn, race_before, [])


def init_app(app) -> None:
    """Keep the rollups in step on every flush of the app's sessions (Flask-SQLAlchemy's session
    factory, not every SQLAlchemy Session in the process), and recount them when the taxonomy
    changes behind the ORM's back (a tag merge, a tag moved to another category)."""
    from caseflow.extensions import db
    from caseflow.taxonomy.signals import concerns_retagged, tag_category_changed

    factory = db.session.session_factory
    for name, listener in (("before_flush", _before_flush), ("after_flush", _after_flush)):
        if not event.contains(factory, name, listener):
            event.listen(factory, name, listener)
    concerns_retagged.connect(_recount_all)
    tag_category_changed.connect(_recount_race)


def _recount_all(session, **_) -> None:
    rebuild(session)


def _recount_race(session, **_) -> None:
    rebuild_race(session.connection())


# --- Rebuild and check ------------------------------------------------------------------------------


def _live_facts(*only):
    """The (live concern, tag) facts, of every concern or only of those matching `only`."""
    return (
        select(
            concern_tags.c.tag_id.label("tag_id"),
            Concern.program_id.label("program_id"),
            *(getattr(Concern, facet.column).label(facet.name) for facet in FACETS if facet.column != "program_id"),
            Concern.client_key.label("client_key"),
            Concern.occurred_on.label("day"),
            Concern.client_importance.label("importance"),
            Concern.wants_involvement.label("wants"),
            Concern.record_key.label("record_key"),
            Concern.client_record_key.label("client_record_key"),
        )
        .join(concern_tags, concern_tags.c.concern_id == Concern.id)
        .where(Concern.deleted_at.is_(None), *only)
        .subquery("facts")
    )


def _facet_column(facts, facet: Facet):
    return facts.c.program_id if facet.column == "program_id" else facts.c[facet.name]


def _grouping_columns(facts, grouping: str):
    facet = facet_of(grouping)
    value = facet.sql(_facet_column(facts, facet)) if facet else literal(NO_VALUE)
    return literal(grouping).label("grouping"), facts.c.tag_id, value.label("value")


def _grouped_by(facts, grouping: str) -> list:
    """The real columns a grouping groups by (no constants: a frozen copy of these statements with
    their values written in must not turn GROUP BY 0 into a column position)."""
    facet = facet_of(grouping)
    return [facts.c.tag_id, *([_facet_column(facts, facet)] if facet else [])]


def _where(facts, grouping: str):
    facet = facet_of(grouping)
    return [_facet_column(facts, facet).is_not(None)] if facet else []


def computed_last_seen(*only):
    """SELECT every (key, member, last day) from the concerns (matching `only`): the rows
    PatternLastSeen should hold."""
    facts = _live_facts(*only)
    parts = []
    for grouping in GROUPINGS:
        cols = _grouping_columns(facts, grouping)
        parts.append(
            select(
                *cols,
                literal("client").label("kind"),
                facts.c.client_key.label("member"),
                func.max(facts.c.day).label("last_day"),
                func.max(facts.c.client_record_key).label("member_key"),
            )
            .where(facts.c.client_key.is_not(None), *_where(facts, grouping))
            .group_by(*_grouped_by(facts, grouping), facts.c.client_key)
        )
        if spans_programs(grouping):
            program = cast(facts.c.program_id, String(64))
            parts.append(
                select(
                    *cols,
                    literal("program").label("kind"),
                    program.label("member"),
                    func.max(facts.c.day).label("last_day"),
                    literal(0).label("member_key"),
                )
                .where(*_where(facts, grouping))
                .group_by(*_grouped_by(facts, grouping), facts.c.program_id)
            )
    return union_all(*parts)


def _counted_days(*only) -> list:
    """SELECTs of each grouping's day rows from the concerns (matching `only`), without the
    distinct-client counts (clients_last, clients_key_last are 0)."""
    facts = _live_facts(*only)
    parts = []
    for grouping in GROUPINGS:
        cols = _grouping_columns(facts, grouping)
        parts.append(
            select(
                cols[0],
                facts.c.day.label("day"),
                *cols[1:],
                func.count().label("concerns"),
                func.sum(case((facts.c.client_key.is_(None), 1), else_=0)).label("without_ref"),
                func.coalesce(func.sum(cast(facts.c.importance, Integer)), 0).label("importance_sum"),
                func.count(facts.c.importance).label("importance_n"),
                func.sum(case((facts.c.wants.is_(True), 1), else_=0)).label("wants"),
                literal(0).label("clients_last"),
                func.sum(facts.c.record_key).label("key_sum"),
                func.sum(case((facts.c.wants.is_(True), facts.c.record_key), else_=0)).label("wants_key_sum"),
                literal(0).label("clients_key_last"),
            )
            .where(*_where(facts, grouping))
            .group_by(facts.c.day, *_grouped_by(facts, grouping))
        )
    return parts


def computed_days(last_seen_table):
    """SELECT every rollup day row from the concerns and the last-seen rows."""
    parts = _counted_days()
    seen = last_seen_table
    parts.append(
        select(
            seen.c.grouping,
            seen.c.last_day.label("day"),
            seen.c.tag_id,
            seen.c.value,
            *(literal(0).label(c) for c in COUNTS[:CLIENTS_LAST]),
            func.count().label("clients_last"),
            *(literal(0).label(c) for c in COUNTS[CLIENTS_LAST + 1 : CLIENTS_KEY_LAST]),
            func.sum(seen.c.member_key).label("clients_key_last"),
        )
        .where(seen.c.kind == "client")
        .group_by(seen.c.grouping, seen.c.last_day, seen.c.tag_id, seen.c.value)
    )
    every = union_all(*parts).subquery("parts")
    key = [every.c.grouping, every.c.day, every.c.tag_id, every.c.value]
    return select(*key, *(func.sum(every.c[c]).label(c) for c in COUNTS)).group_by(*key)


def computed_weeks(days):
    """SELECT the week rows from day rows (a table, or the subquery of a fresh computation)."""
    key = [days.c.grouping, week_start(days.c.day), days.c.tag_id, days.c.value]
    return select(*key, *(func.sum(days.c[c]) for c in COUNTS)).group_by(*key)


def rebuild(conn) -> None:
    """Recompute both rollup tables from the concerns (after a bulk load, a tag merge, a restore).
    `conn`: a Connection (or a Session: its connection)."""
    conn = conn if isinstance(conn, Connection) else conn.connection()
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_LOCK_KEY})")
    conn.execute(delete(PatternDay))
    conn.execute(delete(PatternWeek))
    conn.execute(delete(PatternLastSeen))
    seen = PatternLastSeen.__table__
    conn.execute(
        seen.insert().from_select(
            [*KEY, "kind", "member", "last_day", "member_key"],
            computed_last_seen(),
        )
    )
    # Inserted in key order, so on PostgreSQL a window's rows sit together on disk as they do when
    # they arrive day by day (SQLite keeps these tables in key order anyway).
    columns = ["grouping", "day", "tag_id", "value", *COUNTS]
    days = computed_days(seen).subquery("days")
    conn.execute(PatternDay.__table__.insert().from_select(columns, select(days).order_by(*days.c[:N_KEY])))
    weeks = computed_weeks(PatternDay.__table__).subquery("weeks")
    conn.execute(PatternWeek.__table__.insert().from_select(columns, select(weeks).order_by(*weeks.c[:N_KEY])))
    rebuild_race(conn)


def check(conn) -> list[str]:
    """Differences between the stored rollups and a fresh computation; [] when they agree."""
    conn = conn if isinstance(conn, Connection) else conn.connection()
    seen = PatternLastSeen.__table__
    stored_seen = {tuple(r) for r in conn.execute(select(*seen.c))}
    fresh_seen = {tuple(r) for r in conn.execute(computed_last_seen())}
    problems = [f"last seen: stored only {r}" for r in sorted(stored_seen - fresh_seen, key=str)]
    problems += [f"last seen: missing {r}" for r in sorted(fresh_seen - stored_seen, key=str)]
    days = PatternDay.__table__
    stored = {tuple(r[:N_KEY]): tuple(r[N_KEY:]) for r in conn.execute(select(*days.c)) if any(r[N_KEY:])}
    fresh = {tuple(r[:N_KEY]): tuple(int(v) for v in r[N_KEY:]) for r in conn.execute(computed_days(seen))}
    for key in sorted(set(stored) | set(fresh), key=str):
        if stored.get(key) != fresh.get(key):
            problems.append(f"day {key}: stored {stored.get(key)} computed {fresh.get(key)}")
    weeks = PatternWeek.__table__
    stored = {tuple(r[:N_KEY]): tuple(r[N_KEY:]) for r in conn.execute(select(*weeks.c)) if any(r[N_KEY:])}
    fresh_weeks = computed_weeks(computed_days(seen).subquery("fresh_days"))
    fresh = {tuple(r[:N_KEY]): tuple(int(v) for v in r[N_KEY:]) for r in conn.execute(fresh_weeks) if any(r[N_KEY:])}
    for key in sorted(set(stored) | set(fresh), key=str):
        if stored.get(key) != fresh.get(key):
            problems.append(f"week {key}: stored {stored.get(key)} computed {fresh.get(key)}")
    return problems + check_race(conn)


# --- The command ------------------------------------------------------------------------------------

patterns_cli = AppGroup("patterns", help="Pattern rollups.")


@patterns_cli.command("rebuild-rollups")
def rebuild_rollups_cmd() -> None:
    """Recompute the pattern rollups from the concerns (after restoring or bulk-loading data)."""
    from caseflow.extensions import db

    rebuild(db.session)
    db.session.commit()
    click.echo("Pattern rollups rebuilt.")


@patterns_cli.command("check-rollups")
def check_rollups_cmd() -> None:
    """Compare the pattern rollups with a fresh count; exit 1 and list differences if they differ."""
    from caseflow.extensions import db

    problems = check(db.session)
    db.session.rollback()
    for line in problems[:50]:
        click.echo(line)
    if problems:
        raise SystemExit(1)
    click.echo("Pattern rollups agree with the concerns.")
