"""Race/ethnicity breakdowns in SQL, suppressed before anyone sees them.

Groups are counted "alone or in combination" (SPD 15 practice): a client who reports Black and
Hispanic/Latina/e/o counts in both. `alone=True` counts only clients who reported one category.
The three non-answers and concerns with no answer are reported as data quality, not as groups.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import Select, String, and_, case, cast, distinct, exists, func, literal, or_, select, union_all
from sqlalchemy.orm import aliased

from caseflow.equity.policy import Disclosure, Tally
from caseflow.equity.suppression import Cell, SuppressedTable
from caseflow.extensions import db
from caseflow.models import RACE_CATEGORIES, RACE_NON_ANSWERS, Concern, ConcernRace, RaceDay, Tag, concern_tags

FLAG_RATIO = 1.5
GROUPS = list(RACE_CATEGORIES)
QUALITY = [*RACE_NON_ANSWERS, "blank"]
QUALITY_LABELS = {**RACE_NON_ANSWERS, "blank": "No answer recorded"}


def _window(query: Select, since: date, until: date) -> Select:
    return query.where(Concern.deleted_at.is_(None), Concern.occurred_on >= since, Concern.occurred_on <= until)


def _has_race(*codes: str):
    """EXISTS a race/ethnicity answer (among `codes`, if given) for the concern in the outer query.

    Correlated on the primary key (concern_id, code): the cost follows the concerns in the window,
    not the whole table as a GROUP BY over every answer would.
    """
    answer = aliased(ConcernRace)
    condition = answer.concern_id == Concern.id
    if codes:
        condition = and_(condition, answer.code.in_(codes))
    return exists().where(condition)


def _n_categories():
    """How many race categories (not non-answers) the outer query's concern reported."""
    answer = aliased(ConcernRace)
    return (
        select(func.count())
        .select_from(answer)
        .where(answer.concern_id == Concern.id, answer.code.in_(GROUPS))
        .correlate(Concern)
        .scalar_subquery()
    )


def use_rollups() -> bool:
    """The race rollup answers any window (its counts add up over days); USE_ROLLUPS=False in the
    config computes from the concerns instead (the tests compare the two)."""
    return current_app.config.get("USE_ROLLUPS", True)


def _tag_key(tag: str):
    return cast(select(Tag.id).where(Tag.slug == tag).scalar_subquery(), String(64))


def rolled_up_counts(since: date, until: date, *, tag: str | None = None, alone: bool = False) -> dict[str, Tally]:
    """group_counts() read from the race rollup: everyone's, or one tag's concerns."""
    r = RaceDay
    scope = (r.scope == "tag", r.key == _tag_key(tag)) if tag else (r.scope == "all", r.key == "")
    rows = db.session.execute(
        select(r.code, func.sum(r.concerns), func.sum(r.key_sum), func.sum(r.alone), func.sum(r.alone_key_sum))
        .where(*scope, r.day >= since, r.day <= until)
        .group_by(r.code)
    )
    sums: dict[str, tuple[Tally, Tally]] = {}
    for code, n, k, n_alone, k_alone in rows:
        sums[code] = (Tally(int(n or 0), int(k or 0)), Tally(int(n_alone or 0), int(k_alone or 0)))
    none = (Tally(), Tally())
    counts = {code: sums.get(code, none)[1 if alone else 0] for code in [*GROUPS, *RACE_NON_ANSWERS]}
    counts["blank"] = sums.get("_blank", none)[0]
    counts["_reported"] = sums.get("_reported", none)[0]
    counts["_total"] = sums.get("_total", none)[0]
    return counts


