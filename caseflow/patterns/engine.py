"""The pattern engine: recurring concerns found by SQL aggregation.

Each grouping (a tag; a tag × a facet's value — program, ZIP …, caseflow.patterns.facets) is one GROUP BY over the current and the previous
window together, with conditional aggregates; examples come from a ROW_NUMBER() window query for
the surfaced groups only. No Python loop ever walks concern rows.

A window that ends today (the pattern list, the API, the detail page) is summed from the per-day
rollups (caseflow.models.rollup), so its cost grows with days × keys, not with concerns; a window
that ends in the past (a quarter's summary) is computed from the concerns themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import lru_cache

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Date,
    Integer,
    and_,
    bindparam,
    case,
    cast,
    distinct,
    func,
    literal,
    or_,
    select,
    text,
    tuple_,
    union_all,
)

from caseflow.dates import today
from caseflow.equity.perturbation import MAX_ADJUSTMENT
from caseflow.equity.policy import Disclosure, Tally
from caseflow.equity.policy import exact as exact_counts
from caseflow.equity.suppression import DEFAULT_MIN_CELL, is_small, suppressed_label
from caseflow.extensions import db
from caseflow.i18n import taxonomy_name
from caseflow.models import Concern, PatternDay, PatternLastSeen, PatternState, PatternWeek, Program, Tag, concern_tags
from caseflow.patterns.facets import FACETS, GROUPINGS, NO_VALUE, PEOPLE_GROUPINGS, Facet, facet_of
from caseflow.patterns.keys import PatternKey
from caseflow.sqlutil import list_agg, split_weeks, week_index

__all__ = ["GROUPINGS", "PEOPLE_GROUPINGS", "Pattern", "PatternSettings", "find_patterns"]


@dataclass(frozen=True)
class PatternSettings:
    as_of: date
    window_days: int = 90
    min_concerns: int = 5
    min_clients: int = 3
    min_cell: int = DEFAULT_MIN_CELL  # the policy's default; from_config reads CASEFLOW_MIN_CELL

    @classmethod
    def from_config(cls, as_of: date | None = None, window_days: int | None = None) -> PatternSettings:
        cfg = current_app.config
        return cls(
            as_of=as_of or today(),
            window_days=window_days or cfg["PATTERN_WINDOW_DAYS"],
            min_concerns=cfg["PATTERN_MIN_CONCERNS"],
            min_clients=cfg["PATTERN_MIN_CLIENTS"],
            min_cell=cfg["CASEFLOW_MIN_CELL"],
        )

    @property
    def start(self) -> date:
        """First day of the window (inclusive); the window ends on `as_of` (inclusive)."""
        return self.as_of - timedelta(days=self.window_days - 1)

    @property
    def previous_start(self) -> date:
        return self.start - timedelta(days=self.window_days)

    @property
    def rollups_enabled(self) -> bool:
        """USE_ROLLUPS=False in the config computes everything from the concerns (tests compare)."""
        return current_app.config.get("USE_ROLLUPS", True)

    @property
    def uses_rollups(self) -> bool:
        """Rollups count distinct clients exactly only for windows that end today or later (no concern
        is ever dated in the future); past windows take their counts from the rollups and their
        distinct clients from the concerns."""
        return self.rollups_enabled and self.as_of >= today()


@dataclass
class Pattern:
    key: str
    grouping: str
    tag: str
    tag_name: str
    category: str
    count: int
    distinct_clients: int
    previous_count: int
    concerns_without_ref: int
    avg_importance: float | None
    wants_involvement: int
    facet: str | None = None  # the facet's name ("program", "zip" …), None for a plain tag
    value: str | None = None  # its value as keys carry it (a program's slug, a ZIP)
    value_name: str | None = None  # … and as people read it (a program's name)
    programs: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    state: str = "new"
    snoozed_until: date | None = None
    dismissed_reason: str | None = None
    returned: bool = False
    campaign_id: int | None = None
    min_cell: int = DEFAULT_MIN_CELL
    # True when the counts of a pattern about people are published values (cell key method) for a
    # protected audience; False: exact counts (record access, or a pattern not about people).
    protected: bool = False

    @property
    def disaggregated(self) -> bool:
        """Counts by a characteristic of people (a ZIP is one) are counts of people."""
        return self.grouping in PEOPLE_GROUPINGS

    @property
    def program(self) -> str | None:
        return self.value if self.facet == "program" else None

    @property
    def program_name(self) -> str | None:
        return self.value_name if self.facet == "program" else None

    @property
    def zip(self) -> str | None:
        return self.value if self.facet == "zip" else None

    def shown(self, name: str) -> int | None:
        """A count as it may be shown: None when it is a small published cell of a pattern about people."""
        value = getattr(self, name)
        if self.protected and is_small(value, self.min_cell):
            return None
        return value

    def plural(self, name: str) -> bool:
        """Whether a count reads as plural: a hidden one always does ("<11 clients want"), so the
        wording never tells 1 from the rest."""
        return self.shown(name) != 1

    def display(self, name: str) -> str:
        value = self.shown(name)
        return suppressed_label(self.min_cell) if value is None else f"{value:,}"

    @property
    def trend(self) -> float | None:
        """Growth against the previous equal window (1.8 = up 180 %); None when it was empty or hidden."""
        if not self.previous_count or self.shown("previous_count") is None:
            return None
        return (self.count - self.previous_count) / self.previous_count

    @property
    def cross_program(self) -> bool:
        return len(self.programs) > 1

    @property
    def title(self) -> str:
        facet = facet_of(self.grouping)
        return self.tag_name + (facet.phrase.format(self.value_name) if facet else "")

    def to_json(self) -> dict:
        return {
            "key": self.key,
            "grouping": self.grouping,
            "tag": self.tag,
            "category": self.category,
            "program": self.program,
            "zip": self.zip,
            "facet": self.facet,
            "facet_value": self.value,
            "count": self.shown("count"),
            "distinct_clients": self.shown("distinct_clients"),
            "previous_count": self.shown("previous_count"),
            "trend": None if self.trend is None else round(self.trend, 4),
            "programs": self.programs,
            "cross_program": self.cross_program,
            "avg_importance": None if self.avg_importance is None else round(self.avg_importance, 2),
            "wants_involvement": self.shown("wants_involvement"),
            "examples": self.examples,
            "state": self.state,
            "returned": self.returned,
            "campaign_id": self.campaign_id,
        }


def _rows(query, params=None):
    """Run a reporting query on the session's connection: plain rows, none of the ORM's per-row
    work (a pattern list reads tens of thousands of aggregate rows)."""
    return db.session.connection().execute(query, params)


def _near(key: PatternKey | None, grouping: str, tag_column, value_column):
    """Only the groups sharing a key's tag (or, for a key about people, its facet's value): what a
    detail page relates to."""
    if key is None:
        return []
    same_tag = tag_column == select(Tag.id).where(Tag.slug == key.tag).scalar_subquery()
    if key.about_people and grouping == key.grouping:
        return [or_(same_tag, value_column == key.stored_value())]
    return [same_tag]


def _value_expression(grouping: str):
    """A grouping's value of a concern in SQL ('' for a plain tag) and the columns it groups by."""
    facet = facet_of(grouping)
    if facet is None:
        return literal(NO_VALUE), []
    return facet.sql(), [getattr(Concern, facet.column)]


