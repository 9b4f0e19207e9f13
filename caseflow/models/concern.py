"""A concern: one thing a client brought, as a caseworker logged it."""

from __future__ import annotations

import secrets
from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, Index, SmallInteger, String, Table, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from caseflow.models.base import Base, TimestampMixin, utcnow
from caseflow.models.taxonomy import Program, Tag

# HUD HMIS FY2024 / OMB SPD 15 (2024) race and ethnicity, plus three distinct non-answers.
RACE_CATEGORIES = {
    "aian": "American Indian, Alaska Native, or Indigenous",
    "asian": "Asian or Asian American",
    "black": "Black, African American, or African",
    "hispanic": "Hispanic/Latina/e/o",
    "mena": "Middle Eastern or North African",
    "nhpi": "Native Hawaiian or Pacific Islander",
    "white": "White",
}
RACE_NON_ANSWERS = {
    "unknown": "Client doesn't know",
    "refused": "Client prefers not to answer",
    "not_collected": "Data not collected",
}
RACE_CODES = {**RACE_CATEGORIES, **RACE_NON_ANSWERS}
AGE_BANDS = ("under-18", "18-24", "25-34", "35-44", "45-54", "55-64", "65-plus")
# "self": the client told us on the public self-report page and a caseworker confirmed it (selfreport/).
SOURCES = {"client": "Client reported", "staff": "Staff observed", "self": "Client self-report"}
STAFF_SOURCES = ("client", "staff")  # what staff may set; "self" only by the triage queue

LIVE_BY_DATE = (
    "occurred_on",
    "program_id",
    "zip",
    "age_band",
    "language",
    "client_key",
    "client_record_key",
    "record_key",
    "source",
    "wants_involvement",
    "deleted_at",  # SQLite reads an index alone only if it holds every column a query names
)
CONSENTED_VOICE = (
    "client_root_cause IS NOT NULL AND story_consent_on IS NOT NULL "
    "AND story_consent_revoked_on IS NULL AND deleted_at IS NULL"
)

RECORD_KEYS = 256  # record keys run from 0 to 255 (caseflow.equity.perturbation.MODULUS)


def new_record_key() -> int:
    """A concern's record key for the cell key method: random, secret, fixed for the concern's life."""
    return secrets.randbelow(RECORD_KEYS)


def client_record_key(client_key: str | None) -> int | None:
    """A client's record key, the same for every concern of theirs: the first byte of the keyed hash
    of their reference (uniform, and as secret as that hash), so distinct-client cells have a key."""
    return int(client_key[:2], 16) if client_key else None


def _client_record_key_default(context) -> int | None:
    return client_record_key(context.get_current_parameters().get("client_key"))


concern_tags = Table(
    "concern_tags",
    Base.metadata,
    Column("concern_id", ForeignKey("concerns.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id"), primary_key=True),
    Index("ix_concern_tags_tag_concern", "tag_id", "concern_id"),
)


class ConcernRace(Base):
    """One self-reported race/ethnicity answer; a concern may hold several (multi-select)."""

    __tablename__ = "concern_races"
    __table_args__ = (Index("ix_concern_races_code_concern", "code", "concern_id"),)

    concern_id: Mapped[int] = mapped_column(ForeignKey("concerns.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(String(20), primary_key=True)


class Concern(TimestampMixin, Base):
    __tablename__ = "concerns"
    __table_args__ = (
        # With the id, newest-first lists stop after their LIMIT on PostgreSQL (SQLite has it implied).
        Index("ix_concerns_occurred_on", "occurred_on", "id"),
        Index("ix_concerns_program_occurred", "program_id", "occurred_on"),
        Index("ix_concerns_zip_occurred", "zip", "occurred_on"),
        Index("ix_concerns_client_key_occurred", "client_key", "occurred_on"),
        Index("ix_concerns_author_occurred", "author_id", "occurred_on"),
        # The live concerns' narrow columns by date: what a quarter's summary counts (totals, distinct
        # clients, programs, places, a pattern's concerns) is read from this index alone, not the table.
        Index(
            "ix_concerns_live_by_date",
            *LIVE_BY_DATE,
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
            postgresql_include=["id"],
        ),
        # The few concerns whose client agreed to be quoted, by date (a pattern's "in their words").
        Index(
            "ix_concerns_consented_voice",
            "occurred_on",
            sqlite_where=text(CONSENTED_VOICE),
            postgresql_where=text(CONSENTED_VOICE),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"))
    summary: Mapped[str] = mapped_column(String(500))
    narrative: Mapped[str | None] = mapped_column(Text)
    occurred_on: Mapped[date]
    source: Mapped[str] = mapped_column(String(10), default="client")
    # HMAC-SHA256 of the normalised client reference; the reference itself is never stored.
    client_key: Mapped[str | None] = mapped_column(String(64))
    # The cell key method's record keys (caseflow.equity.perturbation): never shown or exported.
    record_key: Mapped[int] = mapped_column(SmallInteger, default=new_record_key)
    client_record_key: Mapped[int | None] = mapped_column(SmallInteger, default=_client_record_key_default)
    language: Mapped[str | None] = mapped_column(String(40))
    age_band: Mapped[str | None] = mapped_column(String(10))
    zip: Mapped[str | None] = mapped_column(String(5))
    client_importance: Mapped[int | None]
    client_root_cause: Mapped[str | None] = mapped_column(Text)
    wants_involvement: Mapped[bool] = mapped_column(default=False)
    # Consent to quote the client's words (de-identified) in advocacy: dated and revocable.
    story_consent_on: Mapped[date | None]
    story_consent_revoked_on: Mapped[date | None]
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)
    deleted_at: Mapped[datetime | None]
    deleted_reason: Mapped[str | None] = mapped_column(Text)
    narrative_purged_at: Mapped[datetime | None]

    program: Mapped[Program] = relationship(lazy="joined")
    tags: Mapped[list[Tag]] = relationship(secondary=concern_tags, lazy="selectin", order_by=Tag.name)
    race_rows: Mapped[list[ConcernRace]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=ConcernRace.code
    )
    author = relationship("User", lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    @validates("client_key")
    def _keep_client_record_key(self, _, value: str | None) -> str | None:
        self.client_record_key = client_record_key(value)
        return value

    @property
    def race_ethnicity(self) -> list[str]:
        return [row.code for row in self.race_rows]

    @race_ethnicity.setter
    def race_ethnicity(self, codes) -> None:
        wanted = list(dict.fromkeys(codes))
        keep = [r for r in self.race_rows if r.code in wanted]
        have = {r.code for r in keep}
        self.race_rows = keep + [ConcernRace(code=c) for c in wanted if c not in have]

    @property
    def has_story_consent(self) -> bool:
        return self.story_consent_on is not None and self.story_consent_revoked_on is None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class ConcernDeletionRequest(Base):
    """An author's request that a director delete their concern (past the 24-hour retraction)."""

    __tablename__ = "concern_deletion_requests"
    __table_args__ = (Index("ix_concern_deletion_requests_concern", "concern_id", "decided_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    concern_id: Mapped[int] = mapped_column(ForeignKey("concerns.id", ondelete="CASCADE"))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision: Mapped[str | None] = mapped_column(String(10))  # "deleted" or "declined"

    requested_by = relationship("User", foreign_keys=[requested_by_id], lazy="joined")

    @property
    def is_open(self) -> bool:
        return self.decided_at is None
