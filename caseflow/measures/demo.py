"""Demo measures for `seed-demo`: the campaigns' measures taken from the library with baselines and
targets, six quarters of values by group for two of them (one gap narrows, one widens), and the
measures Caseflow computes from its own concerns."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from caseflow.dates import today
from caseflow.extensions import db
from caseflow.measures import derived, services
from caseflow.models import Campaign, CampaignMeasure, Measure, MeasureValue
from caseflow.models.measure import scope_key

HEAT = "Median days from heat complaint to inspection"
BENEFITS = "Median days to a benefits decision"

# Six quarters, oldest first, ending with the last full quarter: (dimension, group) → values.
SERIES: dict[str, dict[tuple[str, str], list[float]]] = {
    # Inspections come sooner for everyone, and soonest where they were slowest: the gap narrows.
    HEAT: {
        ("all", ""): [21, 19, 16, 13, 10.5, 9],
        ("race_ethnicity", "black"): [30, 27, 22, 17, 13, 10],
        ("race_ethnicity", "hispanic"): [26, 24, 20, 15, 12, 9],
        ("race_ethnicity", "asian"): [15, 14, 12, 11, 9, 8],
        ("race_ethnicity", "white"): [12, 11, 10, 9, 8, 7],
        ("zip", "11226"): [24, 22, 18, 14, 11, 9.5],
        ("zip", "11212"): [18, 16, 14, 12, 10, 8.5],
    },
    # Faster decisions in English only: the gap by language widens.
    BENEFITS: {
        ("all", ""): [94, 92, 91, 90, 89, 88],
        ("language", "English"): [80, 76, 72, 68, 64, 60],
        ("language", "Spanish"): [98, 99, 101, 103, 106, 108],
        ("language", "Haitian Creole"): [104, 106, 109, 112, 116, 120],
    },
}
DEFINITIONS = {
    HEAT: "Median calendar days between a tenant's heat complaint to the city (311) and the first inspection, "
    "for complaints closed in the quarter. By the tenant's self-reported race and ethnicity (from our intake) "
    "and by ZIP.",
    BENEFITS: "Median calendar days from a complete benefits application to the agency's decision, for our "
    "clients' applications decided in the quarter, by the client's preferred language.",
}
SOURCES = {HEAT: "City 311 heat complaints matched to our intake", BENEFITS: "Our benefits enrollment case files"}


# Each demo campaign's measures: (name, unit, baseline, target, value at the last quarter's end, breakdown).
CAMPAIGN_MEASURES = {
    "Heat is a right: Flatbush winter repairs": [
        (HEAT, "days", 21, 2, 9, "ZIP; race and ethnicity"),
        ("Heat complaints per 1,000 units in 11226", "complaints", 48, 15, 37, "building; ZIP"),
        ("Tenants active in building committees", "tenants", 0, 60, 34, "language; building"),
    ],
    "Benefits without the wait": [
        (BENEFITS, "days", 94, 30, 88, "language; program"),
        ("Applications with lost documents", "%", 22, 5, None, "language"),
    ],
    "Pay what's owed: Sunset Park warehouse wage theft": [
        ("Back wages recovered", "USD", 0, 250000, 310000, "agency; language"),
    ],
}


def _quarter_ends() -> list[date]:
    """The last days of the six full quarters before today's, oldest first (fiscal quarters)."""
    current = (today().year * 12 + today().month - 1 - derived.fy_offset()) // 3
    return [derived.quarter_start(q + 1) - timedelta(days=1) for q in range(current - 6, current)]


def _library(name: str, unit: str, baseline, target, by: str, author_id: int | None) -> Measure:
    measure = db.session.scalar(select(Measure).where(Measure.name == name))
    if measure is None:
        measure = Measure(
            name=name,
            definition=DEFINITIONS.get(name, ""),
            unit=unit,
            direction="higher" if baseline is not None and target is not None and target > baseline else "lower",
            data_source=SOURCES.get(name, ""),
            frequency="quarterly",
            breakdowns=services.dimensions_named(by),
            counts_people=unit in ("tenants", "people", "clients"),
            created_by_id=author_id,
        )
        db.session.add(measure)
        db.session.flush()
    return measure


def demo_measure(campaign: Campaign, name: str, unit: str, baseline, target, current, by: str) -> CampaignMeasure:
    """The campaign picks `name` from the library (adding it there first), with its baseline and
    target; its values are six quarters by group where SERIES has them, else the current value."""
    measure = _library(name, unit, baseline, target, by, campaign.lead_id)
    series = SERIES.get(name)
    ends = _quarter_ends()
    start = (campaign.created_at.date() if campaign.created_at else today()) - timedelta(days=1)
    pick = CampaignMeasure(
        campaign_id=campaign.id,
        measure_id=measure.id,
        baseline=series[("all", "")][0] if series else baseline,
        baseline_on=ends[0] if series else start,
        target=target,
        target_on=date(today().year + 1, 12, 31),
    )
    db.session.add(pick)
    scope = scope_key(campaign.id)
    rows = []
    if series:
        for (dimension, group), values in series.items():
            for on, value in zip(ends, values, strict=True):
                rows.append((on, dimension, group, value))
    elif current is not None:
        rows.append((ends[-1], "all", "", current))  # counted at the end of the last full quarter
    for on, dimension, group, value in rows:
        db.session.add(
            MeasureValue(
                measure_id=measure.id,
                scope=scope,
                campaign_id=campaign.id,
                observed_on=on,
                dimension=dimension,
                group_code=group,
                value=value,
                source_note=measure.data_source or "Campaign team's count",
                entered_by_id=campaign.lead_id,
            )
        )
    db.session.flush()
    return pick


def seed_measures(author) -> None:
    """The demo campaigns' measures, and the ones Caseflow computes from its own data."""
    for title, rows in CAMPAIGN_MEASURES.items():
        campaign = db.session.scalar(select(Campaign).where(Campaign.title == title))
        if campaign is not None:
            for row in rows:
                demo_measure(campaign, *row)
    for kind, name, param in (
        ("race_collected_share", "Share of concerns with race/ethnicity collected", ""),
        ("median_days_to_campaign", "Median days from concern to campaign", ""),
        ("concerns_per_month", "No-heat concerns per month", "tag:no-heat"),
    ):
        services.create_measure(
            author,
            {"name": name, "direction": "lower", "frequency": "monthly", "derived": kind, "derived_param": param},
        )
    # One correction in the history, as happens: a quarter's figure re-counted.
    heat = db.session.scalar(select(Measure).where(Measure.name == HEAT))
    pick = db.session.scalar(select(CampaignMeasure).where(CampaignMeasure.measure_id == heat.id)) if heat else None
    if pick is not None:
        ends = _quarter_ends()
        services.record_value(
            author,
            heat,
            {
                "observed_on": ends[1].isoformat(),
                "dimension": "race_ethnicity",
                "group": "asian",
                "value": "13",
                "campaign": str(pick.campaign_id),
                "corrects": "yes",
                "source_note": "Re-counted: two complaints were filed twice",
            },
        )
