"""Common measures: the organisation's library, the campaigns that pick them, and dated values.

A value is one observation (measure, scope, date, group) and is never overwritten: a correction is
a new row with the next `revision` for the same key, pointing at the row it corrects. The current
value of a key is its highest revision; the older rows stay as history. The unique constraint on
(measure, scope, date, dimension, group, revision) makes two people entering the same observation,
or correcting the same revision, at the same moment conflict instead of both landing.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.models.base import Base, utcnow

DIRECTIONS = {"lower": _l("Lower is better"), "higher": _l("Higher is better")}
FREQUENCIES = {"monthly": _l("Monthly"), "quarterly": _l("Quarterly"), "yearly": _l("Yearly")}
# The groups a measure can be broken down by; "all" (everyone, no breakdown) always exists.
DIMENSIONS = {
    "race_ethnicity": _l("Race and ethnicity"),
    "zip": _l("ZIP code"),
    "program": _l("Program"),
    "language": _l("Language"),
    "age_band": _l("Age band"),
}
ORG_SCOPE = "org"


def scope_key(campaign_id: int | None) -> str:
    """The scope column of a value: "org" for organisation-wide, "c<id>" for one campaign's."""
    return ORG_SCOPE if campaign_id is None else f"c{campaign_id}"


class Measure(Base):
    """A common measure in the organisation's library."""

    __tablename__ = "measures"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    definition: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(String(40), default="")
    direction: Mapped[str] = mapped_column(String(6), default="lower")
    data_source: Mapped[str] = mapped_column(String(300), default="")
    frequency: Mapped[str] = mapped_column(String(10), default="quarterly")
    # Comma-separated DIMENSIONS keys, e.g. "race_ethnicity,zip".
    breakdowns: Mapped[str] = mapped_column(String(120), default="")
    # True when the values count people (or are rates of people): then the counts go through the
    # disclosure policy (caseflow.equity.policy) like every other count of people.
    counts_people: Mapped[bool] = mapped_column(Boolean, default=False)
    # A measure Caseflow computes from its own data (caseflow.measures.derived), or "" when entered.
    derived: Mapped[str] = mapped_column(String(40), default="")
    derived_param: Mapped[str] = mapped_column(String(120), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def dimensions(self) -> list[str]:
        return [d for d in (self.breakdowns or "").split(",") if d in DIMENSIONS]

    @property
    def lower_is_better(self) -> bool:
        return self.direction == "lower"


class CampaignMeasure(Base):
    """A campaign's pick from the library, with its baseline (value, date) and target (value, date)."""

    __tablename__ = "campaign_measures"
    __table_args__ = (
        Index("ix_campaign_measures_campaign", "campaign_id"),
        UniqueConstraint("campaign_id", "measure_id", name="uq_campaign_measures_campaign_measure"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id"))
    baseline: Mapped[float | None]
    baseline_on: Mapped[date | None]
    target: Mapped[float | None]
    target_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    measure: Mapped[Measure] = relationship(lazy="joined")

    @property
    def indicator(self) -> str:
        return self.measure.name

    @property
    def unit(self) -> str:
        return self.measure.unit


class MeasureValue(Base):
    """One observation of a measure, for the organisation or one campaign, on a date, for a group."""

    __tablename__ = "measure_values"
    __table_args__ = (
        UniqueConstraint(
            "measure_id",
            "scope",
            "observed_on",
            "dimension",
            "group_code",
            "revision",
            name="uq_measure_values_observation_revision",
        ),
        Index("ix_measure_values_measure_scope", "measure_id", "scope", "dimension", "observed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id"))
    scope: Mapped[str] = mapped_column(String(20), default=ORG_SCOPE)  # scope_key(campaign_id)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    observed_on: Mapped[date]
    dimension: Mapped[str] = mapped_column(String(20), default="all")  # "all" or a DIMENSIONS key
    group_code: Mapped[str] = mapped_column(String(60), default="")  # "" for everyone
    value: Mapped[float]
    numerator: Mapped[float | None]
    denominator: Mapped[float | None]
    source_note: Mapped[str] = mapped_column(String(500), default="")
    revision: Mapped[int] = mapped_column(default=1)
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("measure_values.id"))
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)
