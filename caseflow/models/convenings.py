"""Convenings, who came to them and to campaign actions, and a convening's harvest.

Attendance is one row per attendee per event: a person (opted in) or a member of staff, at a
campaign action or a convening. The leadership ladder is read from these rows, never typed.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.models.base import Base, TimestampMixin, utcnow

ATTENDANCE_ROLES = {"attended": _l("Attended"), "spoke": _l("Spoke or testified"), "led": _l("Led it")}
HARVEST_KINDS = {
    "policy_change": _l("Policy change"),
    "staff_training": _l("Staff training"),
    "community_engagement": _l("Community engagement"),
    "internal_practice": _l("Internal practice"),
}
HARVEST_OUTCOMES = {"follow_up": "Follow-up", "tag": "New tag", "campaign": "Campaign"}


class Convening(TimestampMixin, Base):
    """A gathering: tied to one campaign, or to none (an organisation-wide summit)."""

    __tablename__ = "convenings"
    __table_args__ = (Index("ix_convenings_held_on", "held_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="SET NULL"))
    held_on: Mapped[date]
    place: Mapped[str] = mapped_column(String(200), default="")
    agenda: Mapped[str] = mapped_column(Text, default="")
    breakout_notes: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)

    campaign = relationship("Campaign", lazy="joined")


class Attendance(Base):
    """Who signed up for or came to an event, and whether they spoke or led."""

    __tablename__ = "attendance"
    __table_args__ = (
        CheckConstraint("(person_id IS NULL) <> (user_id IS NULL)", name="one_attendee"),
        CheckConstraint("(action_id IS NULL) <> (convening_id IS NULL)", name="one_event"),
        UniqueConstraint("action_id", "person_id", name="uq_attendance_action_person"),
        UniqueConstraint("action_id", "user_id", name="uq_attendance_action_user"),
        UniqueConstraint("convening_id", "person_id", name="uq_attendance_convening_person"),
        UniqueConstraint("convening_id", "user_id", name="uq_attendance_convening_user"),
        Index("ix_attendance_person", "person_id", "attended"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    action_id: Mapped[int | None] = mapped_column(ForeignKey("campaign_actions.id", ondelete="CASCADE"))
    convening_id: Mapped[int | None] = mapped_column(ForeignKey("convenings.id", ondelete="CASCADE"))
    signed_up: Mapped[bool] = mapped_column(default=False)
    attended: Mapped[bool] = mapped_column(default=False)
    role: Mapped[str] = mapped_column(String(10), default="attended")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class HarvestItem(Base):
    """One takeaway from a convening, typed, and what it became: a follow-up, a tag, a campaign."""

    __tablename__ = "harvest_items"
    __table_args__ = (Index("ix_harvest_items_convening", "convening_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    convening_id: Mapped[int] = mapped_column(ForeignKey("convenings.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))
    takeaway: Mapped[str] = mapped_column(Text)
    breakout: Mapped[str] = mapped_column(String(120), default="")
    becomes: Mapped[str | None] = mapped_column(String(10))
    # The follow-up it became: a campaign follow-up like any other (owner, due, done, reminders).
    follow_up_id: Mapped[int | None] = mapped_column(ForeignKey("campaign_follow_ups.id", ondelete="SET NULL"))
    tag_id: Mapped[int | None] = mapped_column(ForeignKey("tags.id", ondelete="SET NULL"))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    follow_up = relationship("FollowUp", lazy="joined")
    tag = relationship("Tag", lazy="joined")
    campaign = relationship("Campaign", lazy="joined")

    @property
    def kind_label(self) -> str:
        return HARVEST_KINDS.get(self.kind, self.kind)

    # Read through to the follow-up the takeaway became (None for a tag or a campaign).
    @property
    def owner(self):
        return self.follow_up.owner if self.follow_up else None

    @property
    def due_on(self) -> date | None:
        return self.follow_up.due_on if self.follow_up else None

    @property
    def done_at(self) -> datetime | None:
        return self.follow_up.done_at if self.follow_up else None

    def is_overdue(self, today: date) -> bool:
        return self.follow_up is not None and self.follow_up.is_overdue(today)


class CampaignMember(Base):
    """A member of a campaign's team, and the program they bring: cross-program organizing."""

    __tablename__ = "campaign_members"
    __table_args__ = (Index("ix_campaign_members_user", "user_id"),)

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    program_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id"))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User", foreign_keys=[user_id], lazy="joined")
    program = relationship("Program", lazy="joined")
