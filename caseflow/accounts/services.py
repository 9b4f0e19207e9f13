"""Account verbs: users, passwords, login throttling, API tokens. They flush; callers commit."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import func, select

from caseflow.audit.services import record
from caseflow.errors import DomainError, ValidationFailed
from caseflow.extensions import db
from caseflow.models import ROLES, ApiToken, LoginAttempt, User
from caseflow.models.base import utcnow

PASSWORD_MIN = 12
PASSWORD_MAX = 128


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(
        time_cost=cfg["ARGON2_TIME_COST"],
        memory_cost=cfg["ARGON2_MEMORY_COST"],
        parallelism=cfg["ARGON2_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def password_problem(password: str) -> str | None:
    if len(password) < PASSWORD_MIN:
        return f"Use at least {PASSWORD_MIN} characters; a few words you remember work well."
    if len(password) > PASSWORD_MAX:
        return f"Use at most {PASSWORD_MAX} characters."
    return None


def verify_password(user: User | None, password: str) -> bool:
    hasher = _hasher()
    if user is None:
        # Spend the same time as a real check so a missing account cannot be told apart.
        try:
            hasher.verify(_dummy_hash(), password)
        except (VerificationError, InvalidHashError):
            pass
        return False
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return True


_DUMMY: dict[tuple, str] = {}


def _dummy_hash() -> str:
    h = _hasher()
    key = (h.time_cost, h.memory_cost, h.parallelism)
    if key not in _DUMMY:
        _DUMMY[key] = h.hash(secrets.token_hex(16))
    return _DUMMY[key]


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == User.normalise_email(email)))


def create_user(actor: User | None, email: str, roles, password: str, name: str = "") -> User:
    errors = new_user_problems(email, roles, password)
    if errors:
        raise ValidationFailed(errors)
    user = User(email=User.normalise_email(email), name=name.strip(), password_hash=hash_password(password))
    user.roles = set(roles)
    db.session.add(user)
    db.session.flush()
    record("user.create", actor, user, roles=sorted(set(roles)))
    return user


def new_user_problems(email: str, roles, password: str) -> dict[str, list[str]]:
    """Everything wrong with a new user's details, all at once (the form shows them together)."""
    errors: dict[str, list[str]] = {}
    email_n = User.normalise_email(email or "")
    if "@" not in email_n or len(email_n) > 254:
        errors["email"] = ["Enter an e-mail address."]
    elif find_user(email_n) is not None:
        errors["email"] = ["A user with this e-mail address already exists."]
    roles = set(roles or [])
    if not roles or not roles <= set(ROLES):
        errors["roles"] = [f"Choose one or more of: {', '.join(ROLES)}."]
    problem = password_problem(password or "")
    if problem:
        errors["password"] = [problem]
    return errors


def change_password(actor: User, user: User, new_password: str) -> None:
    problem = password_problem(new_password)
    if problem:
        raise DomainError(problem, field="new_password")
    user.password_hash = hash_password(new_password)
    user.session_version += 1  # every existing session of this user ends
    record("user.password_change", actor, user)


def set_roles(actor: User, user: User, roles) -> None:
    roles = set(roles)
    if not roles or not roles <= set(ROLES):
        raise DomainError("Choose at least one role.", field="roles")
    before = sorted(user.roles)
    user.roles = roles
    user.session_version += 1
    record("user.roles", actor, user, before=before, after=sorted(roles))


def set_active(actor: User, user: User, active: bool) -> None:
    if actor is not None and actor.id == user.id and not active:
        raise DomainError("You cannot deactivate your own account.")
    user.active = active
    user.session_version += 1
    record("user.activate" if active else "user.deactivate", actor, user)


def end_sessions(user: User) -> None:
    user.session_version += 1


# --- Login throttling -------------------------------------------------------------------------


@dataclass
class LoginResult:
    user: User | None
    throttled: bool = False


def recent_failures(email: str, address: str, now: datetime) -> int:
    cfg = current_app.config
    since = now - cfg["LOGIN_FAILURE_WINDOW"]
    last_success = db.session.scalar(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.email == email,
            LoginAttempt.address == address,
            LoginAttempt.success.is_(True),
        )
    )
    if last_success is not None and last_success > since:
        since = last_success
    return db.session.scalar(
        select(func.count()).where(
            LoginAttempt.email == email,
            LoginAttempt.address == address,
            LoginAttempt.success.is_(False),
            LoginAttempt.at > since,
        )
    )


def is_throttled(email: str, address: str, now: datetime | None = None) -> bool:
    """Refused while this address has made LOGIN_MAX_FAILURES failures for this account within the
    window (since its last success). Refused attempts are not failures, so the lock lifts on time."""
    return recent_failures(email, address, now or utcnow()) >= current_app.config["LOGIN_MAX_FAILURES"]


def attempt_login(email: str, password: str, address: str) -> LoginResult:
    email_n = User.normalise_email(email)[:254]
    now = utcnow()
    if is_throttled(email_n, address, now):
        record("login.throttled", actor_label=email_n)
        return LoginResult(user=None, throttled=True)
    user = find_user(email_n)
    ok = verify_password(user, password) and user is not None and user.active
    db.session.add(LoginAttempt(email=email_n, address=address[:64], at=now, success=ok))
    if ok:
        user.last_login_at = now
        record("login.success", user, user)
        return LoginResult(user=user)
    record("login.failure", actor_label=email_n)
    return LoginResult(user=None)


# --- API tokens -------------------------------------------------------------------------------


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(actor: User | None, user: User, name: str) -> tuple[ApiToken, str]:
    """Returns the stored token and the secret, which is shown once and never stored."""
    secret = "cf_" + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=(name or "API token").strip()[:100],
        token_hash=token_digest(secret),
        prefix=secret[:10],
    )
    db.session.add(token)
    db.session.flush()
    record("token.create", actor, token, user_id=user.id, name=token.name)
    return token, secret


def revoke_token(actor: User, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record("token.revoke", actor, token, user_id=token.user_id)


def user_for_token(secret: str) -> User | None:
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(secret)))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    now = utcnow()
    # Touch last_used at most once a minute so reads do not all become writes.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        token.last_used_at = now
    return token.user
