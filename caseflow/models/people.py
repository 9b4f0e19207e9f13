"""People who opted in to organizing: created only with consent, contact encrypted at rest.

A person's name and contact details are stored as Fernet ciphertext (caseflow.crypto); withdrawing
consent erases them and unlinks the person from every concern. Language and preferred channel stay
in clear: they are what a call list is sorted by, and say nothing that identifies anyone.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text, TypeDecorator
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.models.base import Base, TimestampMixin, utcnow

CHANNELS = {
    "phone": _l("Phone call"),
    "sms": _l("Text message"),
    "email": _l("E-mail"),
    "mail": _l("Post"),
    "in_person": _l("In person"),
}
SOURCES = {"concern": _l("Asked when logging a concern"), "organizer": _l("Added by an organizer")}
CALL_OUTCOMES = {
    "reached": _l("Reached, interested"),
    "will_attend": _l("Reached, will come"),
    "declined": _l("Reached, not now"),
    "voicemail": _l("Left a message"),
    "no_answer": _l("No answer"),
    "wrong_number": _l("Wrong number or address"),
}


class Encrypted(TypeDecorator):
    """Text encrypted with the app's data key on the way in, decrypted on the way out."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        from caseflow.crypto import encrypt

        return None if value in (None, "") else encrypt(value)

    def process_result_value(self, value, dialect):
        from caseflow.crypto import decrypt

        return None if value is None else decrypt(value)


class Person(TimestampMixin, Base):
    __tablename__ = "people"
    __table_args__ = (Index("ix_people_withdrawn_language", "withdrawn_on", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str | None] = mapped_column(Encrypted)
    phone: Mapped[str | None] = mapped_column(Encrypted)
    email: Mapped[str | None] = mapped_column(Encrypted)
    address: Mapped[str | None] = mapped_column(Encrypted)
    language: Mapped[str | None] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(10), default="phone")
    source: Mapped[str] = mapped_column(String(10))
    consent_on: Mapped[date]
    consent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawn_on: Mapped[date | None]
    version: Mapped[int] = mapped_column(default=1)

    consent_by = relationship("User", lazy="joined")

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_on is not None

    @property
    def label(self) -> str:
        return self.name or f"Person #{self.id}"

    @property
    def channel_label(self) -> str:
        return CHANNELS.get(self.channel, self.channel)


class PersonConcern(Base):
    """The concern a person's consent was recorded on: visible only with record access."""

    __tablename__ = "person_concerns"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    concern_id: Mapped[int] = mapped_column(
        ForeignKey("concerns.id", ondelete="CASCADE"), primary_key=True, unique=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PersonInterest(Base):
    """A campaign a person asked to be involved in (an organizer's sign-up, not a concern)."""

    __tablename__ = "person_interests"
    __table_args__ = (Index("ix_person_interests_campaign", "campaign_id"),)

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CallLog(Base):
    """One call (or message) to a person from a call list, and how it went."""

    __tablename__ = "call_logs"
    __table_args__ = (Index("ix_call_logs_person_at", "person_id", "called_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="SET NULL"))
    pattern_key: Mapped[str | None] = mapped_column(String(200))
    outcome: Mapped[str] = mapped_column(String(20))
    notes: Mapped[str] = mapped_column(Text, default="")
    caller_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    called_at: Mapped[datetime] = mapped_column(default=utcnow)

    caller = relationship("User", lazy="joined")

    @property
    def outcome_label(self) -> str:
        return CALL_OUTCOMES.get(self.outcome, self.outcome)
