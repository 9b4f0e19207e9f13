"""Progress of one measure: values over time per group, baseline and target, and the gap between
groups over time ("is it narrowing?"). One function builds it for the measure page, the API, the
quarterly summary and the board's report, so every one of them shows the same numbers.

Counts of people go through the disclosure policy: for a measure that counts people, each count
(a value, or a rate's numerator and denominator) is handed to the policy as a Tally and the
published value is what is shown and computed with (a rate from the published parts). A derived
count carries its records' key sum from the rollups; an entered count has no records behind it in
Caseflow, so its cell key is a keyed hash of the cell (measure, scope, date, group), fixed for that
cell: the same entry is published with the same value everywhere, and the key stays secret.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import date

from flask import current_app

from caseflow.dates import today
from caseflow.equity.perturbation import MODULUS
from caseflow.equity.policy import PEOPLE_FACETS, Disclosure, Tally
from caseflow.measures import derived, services
from caseflow.models import RACE_CATEGORIES, CampaignMeasure, Measure
from caseflow.models.measure import scope_key

EARLIEST = date(2000, 1, 1)


@dataclass
class Point:
    on: date
    dimension: str
    group: str
    group_label: str
    value: float | None  # what this audience may see and compute with; None: shown as "<11"
    display: str
    numerator: str = ""
    denominator: str = ""
    revision: int = 1
    source_note: str = ""
    value_id: int | None = None
    raw_numerator: float | None = None  # set only where this audience may see the exact parts
    raw_denominator: float | None = None


@dataclass
class Gap:
    on: date
    value: float
    best: str
    worst: str


@dataclass
class Progress:
    measure: Measure
    campaign_id: int | None
    pick: CampaignMeasure | None
    dimension: str
    disclosure: Disclosure
    points: list[Point] = field(default_factory=list)  # in the chosen breakdown
    totals: list[Point] = field(default_factory=list)  # everyone ("all"), for the latest value
    gaps: list[Gap] = field(default_factory=list)

    @property
    def dates(self) -> list[date]:
        return sorted({p.on for p in self.points})

    @property
    def groups(self) -> list[tuple[str, str]]:
        seen: dict[str, str] = {}
        for p in self.points:
            seen.setdefault(p.group, p.group_label)
        return sorted(seen.items(), key=lambda kv: (kv[0] not in RACE_CATEGORIES, kv[1]))

    def value_at(self, group: str, on: date) -> Point | None:
        for p in self.points:
            if p.group == group and p.on == on:
                return p
        return None

    def series(self) -> list[tuple[str, list[float | None]]]:
        """One line per group for the chart: a shown value, None where it is shown as "<11", and
        NaN where nothing was entered for that date (a gap, not a hidden number)."""
        lines = []
        for code, label in self.groups:
            values = []
            for on in self.dates:
                point = self.value_at(code, on)
                values.append(float("nan") if point is None else point.value)
            lines.append((label, values))
        return lines

    @property
    def latest(self) -> Point | None:
        return self.totals[-1] if self.totals else None

    def total_at(self, until: date) -> Point | None:
        """The latest value for everyone on or before a day."""
        before = [p for p in self.totals if p.on <= until]
        return before[-1] if before else None

    def gap_at(self, until: date) -> Gap | None:
        before = [g for g in self.gaps if g.on <= until]
        return before[-1] if before else None

    @property
    def trend(self) -> str:
        return gap_trend(self.gaps)


def gap_trend(gaps: list[Gap]) -> str:
    """ "narrowing", "widening", "no change", or "" when there are fewer than two gaps to compare."""
    if len(gaps) < 2:
        return ""
    first, last = gaps[0].value, gaps[-1].value
    if abs(last - first) < 1e-9:
        return "no change"
    return "narrowing" if last < first else "widening"


def fmt(value: float | None, unit: str = "", label: str = "<11") -> str:
    if value is None:
        return label
    text = f"{value:,.1f}".rstrip("0").rstrip(".") if not float(value).is_integer() else f"{int(value):,}"
    return f"{text}%" if unit.strip() == "%" else text


def _entered_key(measure: Measure, scope: str, on: date, dimension: str, group: str, part: str) -> int:
    secret = str(current_app.config["CASEFLOW_CLIENT_KEY"]).encode()
    cell = f"measure|{measure.id}|{scope}|{on.isoformat()}|{dimension}|{group}|{part}".encode()
    return int.from_bytes(hmac.new(secret, cell, hashlib.sha256).digest()[:4], "big") % MODULUS


def protected(measure: Measure, dimension: str) -> bool:
    """Whether a value of this measure in this breakdown is a count of people by a characteristic
    (race/ethnicity, ZIP, language, age band): then the policy publishes it. Counts for everyone or
    per program are not about people's characteristics (DESIGN.md) — unless the measure itself is
    about a place (concerns per month for a pattern of a ZIP)."""
    if not measure.counts_people:
        return False
    if dimension in PEOPLE_FACETS:
        return True
    spec = derived.DERIVED.get(measure.derived)
    return dimension == "all" and spec is not None and spec.whole_is_people(measure.derived_param)


def _published(
    measure: Measure,
    disclosure: Disclosure,
    value: float | None,
    numerator: Tally | None,
    denominator: Tally | None,
    dimension: str = "all",
) -> tuple[float | None, str, str]:
    """(value to show, numerator shown, denominator shown) for this audience."""
    unit = measure.unit
    if disclosure.exact or not protected(measure, dimension):
        num = "" if numerator is None else f"{numerator.count:,}"
        den = "" if denominator is None else f"{denominator.count:,}"
        return value, num, den
    if numerator is None:  # the value itself is a count of people
        cell = disclosure.cell(Tally(max(int(round(value or 0)), 0), 0))
        return cell.shown(), cell.display(), ""
    top = disclosure.cell(numerator)
    if denominator is None:
        return top.shown(), top.display(), ""
    bottom = disclosure.cell(denominator)
    if top.shown() is None or not bottom.shown():
        return None, top.display(), bottom.display()
    rate = top.shown() / bottom.shown() * (100 if unit.strip() == "%" else 1)
    return round(rate, 1), top.display(), bottom.display()


def _entered_points(measure: Measure, campaign_id: int | None, disclosure: Disclosure, until: date | None):
    scope = scope_key(campaign_id)
    out = []
    labels: dict[tuple[str, str], str] = {}
    for v in services.current_values(measure, scope, until=until):

        def tally(amount, part, v=v):
            if amount is None:
                return None
            key = _entered_key(measure, scope, v.observed_on, v.dimension, v.group_code, part)
            return Tally(max(int(round(amount)), 0), key)

        if protected(measure, v.dimension) and disclosure.protected and v.numerator is None:
            shown, num, den = _published(measure, disclosure, None, tally(v.value, "value"), None, v.dimension)
        else:
            shown, num, den = _published(
                measure,
                disclosure,
                v.value,
                tally(v.numerator, "numerator"),
                tally(v.denominator, "denominator"),
                v.dimension,
            )
        label = labels.setdefault((v.dimension, v.group_code), services.group_label(v.dimension, v.group_code))
        out.append(
            Point(
                v.observed_on,
                v.dimension,
                v.group_code,
                label,
                shown,
                fmt(shown, measure.unit, disclosure.label),
                num,
                den,
                v.revision,
                v.source_note,
                v.id,
                *(
                    (v.numerator, v.denominator)
                    if disclosure.exact or not protected(measure, v.dimension)
                    else (None, None)
                ),
            )
        )
    return out


def _derived_points(measure: Measure, campaign_id: int | None, disclosure: Disclosure, until: date | None):
    rows = derived.compute(measure.derived, measure.derived_param, campaign_id, EARLIEST, until or today())
    out = []
    for r in rows:
        shown, num, den = _published(measure, disclosure, r.value, r.numerator, r.denominator, r.dimension)
        label = services.group_label(r.dimension, r.group)
        exact = disclosure.exact or not protected(measure, r.dimension)
        out.append(
            Point(
                r.period,
                r.dimension,
                r.group,
                label,
                shown,
                fmt(shown, measure.unit, disclosure.label),
                num,
                den,
                raw_numerator=r.numerator.count if exact and r.numerator and r.denominator else None,
                raw_denominator=r.denominator.count if exact and r.denominator else None,
            )
        )
    return out


def points(measure: Measure, campaign_id: int | None, disclosure: Disclosure, until: date | None = None) -> list[Point]:
    """Every current point of a measure in a scope (all breakdowns), as this audience sees it."""
    if measure.derived:
        return _derived_points(measure, campaign_id, disclosure, until)
    return _entered_points(measure, campaign_id, disclosure, until)


def gaps(measure: Measure, pts: list[Point]) -> list[Gap]:
    """For each date: the distance between the best and the worst group with a shown value (two at
    least; race/ethnicity non-answers are not groups to compare)."""
    by_date: dict[date, list[Point]] = {}
    for p in pts:
        if p.value is not None and p.dimension != "all" and p.group not in ("unknown", "refused", "not_collected"):
            by_date.setdefault(p.on, []).append(p)
    out = []
    for on in sorted(by_date):
        shown = sorted(by_date[on], key=lambda p: p.value)
        if len(shown) < 2:
            continue
        low, high = shown[0], shown[-1]
        best, worst = (low, high) if measure.lower_is_better else (high, low)
        out.append(Gap(on, round(high.value - low.value, 4), best.group_label, worst.group_label))
    return out


def progress(
    measure: Measure,
    campaign_id: int | None,
    disclosure: Disclosure,
    *,
    dimension: str | None = None,
    until: date | None = None,
) -> Progress:
    pts = points(measure, campaign_id, disclosure, until)
    dims = measure.dimensions
    with_values = [d for d in dims if any(p.dimension == d for p in pts)]
    # the breakdown asked for; else the first with values (the measure's order: race/ethnicity first)
    chosen = dimension if dimension in dims else (with_values or dims or ["all"])[0]
    shown = [p for p in pts if p.dimension == chosen]
    result = Progress(
        measure,
        campaign_id,
        services.pick_for(campaign_id, measure),
        chosen,
        disclosure,
        points=shown,
        totals=[p for p in pts if p.dimension == "all"],
    )
    if chosen != "all":
        result.gaps = gaps(measure, shown)
    return result


def summary_row(measure: Measure, campaign_id: int | None, disclosure: Disclosure, until: date, before: date) -> dict:
    """One measure's line in the quarterly summary and the board's report: the latest value for
    everyone on or before `until`, its change since `before` (the last quarter's end) and since the
    baseline, the target, and the gap between groups (first, at `before`, latest; its trend)."""
    p = progress(measure, campaign_id, disclosure, until=until)
    latest, previous = p.latest, p.total_at(before)
    pick = p.pick
    baseline = pick.baseline if pick else None

    def change(a, b):
        return None if a is None or b is None else round(a - b, 4)

    gap_first, gap_before, gap_last = (
        (p.gaps[0] if p.gaps else None),
        p.gap_at(before),
        (p.gaps[-1] if p.gaps else None),
    )
    return {
        "measure_id": measure.id,
        "name": measure.name,
        "unit": measure.unit,
        "direction": measure.direction,
        "counts_people": measure.counts_people,
        "latest": None if latest is None else latest.value,
        "latest_display": "—" if latest is None else latest.display,
        "latest_on": None if latest is None else latest.on.isoformat(),
        "previous": None if previous is None else previous.value,
        "change_quarter": change(latest and latest.value, previous and previous.value),
        "baseline": baseline,
        "baseline_on": pick.baseline_on.isoformat() if pick and pick.baseline_on else None,
        "change_baseline": change(latest and latest.value, baseline),
        "target": pick.target if pick else None,
        "target_on": pick.target_on.isoformat() if pick and pick.target_on else None,
        "gap_dimension": p.dimension,
        "gap_first": None if gap_first is None else gap_first.value,
        "gap_first_on": None if gap_first is None else gap_first.on.isoformat(),
        "gap_previous": None if gap_before is None else gap_before.value,
        "gap_latest": None if gap_last is None else gap_last.value,
        "gap_latest_on": None if gap_last is None else gap_last.on.isoformat(),
        "gap_worst": None if gap_last is None else gap_last.worst,
        "gap_trend": p.trend,
    }


def campaign_rows(campaign_id: int, disclosure: Disclosure) -> list[dict]:
    """A campaign's measures where its strategy and reflection pages show them: the pick (baseline,
    target), the measure, its latest value for everyone and the gap's trend."""
    out = []
    for pick in services.campaign_picks(campaign_id):
        p = progress(pick.measure, campaign_id, disclosure)
        out.append({"pick": pick, "measure": pick.measure, "latest": p.latest, "trend": p.trend, "gaps": p.gaps})
    return out