def group_counts(
    since: date, until: date, concern_ids: Select | None = None, *, alone: bool = False
) -> dict[str, Tally]:
    """{code: concerns} for race groups and non-answers, plus 'blank' and '_reported' (≥1 category),
    each with its record-key sum."""
    if concern_ids is None and use_rollups():
        return rolled_up_counts(since, until, alone=alone)
    # The concerns counted (the window's, or a pattern's within it) are read once, as a common
    # table expression; their answers by code, and the totals per concern correlated on the
    # answers' primary key: whether it reported a category, whether it has no answer at all.
    # `concern_ids` selects from the concerns (a pattern's conditions): its rows carry their record
    # keys, within the window (else the database collects the pattern's concerns of every year).
    ids = select(Concern.id) if concern_ids is None else concern_ids
    counted = _window(ids.add_columns(Concern.record_key.label("record_key")), since, until).cte("counted")

    def has_race(*codes: str):
        answer = aliased(ConcernRace)
        condition = answer.concern_id == counted.c.id
        return exists().where(and_(condition, answer.code.in_(codes)) if codes else condition)

    answers = (
        select(ConcernRace.code, func.count(), func.sum(counted.c.record_key))
        .select_from(counted)
        .join(ConcernRace, ConcernRace.concern_id == counted.c.id)
        .group_by(ConcernRace.code)
    )
    if alone:
        answer = aliased(ConcernRace)
        n_categories = (
            select(func.count())
            .select_from(answer)
            .where(answer.concern_id == counted.c.id, answer.code.in_(GROUPS))
            .scalar_subquery()
        )
        answers = answers.where(or_(n_categories == 1, ConcernRace.code.in_(list(RACE_NON_ANSWERS))))
    totals = [
        select(literal(name), func.count(), func.sum(counted.c.record_key)).select_from(counted).where(*condition)
        for name, condition in (("_total", []), ("_reported", [has_race(*GROUPS)]), ("blank", [~has_race()]))
    ]
    counts = {code: Tally() for code in [*GROUPS, *RACE_NON_ANSWERS]}
    counts.update({code: Tally(int(n), int(k or 0)) for code, n, k in db.session.execute(union_all(answers, *totals))})
    return counts


@dataclass
class DisparityRow:
    code: str
    label: str
    in_pattern: Cell
    overall: Cell
    share_in_pattern: float | None
    share_overall: float | None
    ratio: float | None

    @property
    def flagged(self) -> bool:
        return self.ratio is not None and self.ratio >= FLAG_RATIO


@dataclass
class Disparity:
    rows: list[DisparityRow]
    quality: dict[str, Cell]
    pattern_reported: int
    overall_reported: int
    min_cell: int
    internal: bool = False  # exact counts for record access

    def to_json(self) -> dict:
        return {
            "min_cell": self.min_cell,
            "groups": [
                {
                    "code": r.code,
                    "in_pattern": r.in_pattern.display(),
                    "overall": r.overall.display(),
                    "share_in_pattern": r.share_in_pattern,
                    "share_overall": r.share_overall,
                    "rate_ratio": r.ratio,
                    "flagged": r.flagged,
                }
                for r in self.rows
            ],
            "data_quality": {k: v.display() for k, v in self.quality.items()},
        }


def disparity(
    concern_ids: Select, since: date, until: date, disclosure: Disclosure, *, tag: str | None = None
) -> Disparity:
    """Each group's share of a pattern against its share of all concerns in the window, as
    `disclosure` may see them: shares and rate ratios are computed from the values shown.

    `tag`: the pattern is all of one tag's concerns (`tag:<slug>`), so the rollup can answer.
    The rate ratio is shown (and flagged at ≥ 1.5) only when both of its cells are shown.
    """
    if tag and use_rollups():
        inside = rolled_up_counts(since, until, tag=tag)
    else:
        inside = group_counts(since, until, concern_ids)
    overall = group_counts(since, until)
    # Each column is a series whose total (those who reported a group) is published too: no row
    # total is ever shown, since a row mixes the pattern with the whole caseload.
    in_cells, in_total = disclosure.series({g: inside[g] for g in GROUPS}, inside["_reported"])
    all_cells, all_total = disclosure.series({g: overall[g] for g in GROUPS}, overall["_reported"])
    rows = []
    for g in GROUPS:
        a, b = in_cells[g], all_cells[g]
        share_a = a.value / in_total.value if a.shown() is not None and in_total.shown() else None
        share_b = b.value / all_total.value if b.shown() is not None and all_total.shown() else None
        ratio = round(share_a / share_b, 2) if share_a is not None and share_b else None
        rows.append(
            DisparityRow(
                code=g,
                label=RACE_CATEGORIES[g],
                in_pattern=a,
                overall=b,
                share_in_pattern=round(share_a, 4) if share_a is not None else None,
                share_overall=round(share_b, 4) if share_b is not None else None,
                ratio=ratio,
            )
        )
    quality, _ = disclosure.series({k: inside[k] for k in QUALITY}, inside["_total"], total_shown=False)
    return Disparity(
        rows,
        quality,
        in_total.shown() or 0,
        all_total.shown() or 0,
        disclosure.min_cell,
        internal=disclosure.exact,
    )