def _aggregate(settings: PatternSettings, grouping: str, near: PatternKey | None = None):
    """One GROUP BY for a grouping: this window's measures and the previous window's count."""
    in_window = Concern.occurred_on >= settings.start
    one_if = lambda cond: func.sum(case((cond, 1), else_=0))  # noqa: E731
    keys_if = lambda cond: func.sum(case((cond, Concern.record_key), else_=0))  # noqa: E731
    value, grouped = _value_expression(grouping)
    query = (
        select(
            concern_tags.c.tag_id.label("tag_id"),
            value.label("value"),
            one_if(in_window).label("count"),
            func.count(distinct(case((in_window, Concern.client_key)))).label("distinct_clients"),
            one_if(and_(in_window, Concern.client_key.is_(None))).label("without_ref"),
            one_if(~in_window).label("previous_count"),
            func.avg(case((in_window, cast(Concern.client_importance, Integer)))).label("avg_importance"),
            one_if(and_(in_window, Concern.wants_involvement.is_(True))).label("wants"),
            keys_if(in_window).label("key_sum"),
            keys_if(and_(in_window, Concern.wants_involvement.is_(True))).label("wants_key_sum"),
            keys_if(~in_window).label("previous_key_sum"),
        )
        .select_from(Concern)
        .join(concern_tags, concern_tags.c.concern_id == Concern.id)
        .where(
            Concern.deleted_at.is_(None),
            Concern.occurred_on >= settings.previous_start,
            Concern.occurred_on <= settings.as_of,
            *(column.is_not(None) for column in grouped),
            *_near(near, grouping, concern_tags.c.tag_id, value),
        )
        .group_by(concern_tags.c.tag_id, *grouped)
    )
    # Only groups that reach the size threshold in this window come back (published values can
    # be up to MAX_ADJUSTMENT above the exact count).
    return query.having(one_if(in_window) >= settings.min_concerns - MAX_ADJUSTMENT)


