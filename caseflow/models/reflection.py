"""Quarterly reflection summaries, the organisation's self-assessment, and in-app notifications."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.models.base import Base, utcnow


class QuarterlySummary(Base):
    """An immutable snapshot per quarter; a director's sign-off locks the commentary too."""

    __tablename__ = "quarterly_summaries"

    id: Mapped[int] = mapped_column(primary_key=True)
    quarter: Mapped[str] = mapped_column(String(7), unique=True)  # "2026-Q3"
    data: Mapped[dict] = mapped_column(JSON)
    built_at: Mapped[datetime] = mapped_column(default=utcnow)
    commentary: Mapped[str] = mapped_column(Text, default="")
    signed_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signed_off_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    signed_off_by = relationship("User", lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_signed_off(self) -> bool:
        return self.signed_off_at is not None

    @property
    def state(self) -> str:
        return "signed off" if self.is_signed_off else "draft"


class SelfAssessmentResponse(Base):
    """One person's ratings for one quarter; `user_id` is empty when given anonymously, and then
    `submitted_at` is only the quarter's first day, so no time links the answer to its author.
    `role` is the answering person's role (results are shown by role, from 3 responses up)."""

    __tablename__ = "self_assessment_responses"
    __table_args__ = (Index("ix_self_assessment_responses_quarter", "quarter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quarter: Mapped[str] = mapped_column(String(7))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    is_director: Mapped[bool] = mapped_column(default=False)
    role: Mapped[str | None] = mapped_column(String(20))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    answers: Mapped[list[SelfAssessmentAnswer]] = relationship(cascade="all, delete-orphan", lazy="selectin")


class SelfAssessmentTaker(Base):
    """Who has answered for which quarter, and on which day: kept apart from the (possibly
    anonymous) responses, so "you answered on 28 November" never says which answers were theirs.
    One answer per person per quarter."""

    __tablename__ = "self_assessment_takers"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    quarter: Mapped[str] = mapped_column(String(7), primary_key=True)
    answered_on: Mapped[date]


class SelfAssessmentDay(Base):
    """How many anonymous answers came in on a day: the audit trail of anonymous answers, counted
    so that no row dates one person's answer."""

    __tablename__ = "self_assessment_days"

    day: Mapped[date] = mapped_column(primary_key=True)
    anonymous: Mapped[int] = mapped_column(default=0)


class SelfAssessmentAnswer(Base):
    __tablename__ = "self_assessment_answers"

    response_id: Mapped[int] = mapped_column(
        ForeignKey("self_assessment_responses.id", ondelete="CASCADE"), primary_key=True
    )
    item: Mapped[str] = mapped_column(String(40), primary_key=True)
    rating: Mapped[int]  # 0 not started, 1 beginning, 2 developing, 3 integrated


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("user_id", "dedupe_key", name="uq_notifications_user_dedupe"),
        Index("ix_notifications_user_read", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    message: Mapped[str] = mapped_column(String(500))
    link: Mapped[str] = mapped_column(String(300), default="")
    # The same news is delivered once per person: jobs may run again without repeating it.
    dedupe_key: Mapped[str] = mapped_column(String(160))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    # Grouped news (one campaign's events on one day): later events update the first row.
    updates: Mapped[int] = mapped_column(default=1, server_default="1")
    updated_at: Mapped[datetime | None]

    @property
    def last_at(self) -> datetime:
        return self.updated_at or self.created_at
