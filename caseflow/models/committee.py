"""The standing advisory committee: members (people and staff) with terms, meetings with minutes
and who was present, and decisions with every member's recorded vote."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.models.base import Base, utcnow

VOTES = {"for": _l("For"), "against": _l("Against"), "abstain": _l("Abstain")}
DECISION_KINDS = {
    "promote": _l("Make patterns a campaign"),
    "enter_step": _l("Enter a campaign step"),
    "general": _l("Other decision"),
}
DECISION_STATES = {
    "waiting": _l("Waiting for the committee's vote"),
    "approved": _l("Approved"),
    "rejected": _l("Not approved"),
}


class CommitteeSettings(Base):
    """One row: whether governance is on (the committee decides promotions and gates)."""

    __tablename__ = "committee_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    governance_on: Mapped[bool] = mapped_column(default=False)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CommitteeMember(Base):
    __tablename__ = "committee_members"
    __table_args__ = (
        CheckConstraint("(person_id IS NULL) <> (user_id IS NULL)", name="one_member"),
        Index("ix_committee_members_term", "term_start", "term_end"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    term_start: Mapped[date]
    term_end: Mapped[date | None]
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    person = relationship("Person", lazy="joined")
    user = relationship("User", foreign_keys=[user_id], lazy="joined")

    @property
    def is_constituent(self) -> bool:
        return self.person_id is not None

    @property
    def label(self) -> str:
        return self.person.label if self.person else self.user.display_name if self.user else f"Member #{self.id}"

    def sits_on(self, day: date) -> bool:
        return self.term_start <= day and (self.term_end is None or day <= self.term_end)


class CommitteeMeeting(Base):
    __tablename__ = "committee_meetings"
    __table_args__ = (Index("ix_committee_meetings_held_on", "held_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    held_on: Mapped[date]
    minutes: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MeetingPresence(Base):
    __tablename__ = "committee_presence"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("committee_meetings.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("committee_members.id", ondelete="CASCADE"), primary_key=True)


class CommitteeDecision(Base):
    """A proposal put to the committee, and, once voted at a meeting with quorum, its decision."""

    __tablename__ = "committee_decisions"
    __table_args__ = (
        Index("ix_committee_decisions_status", "status", "kind"),
        Index("ix_committee_decisions_campaign_step", "campaign_id", "for_step", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    title: Mapped[str] = mapped_column(String(300))
    details: Mapped[str] = mapped_column(Text, default="")
    pattern_keys: Mapped[list] = mapped_column(JSON, default=list)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    for_step: Mapped[str | None] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(10), default="waiting")
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("committee_meetings.id", ondelete="SET NULL"))
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    proposed_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    campaign = relationship("Campaign", lazy="joined")
    meeting = relationship(CommitteeMeeting, lazy="joined")

    @property
    def kind_label(self) -> str:
        return DECISION_KINDS.get(self.kind, self.kind)

    @property
    def status_label(self) -> str:
        return DECISION_STATES.get(self.status, self.status)


class CommitteeVote(Base):
    __tablename__ = "committee_votes"

    decision_id: Mapped[int] = mapped_column(ForeignKey("committee_decisions.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("committee_members.id", ondelete="CASCADE"), primary_key=True)
    vote: Mapped[str] = mapped_column(String(8))

    member = relationship(CommitteeMember, lazy="joined")