def _aggregate_rows(settings: PatternSettings, grouping: str, near: PatternKey | None = None) -> list[_Row]:
    """`_aggregate`'s rows, with each key's distinct clients and their record-key sum."""
    clients = _distinct_clients(settings, grouping, near)
    rows = []
    for r in _rows(_aggregate(settings, grouping, near)).mappings():
        n, key_sum = clients.get((r["tag_id"], r["value"]), (0, 0))
        rows.append(
            _Row(
                tag_id=r["tag_id"],
                value=r["value"],
                count=int(r["count"]),
                distinct_clients=n,
                without_ref=int(r["without_ref"]),
                avg_importance=None if r["avg_importance"] is None else float(r["avg_importance"]),
                wants=int(r["wants"]),
                previous_count=int(r["previous_count"]),
                key_sum=int(r["key_sum"] or 0),
                clients_key_sum=key_sum,
                wants_key_sum=int(r["wants_key_sum"] or 0),
                previous_key_sum=int(r["previous_key_sum"] or 0),
            )
        )
    return rows


@dataclass
class _Row:
    tag_id: int
    value: str  # the facet's stored value ('' for a plain tag)
    count: int
    distinct_clients: int
    without_ref: int
    avg_importance: float | None
    wants: int
    previous_count: int = 0
    # Record-key sums of the counts above (caseflow.equity.perturbation), for protected audiences.
    key_sum: int = 0
    clients_key_sum: int = 0
    wants_key_sum: int = 0
    previous_key_sum: int = 0

    def publish(self, disclosure: Disclosure) -> _Row:
        """The row as `disclosure` may see it: published values of the counts of people."""
        if disclosure.exact:
            return self
        value = disclosure.value
        self.count = value(Tally(self.count, self.key_sum))
        self.distinct_clients = value(Tally(self.distinct_clients, self.clients_key_sum))
        self.wants = value(Tally(self.wants, self.wants_key_sum))
        self.previous_count = value(Tally(self.previous_count, self.previous_key_sum))
        return self


def _rollup_sums(
    grouping: str,
    first: date,
    last: date,
    columns: list[str],
    near: PatternKey | None = None,
    at_least: int | None = None,
):
    """SUM(columns) per key of a grouping over [first, last]: whole ISO weeks from pattern_weeks,
    the ragged ends from pattern_days, in one UNION ALL grouped once; `at_least`: only keys whose
    summed first column reaches it."""
    days, weeks = split_weeks(first, last)
    parts = []
    for model, ranges in ((PatternDay, days), (PatternWeek, [weeks] if weeks else [])):
        for a, b in ranges:
            parts.append(
                select(model.tag_id, model.value, *(getattr(model, c) for c in columns)).where(
                    model.grouping == grouping,
                    model.day >= a,
                    model.day <= b,
                    *_near(near, grouping, model.tag_id, model.value),
                )
            )
    rows = union_all(*parts).subquery("rows") if len(parts) > 1 else parts[0].subquery("rows")
    key = [rows.c.tag_id, rows.c.value]
    query = select(*key, *(func.sum(rows.c[c]) for c in columns)).group_by(*key)
    if at_least is not None:
        query = query.having(func.sum(rows.c[columns[0]]) >= at_least)
    return _rows(query)


def _aggregate_from_rollups(
    settings: PatternSettings,
    grouping: str,
    near: PatternKey | None = None,
    *,
    with_keys: bool = True,
    count_clients: bool = True,
) -> list[_Row]:
    """The same rows as `_aggregate`, summed from the rollups: one plain GROUP BY for the window and
    one for the previous window's counts (plain SUMs cost half what CASE sums do). `with_keys`:
    also the record-key sums (only a protected audience's patterns about people need them).
    `count_clients=False`: a past window's distinct clients are left at 0 (the caller counts them)."""
    measures = ["concerns", "clients_last", "without_ref", "importance_sum", "importance_n", "wants"]
    keys = ["key_sum", "clients_key_last", "wants_key_sum"] if with_keys else []
    # Only keys that can surface come back: a published count is at most MAX_ADJUSTMENT above.
    least = _least(settings, grouping) - MAX_ADJUSTMENT
    current = _rollup_sums(grouping, settings.start, settings.as_of, measures + keys, near, at_least=least)
    found: dict[tuple, _Row] = {}
    for row in current.all():
        tag_id, value, count, clients, without_ref, imp_sum, imp_n, wants = row[:8]
        k, ck, wk = row[8:] if with_keys else (0, 0, 0)
        if count >= least:
            found[(tag_id, value)] = _Row(
                tag_id=tag_id,
                value=value,
                count=int(count),
                distinct_clients=int(clients),
                without_ref=int(without_ref),
                avg_importance=int(imp_sum) / int(imp_n) if imp_n else None,
                wants=int(wants),
                key_sum=int(k),
                clients_key_sum=int(ck),
                wants_key_sum=int(wk),
            )
    if not settings.uses_rollups:
        counted = {} if not count_clients else _distinct_clients(settings, grouping, near, with_keys=with_keys)
        for key, (clients, key_sum) in counted.items():
            if key in found:
                found[key].distinct_clients, found[key].clients_key_sum = clients, key_sum
    before = settings.start - timedelta(days=1)
    for tag_id, value, previous, *previous_keys in _rollup_sums(
        grouping, settings.previous_start, before, ["concerns", *keys[:1]], near
    ).all():
        row = found.get((tag_id, value))
        if row is not None:
            row.previous_count = int(previous)
            row.previous_key_sum = int(previous_keys[0] or 0) if previous_keys else 0
    return list(found.values())