@dataclass
class EquityOverview:
    table: SuppressedTable
    categories: list[str]
    not_collected_share: dict[str, float | None]
    alone: bool
    min_cell: int
    internal: bool = False


def equity_overview(since: date, until: date, disclosure: Disclosure, *, alone: bool = False) -> EquityOverview:
    """Concerns by tag category × race/ethnicity as `disclosure` may see them; and how often race
    was not collected (a share of concerns per category: not a count of people)."""
    if use_rollups():
        counts, not_collected = _overview_from_rollup(since, until, alone, with_keys=disclosure.protected)
    else:
        counts, not_collected = _overview_from_concerns(since, until, alone)
    categories = sorted({cat for cat, _ in counts} | set(not_collected))
    table = disclosure.table(counts, row_keys=categories, col_keys=GROUPS)
    return EquityOverview(table, categories, not_collected, alone, disclosure.min_cell, internal=disclosure.exact)


def _overview_from_rollup(since: date, until: date, alone: bool, *, with_keys: bool = True):
    r = RaceDay
    window = (r.scope == "category", r.day >= since, r.day <= until)
    measure = func.sum(r.alone if alone else r.concerns)
    # Record-key sums only for a protected audience: exact counts need none.
    keys = func.sum(r.alone_key_sum if alone else r.key_sum) if with_keys else literal(0)
    counts = {
        (cat, code): Tally(int(n), int(k or 0))
        for cat, code, n, k in db.session.execute(
            select(r.key, r.code, measure, keys)
            .where(*window, r.code.in_(GROUPS))
            .group_by(r.key, r.code)
            .having(measure > 0)
        )
    }
    totals: dict[str, dict[str, int]] = {}
    for cat, code, n in db.session.execute(
        select(r.key, r.code, func.sum(r.concerns))
        .where(*window, r.code.in_(("_total", "_nc_or_blank")))
        .group_by(r.key, r.code)
    ):
        totals.setdefault(cat, {})[code] = int(n or 0)
    not_collected = {cat: t.get("_nc_or_blank", 0) / t["_total"] for cat, t in totals.items() if t.get("_total", 0) > 0}
    return counts, not_collected


def _overview_from_concerns(since: date, until: date, alone: bool):
    # One row per (concern, category, code): a concern with two tags of one category counts once.
    per_concern = (
        select(Tag.category.label("category"), ConcernRace.code.label("code"), Concern.id, Concern.record_key)
        .select_from(Concern)
        .join(concern_tags, concern_tags.c.concern_id == Concern.id)
        .join(Tag, Tag.id == concern_tags.c.tag_id)
        .join(ConcernRace, ConcernRace.concern_id == Concern.id)
        .where(ConcernRace.code.in_(GROUPS))
        .distinct()
    )
    if alone:
        per_concern = per_concern.where(_n_categories() == 1)
    rows = _window(per_concern, since, until).subquery("per_concern")
    counted = select(rows.c.category, rows.c.code, func.count(), func.sum(rows.c.record_key)).group_by(
        rows.c.category, rows.c.code
    )
    counts = {(cat, code): Tally(int(n), int(k or 0)) for cat, code, n, k in db.session.execute(counted)}

    # Correlated EXISTS on the (concern_id, code) key: cheap per concern, and no join to fan out.
    blank_or_not_collected = or_(~_has_race(), _has_race("not_collected"))
    quality = _window(
        select(
            Tag.category,
            func.count(distinct(Concern.id)),
            func.count(distinct(case((blank_or_not_collected, Concern.id)))),
        )
        .select_from(Concern)
        .join(concern_tags, concern_tags.c.concern_id == Concern.id)
        .join(Tag, Tag.id == concern_tags.c.tag_id)
        .group_by(Tag.category),
        since,
        until,
    )
    not_collected = {cat: (missing / total if total else None) for cat, total, missing in db.session.execute(quality)}
    return counts, not_collected
