"""The six-step workspace of a campaign: one artifact row per step where a step has one statement
(learning, vision, strategy), and lists where it has many (power-map actors, measures, actions,
follow-ups, advisory decisions, reflection reviews, step moves).

Every row hangs off a campaign and is deleted with it. Editing any of them also touches the
campaign row, so the campaign's version moves and two people editing one campaign conflict.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.models.base import Base, utcnow
from caseflow.models.measure import CampaignMeasure  # noqa: F401  (a campaign's measures live with the library)

ACTOR_KINDS = {
    "target": _l("Decision-maker (target)"),
    "ally": _l("Ally"),
    "opponent": _l("Opponent"),
    "neutral": _l("Neutral"),
}
POSITIONS = {
    -2: _l("Strongly opposed"),
    -1: _l("Opposed"),
    0: _l("Neutral"),
    1: _l("Supportive"),
    2: _l("Strongly supportive"),
}
ACTION_KINDS = {
    "meeting": _l("Meeting"),
    "testimony": _l("Testimony"),
    "petition": _l("Petition"),
    "rally": _l("Rally"),
    "lobby_visit": _l("Lobby visit"),
    "public_comment": _l("Public comment"),
    "media": _l("Media"),
    "training": _l("Training"),
    "convening": _l("Convening"),
}
GATED_STEPS = ("strategy", "action")  # entering these may need the advisory committee's approval
ADVISORY_DECISIONS = {"approve": _l("Approve"), "return": _l("Return with notes")}
REVIEW_DECISIONS = {"continue": _l("Continue"), "revisit": _l("Revisit a step"), "close": _l("Close the campaign")}
CLOSE_AS = {"won": _l("Won"), "lost": _l("Lost"), "merged": _l("Merged into another campaign")}


class _Edited:
    """Who last saved a one-per-campaign artifact, and when."""

    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class CampaignLearning(_Edited, Base):
    """Step 1, issue analysis. Who is affected is also shown from the evidence, disaggregated."""

    __tablename__ = "campaign_learning"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    problem_statement: Mapped[str] = mapped_column(Text, default="")
    affected: Mapped[str] = mapped_column(Text, default="")
    root_causes: Mapped[str] = mapped_column(Text, default="")
    data_sources: Mapped[str] = mapped_column(Text, default="")
    constituent_views: Mapped[str] = mapped_column(Text, default="")


class PowerActor(Base):
    """Step 2, power analysis: one actor on the map (influence 1..5 × position -2..+2)."""

    __tablename__ = "power_actors"
    __table_args__ = (Index("ix_power_actors_campaign", "campaign_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))
    influence: Mapped[int]
    position: Mapped[int]
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CampaignVision(_Edited, Base):
    """Step 3: the world as it could be, and who wrote it (constituents included)."""

    __tablename__ = "campaign_vision"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    statement: Mapped[str] = mapped_column(Text, default="")
    co_authors: Mapped[str] = mapped_column(Text, default="")
    constituent_co_authors: Mapped[int] = mapped_column(default=0)


STRATEGY_QUESTIONS = {
    "q_involved": _l("Who should be involved?"),
    "q_data": _l("What data should we get and analyse?"),
    "q_community": _l("How is the community engaged?"),
    "q_disparities": _l("Do our measures connect to the disparities we want to reduce?"),
    "q_levers": _l("Which levers can we pull?"),
    "q_challenges": _l("Which challenges do we expect?"),
}


class CampaignStrategy(_Edited, Base):
    """Step 4: goals, demands, targets, tactics, timeline, and the practice questions."""

    __tablename__ = "campaign_strategy"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    goal_long: Mapped[str] = mapped_column(Text, default="")
    goal_intermediate: Mapped[str] = mapped_column(Text, default="")
    goal_short: Mapped[str] = mapped_column(Text, default="")
    demands: Mapped[str] = mapped_column(Text, default="")
    primary_targets: Mapped[str] = mapped_column(Text, default="")
    secondary_targets: Mapped[str] = mapped_column(Text, default="")
    tactics: Mapped[str] = mapped_column(Text, default="")
    timeline: Mapped[str] = mapped_column(Text, default="")
    q_involved: Mapped[str] = mapped_column(Text, default="")
    q_data: Mapped[str] = mapped_column(Text, default="")
    q_community: Mapped[str] = mapped_column(Text, default="")
    q_disparities: Mapped[str] = mapped_column(Text, default="")
    q_levers: Mapped[str] = mapped_column(Text, default="")
    q_challenges: Mapped[str] = mapped_column(Text, default="")


class CampaignAction(Base):
    """Step 5: one organizing action, who came, and (for a convening) its harvest."""

    __tablename__ = "campaign_actions"
    __table_args__ = (Index("ix_campaign_actions_campaign_occurred", "campaign_id", "occurred_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    occurred_on: Mapped[date]
    title: Mapped[str] = mapped_column(String(200))
    staff_participants: Mapped[int] = mapped_column(default=0)
    constituent_participants: Mapped[int] = mapped_column(default=0)
    target_reached: Mapped[str] = mapped_column(String(300), default="")
    outcome: Mapped[str] = mapped_column(Text, default="")
    takeaways: Mapped[str] = mapped_column(Text, default="")  # a convening's harvest
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def kind_label(self) -> str:
        return ACTION_KINDS.get(self.kind, self.kind)


class FollowUp(Base):
    """An item someone must follow up: from the campaign at large, or from a convening's harvest.
    A harvest follow-up belongs to the convening's campaign, or, for an organisation-wide
    convening, to the convening alone; either way its owner is reminded like any other."""

    __tablename__ = "campaign_follow_ups"
    __table_args__ = (
        Index("ix_campaign_follow_ups_campaign_open", "campaign_id", "done_at", "due_on"),
        Index("ix_campaign_follow_ups_due_open", "due_on", "done_at"),
        Index("ix_campaign_follow_ups_convening", "convening_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    convening_id: Mapped[int | None] = mapped_column(ForeignKey("convenings.id", ondelete="CASCADE"))
    action_id: Mapped[int | None] = mapped_column(ForeignKey("campaign_actions.id", ondelete="SET NULL"))
    description: Mapped[str] = mapped_column(String(500))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    due_on: Mapped[date | None]
    done_at: Mapped[datetime | None]
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    owner = relationship("User", foreign_keys=[owner_id], lazy="joined")
    action = relationship(CampaignAction, lazy="joined")
    convening = relationship("Convening", lazy="joined")

    def is_overdue(self, today: date) -> bool:
        return self.done_at is None and self.due_on is not None and self.due_on < today


class AdvisoryDecision(Base):
    """The advisory committee's decision on entering Strategy or Action: its real authority."""

    __tablename__ = "advisory_decisions"
    __table_args__ = (Index("ix_advisory_decisions_campaign_step", "campaign_id", "for_step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    for_step: Mapped[str] = mapped_column(String(12))
    decided_on: Mapped[date]
    members_present: Mapped[str] = mapped_column(Text, default="")
    constituents_present: Mapped[int] = mapped_column(default=0)
    decision: Mapped[str] = mapped_column(String(10))
    notes: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReflectionReview(Base):
    """Step 6: a review of the change process over a period, ending in a decision."""

    __tablename__ = "reflection_reviews"
    __table_args__ = (Index("ix_reflection_reviews_campaign", "campaign_id", "period_end"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    period_start: Mapped[date]
    period_end: Mapped[date]
    against_goals: Mapped[str] = mapped_column(Text, default="")
    learned: Mapped[str] = mapped_column(Text, default="")
    constituents_assessment: Mapped[str] = mapped_column(Text, default="")
    service_quality_effect: Mapped[str] = mapped_column(Text, default="")
    decision: Mapped[str] = mapped_column(String(10))
    revisit_step: Mapped[str | None] = mapped_column(String(12))
    close_as: Mapped[str | None] = mapped_column(String(10))
    decision_note: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author = relationship("User", lazy="joined")


class StepMove(Base):
    """One move between steps, in either direction, with the reason: the campaign's history."""

    __tablename__ = "campaign_step_moves"
    __table_args__ = (
        Index("ix_campaign_step_moves_campaign_at", "campaign_id", "at"),
        Index("ix_campaign_step_moves_at", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    from_step: Mapped[str] = mapped_column(String(12))
    to_step: Mapped[str] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    author = relationship("User", lazy="joined")