def _distinct_clients(
    settings: PatternSettings,
    grouping: str,
    near: PatternKey | None,
    *,
    with_keys: bool = True,
) -> dict[tuple, tuple[int, int]]:
    """Distinct clients per key of a window that ended in the past, and (`with_keys`) the sum of
    their client record keys, counted from the concerns (one GROUP BY over the window), keyed like
    the rollups: (tag id, value)."""
    value, grouped = _value_expression(grouping)
    window = [
        Concern.deleted_at.is_(None),
        Concern.occurred_on >= settings.start,
        Concern.occurred_on <= settings.as_of,
        *(column.is_not(None) for column in grouped),
        *_near(near, grouping, concern_tags.c.tag_id, value),
    ]
    if not with_keys:
        query = (
            select(concern_tags.c.tag_id, value, func.count(distinct(Concern.client_key)))
            .join(concern_tags, concern_tags.c.concern_id == Concern.id)
            .where(*window)
            .group_by(concern_tags.c.tag_id, *grouped)
        )
        return {(tag_id, v): (int(n), 0) for tag_id, v, n in _rows(query)}
    clients = (
        select(
            concern_tags.c.tag_id.label("tag_id"),
            value.label("value"),
            Concern.client_key.label("client_key"),
            func.max(Concern.client_record_key).label("client_record_key"),
        )
        .join(concern_tags, concern_tags.c.concern_id == Concern.id)
        .where(*window, Concern.client_key.is_not(None))
        .group_by(concern_tags.c.tag_id, *grouped, Concern.client_key)
    ).subquery("clients")
    query = select(clients.c.tag_id, clients.c.value, func.count(), func.sum(clients.c.client_record_key)).group_by(
        clients.c.tag_id, clients.c.value
    )
    return {(tag_id, v): (int(n), int(k or 0)) for tag_id, v, n, k in _rows(query)}


def _least(settings: PatternSettings, grouping: str) -> int:
    """The smallest count at which a grouping's pattern surfaces (a place's only from MIN_CELL)."""
    return max(settings.min_concerns, settings.min_cell) if grouping in PEOPLE_GROUPINGS else settings.min_concerns


def _surfaces(row, settings: PatternSettings, grouping: str) -> bool:
    # A tag × ZIP count is shown only when it is no small cell.
    least = _least(settings, grouping)
    # Concerns without a client reference may each be a different client.
    return row.count >= least and (row.distinct_clients + row.without_ref >= settings.min_clients)


def find_patterns(
    settings: PatternSettings,
    groupings=GROUPINGS,
    *,
    with_examples: int = 2,
    near: PatternKey | None = None,
    disclosure: Disclosure | None = None,
) -> list[Pattern]:
    """Every pattern that surfaces in the window, with its stored state; unsorted. `near`: only the
    patterns sharing that key's tag or ZIP. `disclosure`: who looks (default: exact counts); for a
    protected audience the counts of patterns about people are their published values, and such a
    pattern surfaces by those."""
    disclosure = disclosure or exact_counts()
    build = _Builder(settings, disclosure)
    program_spans = _program_spans(settings, near)
    found: list[Pattern] = []
    for grouping in groupings:
        protected = build.protected(grouping)
        rows = (
            _aggregate_from_rollups(settings, grouping, near, with_keys=protected)
            if settings.rollups_enabled
            else _aggregate_rows(settings, grouping, near)
        )
        names = build.facet_names(grouping, rows)
        for row in rows:
            if protected:
                row.publish(disclosure)
            if not _surfaces(row, settings, grouping):
                continue
            pattern = build.pattern(grouping, row, names, program_spans)
            if pattern is not None:
                found.append(pattern)
    if with_examples:
        _attach_examples(found, settings, with_examples)
    return found


