"""Campaigns born from patterns, and the stored state of computed patterns.

The six-step workspace (step artifacts, moves, power map, measures, actions, follow-ups, advisory
decisions, reflection reviews) hangs off Campaign in caseflow/models/campaign_steps.py.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.models.base import Base, TimestampMixin, utcnow

STEPS = ("learning", "awareness", "vision", "strategy", "action", "reflection")
STEP_LABELS = {
    "learning": "Learning — issue analysis",
    "awareness": "Awareness — power analysis",
    "vision": "Vision — the world as it could be",
    "strategy": "Strategy — building constituents' power",
    "action": "Action — organizing",
    "reflection": "Reflection — evaluating the change",
}
CAMPAIGN_STATUSES = ("active", "paused", "won", "lost", "closed")
CLOSED_STATUSES = ("won", "lost", "closed")


class Campaign(TimestampMixin, Base):
    __tablename__ = "campaigns"
    __table_args__ = (Index("ix_campaigns_status_step", "status", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    issue_statement: Mapped[str] = mapped_column(Text, default="")
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(10), default="active")
    step: Mapped[str] = mapped_column(String(12), default="learning")
    closing_summary: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)

    lead = relationship("User", foreign_keys=[lead_id], lazy="joined")
    patterns: Mapped[list[CampaignPattern]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan", lazy="selectin"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def pattern_keys(self) -> list[str]:
        return [p.pattern_key for p in self.patterns]


class CampaignPattern(Base):
    """A pattern a campaign was promoted from: concerns matching its key become evidence."""

    __tablename__ = "campaign_patterns"
    __table_args__ = (Index("ix_campaign_patterns_key", "pattern_key"),)

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    pattern_key: Mapped[str] = mapped_column(String(120), primary_key=True)
    campaign: Mapped[Campaign] = relationship(back_populates="patterns")


class CampaignEvidence(Base):
    __tablename__ = "campaign_evidence"
    __table_args__ = (Index("ix_campaign_evidence_concern", "concern_id"),)

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    concern_id: Mapped[int] = mapped_column(ForeignKey("concerns.id", ondelete="CASCADE"), primary_key=True)
    attached_at: Mapped[datetime] = mapped_column(default=utcnow)


PATTERN_STATES = ("new", "snoozed", "dismissed", "promoted")


class PatternState(Base):
    """What organizers decided about a computed pattern, stored against its stable key."""

    __tablename__ = "pattern_states"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    state: Mapped[str] = mapped_column(String(10))
    snoozed_until: Mapped[date | None]
    dismissed_reason: Mapped[str | None] = mapped_column(Text)
    # The pattern's size when dismissed: it comes back, marked, when it doubles.
    count_at_decision: Mapped[int] = mapped_column(default=0)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
