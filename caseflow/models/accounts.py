"""People who use Caseflow, their roles, API tokens and login attempts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.models.base import Base, TimestampMixin, utcnow

ROLES = ("caseworker", "organizer", "director", "admin")
# A person logs in; a service account (a system that pushes data) only holds API tokens.
USER_KINDS = ("person", "service")


class User(TimestampMixin, Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("email = lower(email)", name="email_lowercase"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None]
    # Bumped on logout, password change and deactivation: older session cookies stop working.
    session_version: Mapped[int] = mapped_column(default=1)
    last_program_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id"))
    # The quick log's "narrative, demographics and voice" section opens for those who last used it.
    quick_log_details_open: Mapped[bool] = mapped_column(default=False, server_default=false())
    kind: Mapped[str] = mapped_column(String(10), default="person", server_default="person")
    # Two-step login (TOTP, RFC 6238): the base32 secret, set when enrolment starts and trusted once
    # a code has confirmed it; the last accepted time step, so a code is never accepted twice.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None]
    totp_last_step: Mapped[int | None]
    # The language of their pages ("en", "es"); none: as their browser asks (caseflow/i18n.py).
    locale: Mapped[str | None] = mapped_column(String(10))

    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @staticmethod
    def normalise_email(email: str) -> str:
        return email.strip().lower()

    @property
    def roles(self) -> set[str]:
        return {row.role for row in self.role_rows}

    @roles.setter
    def roles(self, roles) -> None:
        wanted = set(roles)
        unknown = wanted - set(ROLES)
        if unknown:
            raise ValueError(f"unknown roles: {sorted(unknown)}")
        self.role_rows = [row for row in self.role_rows if row.role in wanted] + [
            UserRole(role=r) for r in sorted(wanted - self.roles)
        ]

    def has_role(self, role: str) -> bool:
        return role in self.roles

    @property
    def display_name(self) -> str:
        return self.name or self.email

    # Flask-Login protocol. The id carries the session version so a stale cookie fails to load.
    @property
    def is_active(self) -> bool:
        return self.active and self.kind == "person"

    @property
    def is_service(self) -> bool:
        return self.kind == "service"

    @property
    def mfa_enabled(self) -> bool:
        return self.totp_enabled_at is not None

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)
    user: Mapped[User] = relationship(back_populates="role_rows")


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # SHA-256 of a 256-bit random token: enough for a high-entropy secret, and fast to look up.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    # Space-separated scopes (caseflow.accounts.tokens.SCOPES); a call needs the scope and the role.
    scopes: Mapped[str] = mapped_column(String(400), default="", server_default="")
    expires_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())


class RecoveryCode(Base):
    """One-time codes for a lost authenticator: only their SHA-256 is kept (each is 50 random bits)."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None]


class LoginAttempt(Base):
    """Kept in the database so throttling holds across several web workers."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_email_address_at", "email", "address", "at"),
        Index("ix_login_attempts_email_at", "email", "at"),
        Index("ix_login_attempts_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    success: Mapped[bool]
