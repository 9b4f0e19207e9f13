"""Programs (service lines) and the controlled tag taxonomy."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from caseflow.models.base import Base, TimestampMixin

TAG_CATEGORIES = (
    "Housing",
    "Income & Benefits",
    "Employment",
    "Health",
    "Immigration",
    "Education",
    "Justice",
    "Utilities",
    "Transportation",
    "Food",
    "Childcare",
    "Safety",
)


class Program(TimestampMixin, Base):
    __tablename__ = "programs"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))  # the default (English) name; exports and the API
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def display_name(self) -> str:
        """The name for the current locale (ProgramName), else the default name. Pages show this."""
        from caseflow.i18n import taxonomy_name

        return taxonomy_name(self)


class Tag(TimestampMixin, Base):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(40), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("tags.id"))

    @property
    def display_name(self) -> str:
        """The name for the current locale (TagName), else the default name. Pages show this."""
        from caseflow.i18n import taxonomy_name

        return taxonomy_name(self)


class TagName(Base):
    """A tag's name in one more language ("es" → "Reparaciones"); the default name is Tag.name."""

    __tablename__ = "tag_names"

    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True)
    locale: Mapped[str] = mapped_column(String(10), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))


class ProgramName(Base):
    """A program's name in one more language; the default name is Program.name."""

    __tablename__ = "program_names"

    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True)
    locale: Mapped[str] = mapped_column(String(10), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))


class CacheVersion(Base):
    """A random token per cached thing ("taxonomy"): database triggers give it a new token on
    every change to programs, tags and their names (migration 0022), so each process knows when
    its copy is stale (caseflow/taxonomy/cache.py)."""

    __tablename__ = "cache_versions"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    token: Mapped[str] = mapped_column(String(40))
