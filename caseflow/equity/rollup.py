"""Keeping the race/ethnicity rollup (caseflow.models.rollup.RaceDay) in step with the concerns.

Driven by the same flush hook as the pattern rollups (caseflow.patterns.rollup): the changed
concerns' contributions before the flush are taken away and their contributions after it added.
`computed_race_days()` is the same rollup as one SELECT, for rebuilds and checks.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import String, case, cast, delete, func, literal, or_, select, union_all

from caseflow.models import RACE_CATEGORIES, RACE_NON_ANSWERS, Concern, ConcernRace, RaceDay, Tag, concern_tags

GROUPS = tuple(RACE_CATEGORIES)
NON_ANSWERS = tuple(RACE_NON_ANSWERS)
TOTALS = ("_total", "_reported", "_blank", "_nc_or_blank")
RACE_COUNTS = ("concerns", "alone", "key_sum", "alone_key_sum")


@dataclass(frozen=True)
class RaceFact:
    """One live concern, as the race rollup sees it."""

    day: date
    tag_ids: tuple[int, ...]
    categories: tuple[str, ...]
    codes: tuple[str, ...]
    record_key: int = 0

    def scopes(self):
        yield "all", ""
        for tag_id in self.tag_ids:
            yield "tag", str(tag_id)
        for category in self.categories:
            yield "category", category

    def counts(self):
        """((code, concerns, alone), …) this concern adds to each of its scopes."""
        n_categories = sum(code in GROUPS for code in self.codes)
        for code in self.codes:
            yield code, 1, int(n_categories == 1 or code in NON_ANSWERS)
        yield "_total", 1, 0
        if n_categories:
            yield "_reported", 1, 0
        if not self.codes:
            yield "_blank", 1, 0
        if not self.codes or "not_collected" in self.codes:
            yield "_nc_or_blank", 1, 0


def race_facts(conn, concern_ids) -> list[RaceFact]:
    if not concern_ids:
        return []
    ids = sorted(concern_ids)
    found = {
        cid: (day, record_key)
        for cid, day, record_key in conn.execute(
            select(Concern.id, Concern.occurred_on, Concern.record_key).where(
                Concern.id.in_(ids), Concern.deleted_at.is_(None)
            )
        )
    }
    days = {cid: day for cid, (day, _) in found.items()}
    if not days:
        return []
    tags: dict[int, set] = defaultdict(set)
    categories: dict[int, set] = defaultdict(set)
    for concern_id, tag_id, category in conn.execute(
        select(concern_tags.c.concern_id, Tag.id, Tag.category)
        .join(Tag, Tag.id == concern_tags.c.tag_id)
        .where(concern_tags.c.concern_id.in_(list(days)))
    ):
        tags[concern_id].add(tag_id)
        categories[concern_id].add(category)
    codes: dict[int, set] = defaultdict(set)
    for concern_id, code in conn.execute(
        select(ConcernRace.concern_id, ConcernRace.code).where(ConcernRace.concern_id.in_(list(days)))
    ):
        codes[concern_id].add(code)
    return [
        RaceFact(
            day, tuple(sorted(tags[cid])), tuple(sorted(categories[cid])), tuple(sorted(codes[cid])), found[cid][1]
        )
        for cid, day in days.items()
    ]


def race_rows(before: list[RaceFact], after: list[RaceFact]) -> list[dict]:
    """The net change as rows to add to race_days."""
    deltas: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for sign, facts in ((-1, before), (1, after)):
        for fact in facts:
            for scope, key in fact.scopes():
                for code, concerns, alone in fact.counts():
                    d = deltas[(scope, fact.day, key, code)]
                    d[0] += sign * concerns
                    d[1] += sign * alone
                    d[2] += sign * concerns * fact.record_key
                    d[3] += sign * alone * fact.record_key
    return [
        {"scope": s, "day": day, "key": k, "code": c, **dict(zip(RACE_COUNTS, d, strict=True))}
        for (s, day, k, c), d in sorted(deltas.items())
        if any(d)
    ]


# --- Rebuild and check ------------------------------------------------------------------------------


def computed_race_days(ids: tuple[int, int] | None = None):
    """SELECT every race_days row from the concerns (with ids in the range `ids`, when given); rows
    whose counts are all zero never appear."""
    only = [Concern.id.between(*ids)] if ids else []
    live = select(
        Concern.id.label("concern_id"), Concern.occurred_on.label("day"), Concern.record_key.label("record_key")
    ).where(Concern.deleted_at.is_(None), *only)
    scoped = union_all(
        live.add_columns(literal("all").label("scope"), literal("").label("key")),
        select(
            Concern.id, Concern.occurred_on, Concern.record_key, literal("tag"), cast(concern_tags.c.tag_id, String(64))
        )
        .join(concern_tags, concern_tags.c.concern_id == Concern.id)
        .where(Concern.deleted_at.is_(None), *only),
        select(Concern.id, Concern.occurred_on, Concern.record_key, literal("category"), Tag.category)
        .join(concern_tags, concern_tags.c.concern_id == Concern.id)
        .join(Tag, Tag.id == concern_tags.c.tag_id)
        .where(Concern.deleted_at.is_(None), *only)
        .distinct(),
    ).subquery("scoped")
    flags = (
        select(
            ConcernRace.concern_id,
            func.sum(case((ConcernRace.code.in_(GROUPS), 1), else_=0)).label("n_categories"),
            func.max(case((ConcernRace.code == "not_collected", 1), else_=0)).label("not_collected"),
        )
        .where(*([ConcernRace.concern_id.between(*ids)] if ids else []))
        .group_by(ConcernRace.concern_id)
        .subquery("flags")
    )
    key = [scoped.c.scope, scoped.c.day, scoped.c.key]
    is_alone = or_(flags.c.n_categories == 1, ConcernRace.code.in_(NON_ANSWERS))
    answers = (
        select(
            *key,
            ConcernRace.code,
            func.count().label("concerns"),
            func.sum(case((is_alone, 1), else_=0)).label("alone"),
            func.sum(scoped.c.record_key).label("key_sum"),
            func.sum(case((is_alone, scoped.c.record_key), else_=0)).label("alone_key_sum"),
        )
        .select_from(scoped)
        .join(ConcernRace, ConcernRace.concern_id == scoped.c.concern_id)
        .join(flags, flags.c.concern_id == scoped.c.concern_id)
        .group_by(*key, ConcernRace.code)
    )
    conditions = {
        "_total": scoped.c.concern_id.is_not(None),
        "_reported": flags.c.n_categories > 0,
        "_blank": flags.c.concern_id.is_(None),
        "_nc_or_blank": or_(flags.c.concern_id.is_(None), flags.c.not_collected == 1),
    }
    totals = [
        select(
            *key,
            literal(code).label("code"),
            func.sum(case((condition, 1), else_=0)),
            literal(0),
            func.sum(case((condition, scoped.c.record_key), else_=0)),
            literal(0),
        )
        .select_from(scoped)
        .outerjoin(flags, flags.c.concern_id == scoped.c.concern_id)
        .group_by(*key)
        .having(func.sum(case((condition, 1), else_=0)) > 0)
        for code, condition in conditions.items()
    ]
    return union_all(answers, *totals)


def add_race(conn, first_id: int, last_id: int) -> None:
    """Add the concerns with ids `first_id`…`last_id` (a bulk insert's batch) to race_days: one
    INSERT … SELECT … ON CONFLICT that adds to the rows already there."""
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    rows = computed_race_days((first_id, last_id)).subquery("rows")
    table = RaceDay.__table__
    insert = (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(table).from_select(
        ["scope", "day", "key", "code", *RACE_COUNTS], select(rows).where(literal(True))
    )
    set_ = {c: table.c[c] + insert.excluded[c] for c in RACE_COUNTS}
    conn.execute(insert.on_conflict_do_update(index_elements=["scope", "day", "key", "code"], set_=set_))


def rebuild_race(conn) -> None:
    conn.execute(delete(RaceDay))
    rows = computed_race_days().subquery("rows")
    conn.execute(  # in key order: a window's rows together on disk (see patterns.rollup.rebuild)
        RaceDay.__table__.insert().from_select(
            ["scope", "day", "key", "code", *RACE_COUNTS], select(rows).order_by(*rows.c[:4])
        )
    )


def check_race(conn) -> list[str]:
    table = RaceDay.__table__
    stored = {tuple(r[:4]): tuple(r[4:]) for r in conn.execute(select(*table.c)) if any(r[4:])}
    fresh = {tuple(r[:4]): tuple(int(v) for v in r[4:]) for r in conn.execute(computed_race_days())}
    return [
        f"race {key}: stored {stored.get(key)} computed {fresh.get(key)}"
        for key in sorted(set(stored) | set(fresh), key=str)
        if stored.get(key) != fresh.get(key)
    ]