class _Builder:
    """What turns aggregate rows into Patterns, read once per search: the tags (and their names in
    the reader's language), the stored states, the facets' names."""

    def __init__(self, settings: PatternSettings, disclosure: Disclosure):
        self.settings, self.disclosure = settings, disclosure
        # Plain tuples: a pattern list reads them thousands of times (an ORM attribute costs more).
        self.tags = {t.id: (t.slug, taxonomy_name(t), t.category) for t in db.session.scalars(select(Tag))}
        self.states = {s.key: s for s in db.session.scalars(select(PatternState))}

    def protected(self, grouping: str) -> bool:
        return self.disclosure.protected and grouping in PEOPLE_GROUPINGS

    def facet_names(self, grouping: str, rows) -> tuple[dict[str, str], dict[str, str]]:
        return _facet_values(facet_of(grouping), {row.value for row in rows})

    def pattern(self, grouping: str, row: _Row, names, program_spans: dict) -> Pattern | None:
        """The pattern of a row (its counts as published already), None for a value no key can
        carry (a program deleted since)."""
        facet = facet_of(grouping)
        key_values, value_names = names
        slug, tag_name, category = self.tags[row.tag_id]
        value = key_values.get(row.value) if facet else None
        if facet and value is None:
            return None
        key = PatternKey.of(slug, facet, value)
        if facet and facet.name == "program":
            spans = [value_names[value]]
        else:
            spans = program_spans.get((grouping, row.tag_id, row.value), [])
        pattern = Pattern(
            key=str(key),
            grouping=grouping,
            tag=slug,
            tag_name=tag_name,  # the tag's name in the reader's language
            category=category,
            facet=facet.name if facet else None,
            value=value,
            value_name=value_names.get(value) if facet else None,
            count=int(row.count),
            distinct_clients=int(row.distinct_clients),
            previous_count=int(row.previous_count),
            concerns_without_ref=int(row.without_ref),
            avg_importance=float(row.avg_importance) if row.avg_importance is not None else None,
            wants_involvement=int(row.wants),
            programs=sorted(spans),
            min_cell=self.settings.min_cell,
            protected=self.protected(grouping),
        )
        _apply_state(pattern, self.states.get(pattern.key), self.settings.as_of)
        return pattern


# An order of patterns for `leading_patterns`: which patterns it takes (a test of their counts,
# never of their distinct clients or programs) and its sort key.
Order = tuple[Callable[[Pattern], bool], Callable[[Pattern], tuple]]
LOOK_AHEAD = 1  # candidates checked beyond those still needed, per round (most of the first surface)


def leading_patterns(
    settings: PatternSettings, disclosure: Disclosure, orders: dict[str, Order], n: int
) -> dict[str, list[Pattern]]:
    """For each order, its first `n` patterns: exactly
    `sorted(filter(take, find_patterns(settings, disclosure=disclosure, with_examples=0)), key=key)[:n]`.

    A window that ends in the past has no exact distinct clients in the rollups: find_patterns counts
    them (and the programs each pattern spans) from the concerns for every key, walking the window's
    concerns once per grouping. Here the candidates are ordered by their counts (all from the
    rollups) and only those ahead in some order have their clients and programs counted, a few at a
    time, until each order has `n` patterns that surface."""
    if settings.uses_rollups or not settings.rollups_enabled:
        found = find_patterns(settings, disclosure=disclosure, with_examples=0)
        return {name: sorted(filter(take, found), key=key)[:n] for name, (take, key) in orders.items()}
    build = _Builder(settings, disclosure)
    rows: dict[tuple[str, int, str], _Row] = {}
    names: dict[str, tuple] = {}
    provisional: list[tuple[tuple[str, int, str], Pattern]] = []
    for grouping in GROUPINGS:
        protected = build.protected(grouping)
        found = _aggregate_from_rollups(settings, grouping, with_keys=protected, count_clients=False)
        names[grouping] = build.facet_names(grouping, found)
        least = _least(settings, grouping)
        for row in found:
            # Everything but the distinct clients as published; those are counted below.
            published = replace(row).publish(disclosure) if protected else row
            if published.count < least:
                continue
            pattern = build.pattern(grouping, published, names[grouping], {})
            if pattern is not None:
                rows[(grouping, row.tag_id, row.value)] = row
                provisional.append(((grouping, row.tag_id, row.value), pattern))
    queues = {
        name: [k for k, _ in sorted(((k, p) for k, p in provisional if take(p)), key=lambda kp: key(kp[1]))]
        for name, (take, key) in orders.items()
    }
    checked: dict[tuple[str, int, str], Pattern | None] = {}
    picked: dict[str, list[Pattern]] = {name: [] for name in orders}
    at = dict.fromkeys(orders, 0)
    while True:
        wanted: set[tuple[str, int, str]] = set()
        for name, queue in queues.items():
            while len(picked[name]) < n and at[name] < len(queue) and queue[at[name]] in checked:
                pattern = checked[queue[at[name]]]
                if pattern is not None:
                    picked[name].append(pattern)
                at[name] += 1
            need = n - len(picked[name])
            if need > 0:
                wanted.update(k for k in queue[at[name] : at[name] + need + LOOK_AHEAD] if k not in checked)
        if not wanted:
            return picked
        clients, spans = _clients_and_programs_of(settings, wanted, with_keys=disclosure.protected)
        for key in wanted:
            grouping = key[0]
            row = replace(rows[key])
            row.distinct_clients, row.clients_key_sum = clients.get(key, (0, 0))
            if build.protected(grouping):
                row.publish(disclosure)
            surfaces = _surfaces(row, settings, grouping)
            checked[key] = build.pattern(grouping, row, names[grouping], spans) if surfaces else None


