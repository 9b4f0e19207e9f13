"""Measures Caseflow computes from its own data, in SQL, from the rollups where they exist.

* ``concerns_per_month`` — concerns a month for one pattern (its key is the parameter), summed from
  ``pattern_days``; for a pattern of one tag, also per race/ethnicity answer from ``race_days``.
  Counts per ZIP or per race/ethnicity are counts of people: they go through the disclosure policy.
* ``race_collected_share`` — the share of concerns (%) whose race/ethnicity was collected (any
  answer other than blank or "data not collected"), per quarter, from ``race_days``.
* ``median_days_to_campaign`` — the median days from a concern to the campaign it became evidence
  for, per quarter of the campaign's start (a campaign's own evidence in a campaign's scope). The
  median is taken in SQL with window functions (ROW_NUMBER and COUNT over each quarter).

Each returns rows ``(period_start, dimension, group, value, numerator, denominator)`` where the
numerator and denominator are :class:`~caseflow.equity.policy.Tally` values (count and record-key
sum) when they count people, so the published value is the policy's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, and_, cast, func, select

from caseflow.equity.policy import Tally
from caseflow.extensions import db
from caseflow.models import RACE_CATEGORIES, Campaign, CampaignEvidence, Concern, PatternDay, RaceDay, Tag
from caseflow.patterns.facets import NO_VALUE
from caseflow.sqlutil import day_number, month_index, utc_date


@dataclass(frozen=True)
class Row:
    period: date
    dimension: str
    group: str
    value: float | None
    numerator: Tally | None = None
    denominator: Tally | None = None


def fy_offset() -> int:
    return current_app.config.get("FISCAL_YEAR_START_MONTH", 1) - 1


def month_start(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def quarter_start(index: int) -> date:
    return month_start(index * 3 + fy_offset())


def _quarter_index(day_column):
    return (month_index(day_column) - fy_offset()) // 3


def _pattern(param: str):
    """The pattern key, its tag's id and the facet value as the rollups store it (None: unknown)."""
    from caseflow.patterns.keys import PatternKey

    key = PatternKey.parse(param or "")
    if key is None:
        return None, None, None
    tag_id = db.session.scalar(select(Tag.id).where(Tag.slug == key.tag))
    value = key.stored_value() if key.facet_name else NO_VALUE
    return key, tag_id, value


def concerns_per_month(param: str, campaign_id: int | None, start: date, end: date) -> list[Row]:
    key, tag_id, value = _pattern(param)
    if key is None or tag_id is None or value is None:
        return []
    m = month_index(PatternDay.day).label("m")
    rows = db.session.execute(
        select(m, func.sum(PatternDay.concerns), func.sum(PatternDay.key_sum))
        .where(
            PatternDay.grouping == key.grouping,
            PatternDay.tag_id == tag_id,
            PatternDay.value == value,
            PatternDay.day >= start,
            PatternDay.day <= end,
        )
        .group_by(m)
        .order_by(m)
    ).all()
    found = {int(i): Tally(int(n), int(k or 0)) for i, n, k in rows}
    # a month without a concern is a month of 0, not a gap in the line (from the first month with one)
    last = end.year * 12 + end.month - 1
    out = [
        Row(month_start(i), "all", "", float(found.get(i, Tally()).count), found.get(i, Tally()))
        for i in range(min(found, default=last + 1), last + 1)
    ]
    if key.facet_name is None:
        m = month_index(RaceDay.day).label("m")
        by_race = db.session.execute(
            select(m, RaceDay.code, func.sum(RaceDay.concerns), func.sum(RaceDay.key_sum))
            .where(
                RaceDay.scope == "tag",
                RaceDay.key == str(tag_id),
                RaceDay.code.in_(list(RACE_CATEGORIES)),
                RaceDay.day >= start,
                RaceDay.day <= end,
            )
            .group_by(m, RaceDay.code)
            .order_by(m, RaceDay.code)
        ).all()
        out += [
            Row(month_start(int(i)), "race_ethnicity", code, float(n), Tally(int(n), int(k or 0)))
            for i, code, n, k in by_race
        ]
    return out


def race_collected_share(param: str, campaign_id: int | None, start: date, end: date) -> list[Row]:
    q = _quarter_index(RaceDay.day).label("q")
    total = func.sum(RaceDay.concerns).filter(RaceDay.code == "_total")
    missing = func.sum(RaceDay.concerns).filter(RaceDay.code == "_nc_or_blank")
    rows = db.session.execute(
        select(q, total, missing)
        .where(
            RaceDay.scope == "all",
            RaceDay.key == "",
            RaceDay.code.in_(["_total", "_nc_or_blank"]),
            RaceDay.day >= start,
            RaceDay.day <= end,
        )
        .group_by(q)
        .order_by(q)
    ).all()
    out = []
    for i, n_total, n_missing in rows:
        n_total, collected = int(n_total or 0), int(n_total or 0) - int(n_missing or 0)
        if n_total:
            out.append(
                Row(
                    quarter_start(int(i)),
                    "all",
                    "",
                    round(collected / n_total * 100, 1),
                    Tally(collected),
                    Tally(n_total),
                )
            )
    return out


