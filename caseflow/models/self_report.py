"""What a client told us themselves on the public page, waiting for a caseworker's triage.

A self-report is not a concern: it never counts in patterns or rollups. Confirming it creates a
concern (source "self"); declining it keeps the reason. The addresses that submit are kept apart,
keyed and unlinked from the reports, only to hold the hourly budget.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.models.base import Base, utcnow

SELF_REPORT_STATUSES = ("new", "confirmed", "declined")


class SelfReport(Base):
    __tablename__ = "self_reports"
    __table_args__ = (Index("ix_self_reports_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    what_happened: Mapped[str] = mapped_column(Text)
    importance: Mapped[int | None] = mapped_column(SmallInteger)
    wants_involvement: Mapped[bool] = mapped_column(default=False)
    # Space-separated codes of caseflow.models.concern.RACE_CODES, as the client chose them.
    race_codes: Mapped[str] = mapped_column(String(100), default="")
    zip: Mapped[str | None] = mapped_column(String(5))
    age_band: Mapped[str | None] = mapped_column(String(10))
    language: Mapped[str | None] = mapped_column(String(40))
    consent_to_quote: Mapped[bool] = mapped_column(default=False)
    locale: Mapped[str] = mapped_column(String(10), default="en")  # the page's language when filed
    status: Mapped[str] = mapped_column(String(10), default="new")
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decline_reason: Mapped[str | None] = mapped_column(Text)
    concern_id: Mapped[int | None] = mapped_column(ForeignKey("concerns.id", ondelete="SET NULL"))

    decided_by = relationship("User", lazy="joined")

    @property
    def race_ethnicity(self) -> list[str]:
        return self.race_codes.split() if self.race_codes else []

    @property
    def is_open(self) -> bool:
        return self.status == "new"


class SelfReportAttempt(Base):
    """One submission (stored or caught by the honeypot) from an address, keyed: the hourly budget."""

    __tablename__ = "self_report_attempts"
    __table_args__ = (Index("ix_self_report_attempts_address_at", "address_key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    address_key: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)