def _clients_and_programs_of(
    settings: PatternSettings, keys, *, with_keys: bool
) -> tuple[dict[tuple[str, int, str], tuple[int, int]], dict[tuple[str, int, str], list[str]]]:
    """Per pattern key (grouping, tag id, value) of a window: its distinct clients (and the sum of
    their client record keys), and the programs (names) its concerns span, for keys that keep them.
    One statement for any number of keys: the window's concerns carrying their tags are read once
    (a common table expression) and grouped per grouping."""
    tag_ids = sorted({tag_id for _, tag_id, _ in keys})
    facts = (
        select(
            concern_tags.c.tag_id.label("tag_id"),
            Concern.program_id.label("program_id"),
            *(facet.sql().label(facet.grouping) for facet in FACETS),
            Concern.client_key.label("client_key"),
            Concern.client_record_key.label("client_record_key"),
        )
        .select_from(Concern)
        .join(concern_tags, concern_tags.c.concern_id == Concern.id)
        .where(
            Concern.deleted_at.is_(None),
            Concern.occurred_on >= settings.start,
            Concern.occurred_on <= settings.as_of,
            # SQLite, `+ 0`: each concern's tags are read by its own key (concern_id, tag_id), not by
            # probing the tag index once per tag and concern (its choice otherwise, 9 times slower).
            # PostgreSQL reads the tags' rows from that index and joins them by hash.
            (
                concern_tags.c.tag_id + 0 if db.session.get_bind().dialect.name == "sqlite" else concern_tags.c.tag_id
            ).in_(tag_ids),
        )
        .cte("facts")
    )
    parts = []
    for grouping, some in _by_grouping(keys).items():
        value = facts.c[grouping] if grouping != "tag" else literal(NO_VALUE)
        grouped = [facts.c[grouping]] if grouping != "tag" else []  # no constant in a GROUP BY
        if grouping == "tag":
            in_keys = facts.c.tag_id.in_(sorted({tag_id for tag_id, _ in some}))
        else:
            in_keys = tuple_(facts.c.tag_id, value).in_(sorted(some))
        client_key = func.max(facts.c.client_record_key) if with_keys else literal(0)
        per_client = (
            select(
                facts.c.tag_id.label("tag_id"),
                value.label("value"),
                client_key.label("client_record_key"),
            )
            .where(in_keys, facts.c.client_key.is_not(None))
            .group_by(facts.c.tag_id, *grouped, facts.c.client_key)
            .subquery(f"clients_{grouping}")
        )
        # Counted per grouping: each part's clients come grouped by its key already.
        parts.append(
            select(
                literal("clients"),
                literal(grouping),
                per_client.c.tag_id,
                per_client.c.value,
                func.count(),
                func.sum(per_client.c.client_record_key),
            ).group_by(per_client.c.tag_id, per_client.c.value)
        )
        if grouping != "tag_program":  # a program's patterns span that one program
            parts.append(
                select(literal("programs"), literal(grouping), facts.c.tag_id, value, facts.c.program_id, literal(0))
                .where(in_keys)
                .group_by(facts.c.tag_id, *grouped, facts.c.program_id)
            )
    names = dict(db.session.execute(select(Program.id, Program.name)).all())
    found: dict[tuple[str, int, str], tuple[int, int]] = {}
    spans: dict[tuple[str, int, str], set[str]] = {}
    for kind, grouping, tag_id, value, n, k in _rows(union_all(*parts)):
        if kind == "clients":
            found[(grouping, tag_id, value)] = (int(n), int(k or 0))
        else:
            spans.setdefault((grouping, tag_id, value), set()).add(names[int(n)])
    return found, {k: sorted(v) for k, v in spans.items()}