def median_days_to_campaign(param: str, campaign_id: int | None, start: date, end: date) -> list[Row]:
    started = utc_date(Campaign.created_at)
    days = (day_number(started) - day_number(Concern.occurred_on)).label("days")
    q = _quarter_index(started).label("q")
    base = (
        select(q, days)
        .select_from(CampaignEvidence)
        .join(Campaign, Campaign.id == CampaignEvidence.campaign_id)
        .join(Concern, Concern.id == CampaignEvidence.concern_id)
        .where(
            Concern.deleted_at.is_(None),
            Concern.occurred_on <= started,
            started >= start,
            started <= end,
        )
    )
    if campaign_id is not None:
        base = base.where(Campaign.id == campaign_id)
    base = base.subquery()
    ranked = select(
        base.c.q,
        base.c.days,
        func.row_number().over(partition_by=base.c.q, order_by=base.c.days).label("rn"),
        func.count().over(partition_by=base.c.q).label("n"),
    ).subquery()
    # the middle row (odd count) or the two middle rows (even): floor division on both engines
    half_low = (ranked.c.n + 1) // 2
    half_high = (ranked.c.n + 2) // 2
    rows = db.session.execute(
        select(ranked.c.q, func.avg(cast(ranked.c.days, Integer) * 1.0))
        .where(and_(ranked.c.rn >= half_low, ranked.c.rn <= half_high))
        .group_by(ranked.c.q)
        .order_by(ranked.c.q)
    ).all()
    return [Row(quarter_start(int(i)), "all", "", round(float(v), 1)) for i, v in rows]


def _about_people(param: str) -> bool:
    """A pattern within a facet that describes people (ZIP, language, age band): its counts are protected."""
    from caseflow.patterns.keys import PatternKey

    key = PatternKey.parse(param or "")
    return bool(key and key.about_people)


@dataclass(frozen=True)
class Derived:
    key: str
    label: str
    unit: str
    direction: str
    frequency: str
    definition: str
    compute: Callable[[str, int | None, date, date], list[Row]]
    needs_param: bool = False
    dimensions: tuple[str, ...] = ()
    people: Callable[[str], bool] = lambda param: False
    # whether the value for everyone is itself a count of people by a characteristic (a ZIP's pattern)
    whole_is_people: Callable[[str], bool] = lambda param: False

    def counts_people(self, param: str) -> bool:
        return self.people(param)


DERIVED: dict[str, Derived] = {
    d.key: d
    for d in (
        Derived(
            "concerns_per_month",
            _l("Concerns per month for a pattern"),
            "concerns",
            "lower",
            "monthly",
            _l("Concerns logged each month that match the pattern (from the pattern rollups)."),
            concerns_per_month,
            needs_param=True,
            dimensions=("race_ethnicity",),
            people=lambda param: True,
            whole_is_people=_about_people,
        ),
        Derived(
            "race_collected_share",
            _l("Share of concerns with race/ethnicity collected"),
            "%",
            "higher",
            "quarterly",
            _l(
                "Concerns whose race/ethnicity was asked and answered (any answer except blank or "
                "'data not collected'), as a share of all concerns in the quarter."
            ),
            race_collected_share,
        ),
        Derived(
            "median_days_to_campaign",
            _l("Median days from concern to campaign"),
            "days",
            "lower",
            "quarterly",
            _l(
                "For campaigns started in the quarter: the median days from each evidence concern's date to the "
                "day the campaign started."
            ),
            median_days_to_campaign,
        ),
    )
}


def check(kind, param) -> str | None:
    """A problem with a derived measure's kind or parameter, or None."""
    if not isinstance(kind, str) or kind not in DERIVED:
        return gettext("Use one of: %(options)s.", options=", ".join(DERIVED))
    if not isinstance(param, str) or len(param) > 120:
        return gettext("Give the pattern key as text (at most 120 characters).")
    if DERIVED[kind].needs_param:
        key, tag_id, value = _pattern(param.strip())
        if key is None or tag_id is None or value is None:
            return gettext("Give a pattern key of a tag that exists, like tag:no-heat or tag:no-heat/zip:11226.")
    return None


def compute(kind: str, param: str, campaign_id: int | None, start: date, end: date) -> list[Row]:
    return DERIVED[kind].compute(param, campaign_id, start, end)
