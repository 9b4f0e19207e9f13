"""What the tag suggestions learn and find: stored tag models and emerging themes."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Float, ForeignKey, Index, LargeBinary, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.models.base import Base, utcnow
from caseflow.models.taxonomy import Tag


class TagModelVersion(Base):
    """One trained tag model: arrays in a signed .npz archive (caseflow.suggestions.model), never a
    pickle. The newest version is the one served; older ones stay for comparison until pruned."""

    __tablename__ = "tag_models"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(unique=True)
    trained_at: Mapped[datetime] = mapped_column(default=utcnow)
    examples: Mapped[int]  # (text, tag) pairs it learned from
    tag_count: Mapped[int]
    size_bytes: Mapped[int]
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    signature: Mapped[str] = mapped_column(String(64))


emerging_theme_concerns = Table(
    "emerging_theme_concerns",
    Base.metadata,
    Column("theme_id", ForeignKey("emerging_themes.id", ondelete="CASCADE"), primary_key=True),
    Column("concern_id", ForeignKey("concerns.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_emerging_theme_concerns_concern", "concern_id"),
)

THEME_STATES = ("open", "tagged", "dismissed")


class EmergingTheme(Base):
    """A group of recent concerns that fit no tag well, found by the weekly job: a tag in waiting."""

    __tablename__ = "emerging_themes"
    __table_args__ = (Index("ix_emerging_themes_status_found", "status", "found_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    found_at: Mapped[datetime] = mapped_column(default=utcnow)
    window_start: Mapped[date]
    window_end: Mapped[date]
    keywords: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(10), default="open")
    tag_id: Mapped[int | None] = mapped_column(ForeignKey("tags.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    tag: Mapped[Tag | None] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    @property
    def title(self) -> str:
        return ", ".join(self.keywords[:3])