def _by_grouping(keys) -> dict[str, list[tuple[int, str]]]:
    out: dict[str, list[tuple[int, str]]] = {}
    for grouping, tag_id, value in keys:
        out.setdefault(grouping, []).append((tag_id, value))
    return out


def _facet_values(facet: Facet | None, values: set[str]) -> tuple[dict[str, str], dict[str, str]]:
    """Stored values → key values, and key values → names, of one facet (a query or two at most)."""
    if facet is None:
        return {}, {}
    return facet.key_values(values, db.session)


def _program_spans(settings: PatternSettings, near: PatternKey | None = None) -> dict[tuple[str, int, str], list[str]]:
    """Programs each pattern key (grouping, tag id, value) spans in the window: one grouped query."""
    names = dict(db.session.execute(select(Program.id, Program.name)).all())
    if settings.uses_rollups:
        seen = PatternLastSeen
        rows = _rows(
            select(seen.grouping, seen.tag_id, seen.value, list_agg(seen.member))
            .where(
                seen.kind == "program",
                seen.last_day >= settings.start,
                seen.last_day <= settings.as_of,
                *_near_any(near, seen.grouping, seen.tag_id, seen.value),
            )
            .group_by(seen.grouping, seen.tag_id, seen.value)
        )
        spans: dict[str, list[str]] = {}  # many keys span the same programs: each list read once

        def read(members: str) -> list[str]:
            found = spans.get(members)
            if found is None:
                found = spans[members] = sorted({names[int(p)] for p in members.split(",")})
            return found

        return {(grouping, tag_id, value): read(members) for grouping, tag_id, value, members in rows.all()}
    parts = []
    for facet in (None, *FACETS):
        grouping = facet.grouping if facet else "tag"
        if facet is not None and facet.name == "program":
            continue
        value, grouped = _value_expression(grouping)
        parts.append(
            select(literal(grouping), concern_tags.c.tag_id, value, Concern.program_id)
            .select_from(Concern)
            .join(concern_tags, concern_tags.c.concern_id == Concern.id)
            .where(
                Concern.deleted_at.is_(None),
                Concern.occurred_on >= settings.start,
                Concern.occurred_on <= settings.as_of,
                *(column.is_not(None) for column in grouped),
                *_near(near, grouping, concern_tags.c.tag_id, value),
            )
            .group_by(concern_tags.c.tag_id, *grouped, Concern.program_id)
        )
    spans: dict[tuple[str, int, str], set[str]] = {}
    for grouping, tag_id, value, program_id in _rows(union_all(*parts)):
        spans.setdefault((grouping, tag_id, value), set()).add(names[program_id])
    return {k: sorted(v) for k, v in spans.items()}


def _near_any(key: PatternKey | None, grouping_column, tag_column, value_column):
    """`_near` for rows of every grouping at once (the last-seen table)."""
    if key is None:
        return []
    same_tag = tag_column == select(Tag.id).where(Tag.slug == key.tag).scalar_subquery()
    if key.about_people:
        return [or_(same_tag, and_(grouping_column == key.grouping, value_column == key.stored_value()))]
    return [same_tag]


def _apply_state(pattern: Pattern, state: PatternState | None, as_of: date) -> None:
    if state is None:
        return
    pattern.campaign_id = state.campaign_id
    if state.state == "snoozed":
        if state.snoozed_until and state.snoozed_until > as_of:
            pattern.state, pattern.snoozed_until = "snoozed", state.snoozed_until
    elif state.state == "dismissed":
        pattern.dismissed_reason = state.dismissed_reason
        if state.count_at_decision and pattern.count >= 2 * state.count_at_decision:
            pattern.state, pattern.returned = "new", True  # it doubled since: back, marked
        else:
            pattern.state = "dismissed"
    elif state.state == "promoted":
        pattern.state = "promoted"


@lru_cache(maxsize=64)
def _latest_per_tag(tags: int):
    """SQL for the newest concerns of `tags` tags in a window: a UNION ALL of one small query per tag
    that walks the concerns newest first (the occurred_on index) and stops at :n rows. Built once
    per number of tags; the same text on SQLite and PostgreSQL."""
    one = (
        "SELECT * FROM (SELECT {i} AS slot, c.summary, c.occurred_on, c.id FROM concerns c "
        "WHERE c.deleted_at IS NULL AND c.occurred_on >= :start AND c.occurred_on <= :end "
        "AND EXISTS (SELECT 1 FROM concern_tags ct WHERE ct.concern_id = c.id AND ct.tag_id = :tag_{i}) "
        "ORDER BY c.occurred_on DESC, c.id DESC LIMIT :n) AS latest_{i}"
    )
    sql = " UNION ALL ".join(one.format(i=i) for i in range(tags))
    return text(sql).bindparams(bindparam("start", type_=Date), bindparam("end", type_=Date))


def _attach_examples(patterns: list[Pattern], settings: PatternSettings, per_pattern: int) -> None:
    """The most recent summaries of each tag pattern in the window, newest first."""
    tag_patterns = {p.tag: p for p in patterns if p.grouping == "tag"}
    if not tag_patterns:
        return
    tags = db.session.execute(select(Tag.slug, Tag.id).where(Tag.slug.in_(list(tag_patterns)))).all()
    params = {"start": settings.start, "end": settings.as_of, "n": per_pattern}
    params |= {f"tag_{i}": tag_id for i, (_, tag_id) in enumerate(tags)}
    rows = _rows(_latest_per_tag(len(tags)), params).all()
    for slot, summary, _, _ in sorted(rows, key=lambda r: (r.slot, r.occurred_on, r.id), reverse=True):
        tag_patterns[tags[slot].slug].examples.append(summary)
    for p in patterns:
        if p.grouping != "tag" and p.tag in tag_patterns:
            p.examples = tag_patterns[p.tag].examples


SORTS = {
    "size": (_l("Most concerns"), lambda p: (-p.count, p.key)),
    "growth": (
        _l("Fastest growing"),
        lambda p: (-(p.trend if p.trend is not None else float(p.count)), -p.count, p.key),
    ),
    "potential": (_l("Most clients wanting to act"), lambda p: (-p.wants_involvement, -p.count, p.key)),
}


def disparity_for(key: PatternKey, start: date, end: date, disclosure: Disclosure, matching: list | None = None):
    """The race/ethnicity disparity of one pattern's concerns dated `start`…`end` (a tag pattern's
    counts come from the race rollup), as `disclosure` may see it; `matching`: the key's conditions
    for that window, when the caller has them."""
    from caseflow.equity.disparity import disparity

    tag = key.tag if key.facet is None else None
    concern_ids = select(Concern.id).where(*matching) if matching else key.matching_concern_ids(start, end)
    return disparity(concern_ids, start, end, disclosure, tag=tag)


def _rollup_rows(key: PatternKey, settings: PatternSettings, facet: Facet | None = None):
    """WHERE clauses selecting one pattern's per-day rollup rows within the window (counts add up
    over days for any window, past or present); `facet` reads a tag's breakdown by that facet."""
    d = PatternDay
    tag_id = select(Tag.id).where(Tag.slug == key.tag).scalar_subquery()
    conditions = [
        d.grouping == (facet.grouping if facet else key.grouping),
        d.tag_id == tag_id,
        d.day >= settings.start,
        d.day <= settings.as_of,
    ]
    if key.facet and facet is None:
        conditions.append(d.value == key.stored_value())
    return conditions


def week_counts(key: PatternKey, settings: PatternSettings) -> list[tuple[date, Tally]]:
    """Concerns per week over the window (weeks start at the window's first day), zeros included,
    each with its record-key sum (a ZIP's weeks are counts of people)."""
    week = week_index(PatternDay.day, settings.start).label("week")
    rows = {
        i: Tally(int(n or 0), int(k or 0))
        for i, n, k in db.session.execute(
            select(week, func.sum(PatternDay.concerns), func.sum(PatternDay.key_sum))
            .where(*_rollup_rows(key, settings))
            .group_by(week)
        )
    }
    weeks = (settings.window_days + 6) // 7
    return [(settings.start + timedelta(days=7 * i), rows.get(i, Tally())) for i in range(weeks)]


def breakdown(
    key: PatternKey, settings: PatternSettings, facet: Facet, matching: list | None = None
) -> list[tuple[str, Tally]]:
    """Counts in the window by one facet's values, as people read them (a program's name, a ZIP),
    with their record-key sums, largest first. A tag's breakdown is read from the rollups; a finer
    key's from the concerns (`matching`: its window's conditions, when the caller has them)."""
    if key.facet is None:
        d = PatternDay
        query = (
            select(d.value, func.sum(d.concerns), func.sum(d.key_sum))
            .where(*_rollup_rows(key, settings, facet))
            .group_by(d.value)
            .having(func.sum(d.concerns) > 0)
        )
    else:
        value, grouped = _value_expression(facet.grouping)
        query = (
            select(value, func.count(), func.sum(Concern.record_key))
            .where(*(matching or key.conditions(settings.start, settings.as_of)), *(c.is_not(None) for c in grouped))
            .group_by(*grouped)
        )
    rows = db.session.execute(query).all()
    key_values, names = _facet_values(facet, {v for v, _, _ in rows})
    out = [(names[key_values[v]], Tally(int(count), int(keys or 0))) for v, count, keys in rows if v in key_values]
    return sorted(out, key=lambda pair: (-pair[1].count, pair[0]))
