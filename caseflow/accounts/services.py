"""Account verbs: users, passwords, login throttling, API tokens. They flush; callers commit."""

from __future__ import annotations

import functools
import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext, lazy_gettext
from sqlalchemy import func, select

from caseflow import dates
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


@functools.cache
def _common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords from leaked password sets, as shipped inside the zxcvbn
    package (no network call)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


# zxcvbn's estimate below 10^8 guesses ("score" 0-2): a common password with a few changes, a
# keyboard walk, a repeated word, the user's own e-mail or name. Passphrases of a few words pass.
MIN_GUESSES_LOG10 = 8


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """What is wrong with a new password (ASVS V6.2): length, a common or breached password, or one
    guessable from the account itself. None when it may be used."""
    if len(password) < PASSWORD_MIN:
        return f"Use at least {PASSWORD_MIN} characters; a few words you remember work well."
    if len(password) > PASSWORD_MAX:
        return f"Use at most {PASSWORD_MAX} characters."
    squeezed = "".join(password.lower().split())
    if password.lower() in _common_passwords() or squeezed in _common_passwords():
        return "This password is on a list of common passwords that attackers try first. Choose another."
    from zxcvbn import zxcvbn

    local = email.split("@", 1)[0]
    inputs = [part for part in (email, local, name, "caseflow") if part]
    if zxcvbn(password[:72], user_inputs=inputs)["guesses_log10"] < MIN_GUESSES_LOG10:
        return (
            "This password is too easy to guess (a common word or password with small changes, a keyboard "
            "pattern, or your own e-mail or name). A few unrelated words work well."
        )
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


def create_user(actor: User | None, email: str, roles, password: str, name: str = "", *, service: bool = False) -> User:
    """A person, or with `service` a service account: it holds API tokens and cannot log in (its
    password is random and never shown)."""
    if service:
        password = secrets.token_urlsafe(48)
    errors = new_user_problems(email, roles, password, service=service)
    if errors:
        raise ValidationFailed(errors)
    user = User(
        email=User.normalise_email(email),
        name=name.strip(),
        password_hash=hash_password(password),
        kind="service" if service else "person",
    )
    user.roles = set(roles)
    db.session.add(user)
    db.session.flush()
    record("user.create", actor, user, roles=sorted(set(roles)), kind=user.kind)
    return user


def new_user_problems(email: str, roles, password: str, *, service: bool = False) -> dict[str, list[str]]:
    """Everything wrong with a new user's details, all at once (the form shows them together)."""
    errors: dict[str, list[str]] = {}
    email_n = User.normalise_email(email or "")
    if "@" not in email_n or len(email_n) > 254:
        errors["email"] = [gettext("Enter an e-mail address.")]
    elif find_user(email_n) is not None:
        errors["email"] = [gettext("A user with this e-mail address already exists.")]
    roles = set(roles or [])
    if not roles or not roles <= set(ROLES):
        errors["roles"] = [f"Choose one or more of: {', '.join(ROLES)}."]
    problem = None if service else password_problem(password or "", email=email_n)
    if problem:
        errors["password"] = [problem]
    return errors


def change_password(actor: User, user: User, new_password: str) -> None:
    problem = password_problem(new_password, email=user.email, name=user.name)
    if problem:
        raise DomainError(problem, field="new_password")
    user.password_hash = hash_password(new_password)
    user.session_version += 1  # every existing session of this user ends
    record("user.password_change", actor, user)
    revoke_all_tokens(user, "password reset" if actor is not None and actor.id != user.id else "password change")


def set_roles(actor: User, user: User, roles) -> None:
    roles = set(roles)
    if not roles or not roles <= set(ROLES):
        raise DomainError(gettext("Choose at least one role."), field="roles")
    before = sorted(user.roles)
    user.roles = roles
    user.session_version += 1
    record("user.roles", actor, user, before=before, after=sorted(roles))


def set_active(actor: User, user: User, active: bool) -> None:
    if actor is not None and actor.id == user.id and not active:
        raise DomainError(gettext("You cannot deactivate your own account."))
    user.active = active
    user.session_version += 1
    record("user.activate" if active else "user.deactivate", actor, user)
    if not active:
        revoke_all_tokens(user, "deactivation")  # reactivating does not bring them back


def end_sessions(user: User) -> None:
    user.session_version += 1


# --- Login throttling -------------------------------------------------------------------------
#
# Two limits, both counted in the database so they hold across web workers:
# - per account: after LOGIN_FREE_FAILURES failures (from any address) since its last success within
#   LOGIN_ACCOUNT_WINDOW, each further attempt must wait LOGIN_BASE_DELAY doubled per failure, up to
#   LOGIN_MAX_DELAY. A slowdown, never a lock: the wait is counted from the last failure, refused
#   attempts are not failures, and a browser the owner has logged in with before (a signed device
#   cookie) is not slowed at all, so guessing from elsewhere cannot keep the owner out;
# - per address: LOGIN_ADDRESS_BUDGET failures over any accounts within LOGIN_ADDRESS_WINDOW.
# A wrong second-factor code is a failure like a wrong password.


@dataclass
class LoginResult:
    user: User | None
    throttled: bool = False
    wait_seconds: int = 0


def _failures_since(since: datetime, *conditions) -> tuple[int, datetime | None]:
    return tuple(
        db.session.execute(
            select(func.count(), func.max(LoginAttempt.at)).where(
                LoginAttempt.success.is_(False), LoginAttempt.at > since, *conditions
            )
        ).one()
    )


def account_wait(email: str, now: datetime) -> int:
    """Seconds this account's next attempt must still wait (0: it may try now)."""
    cfg = current_app.config
    since = now - cfg["LOGIN_ACCOUNT_WINDOW"]
    last_success = db.session.scalar(
        select(func.max(LoginAttempt.at)).where(LoginAttempt.email == email, LoginAttempt.success.is_(True))
    )
    if last_success is not None and last_success > since:
        since = last_success
    failures, last_failure = _failures_since(since, LoginAttempt.email == email)
    extra = failures - cfg["LOGIN_FREE_FAILURES"]
    if extra < 0 or last_failure is None:
        return 0
    delay = min(cfg["LOGIN_BASE_DELAY"] * 2 ** min(extra, 30), cfg["LOGIN_MAX_DELAY"])
    return max(0, math.ceil((last_failure + delay - now).total_seconds()))


def address_wait(address: str, now: datetime) -> int:
    """Seconds until this address may try again, once it has spent its budget of failures."""
    cfg = current_app.config
    window = cfg["LOGIN_ADDRESS_WINDOW"]
    failures, _ = _failures_since(now - window, LoginAttempt.address == address)
    if failures < cfg["LOGIN_ADDRESS_BUDGET"]:
        return 0
    oldest = db.session.scalar(
        select(LoginAttempt.at)
        .where(LoginAttempt.address == address, LoginAttempt.success.is_(False), LoginAttempt.at > now - window)
        .order_by(LoginAttempt.at.desc())
        .offset(cfg["LOGIN_ADDRESS_BUDGET"] - 1)
        .limit(1)
    )
    return max(1, math.ceil((oldest + window - now).total_seconds())) if oldest else 1


def login_wait(email: str, address: str, *, known_device: bool = False, now: datetime | None = None) -> int:
    if known_device:
        return 0
    now = now or utcnow()
    return max(account_wait(email, now), address_wait(address, now))


def note_failure(email: str, address: str, user: User | None, now: datetime) -> None:
    """Record a failed attempt; at LOGIN_NOTIFY_AFTER failures in a row, tell the account's owner."""
    db.session.add(LoginAttempt(email=email, address=address[:64], at=now, success=False))
    record("login.failure", actor_label=email)
    if user is None or not user.active:
        return
    db.session.flush()
    cfg = current_app.config
    since = now - cfg["LOGIN_ACCOUNT_WINDOW"]
    last_success = db.session.scalar(
        select(func.max(LoginAttempt.at)).where(LoginAttempt.email == email, LoginAttempt.success.is_(True))
    )
    failures, _ = _failures_since(max(since, last_success or since), LoginAttempt.email == email)
    if failures == cfg["LOGIN_NOTIFY_AFTER"]:
        from caseflow.notifications.services import notify

        when = dates.show(now)
        notify(
            [user.id],
            "security",
            lazy_gettext(
                "%(num)d failed attempts to log in to your account, the last at %(when)s. If it was not you, "
                "change your password; your account slows further attempts down.",
                num=failures,
                when=when,
            ),
            "/account/password",
            f"login-failures:{user.id}:{now.isoformat(timespec='seconds')}",
        )


def attempt_login(email: str, password: str, address: str, *, device_user_id: int | None = None) -> LoginResult:
    """The password step. `device_user_id`: the account this browser logged in to before."""
    email_n = User.normalise_email(email)[:254]
    now = utcnow()
    user = find_user(email_n)
    known_device = user is not None and device_user_id == user.id
    wait = login_wait(email_n, address, known_device=known_device, now=now)
    if wait:
        record("login.throttled", actor_label=email_n, wait_seconds=wait)
        return LoginResult(user=None, throttled=True, wait_seconds=wait)
    ok = verify_password(user, password) and user is not None and user.active and not user.is_service
    if ok:
        return LoginResult(user=user)
    note_failure(email_n, address, user, now)
    return LoginResult(user=None)


def login_succeeded(user: User, address: str) -> None:
    """Both factors passed: record the success (it ends the account's slowdown) and audit it."""
    now = utcnow()
    db.session.add(LoginAttempt(email=user.email, address=address[:64], at=now, success=True))
    user.last_login_at = now
    record("login.success", user, user)


# --- API tokens -------------------------------------------------------------------------------
#
# A token is made for oneself or for a service account (a user kind that cannot log in), with
# scopes no wider than its owner's roles, and expires (TOKEN_DAYS, 90 by default). Changing or
# resetting the password and deactivating the owner revoke every token of theirs.

TOKEN_MAX_DAYS = 365


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_problems(actor: User | None, user: User | None, scopes, days) -> dict[str, list[str]]:
    from caseflow.accounts.permissions import api_scopes

    errors: dict[str, list[str]] = {}
    if user is None:
        return {"email": [gettext("No user with this e-mail address.")]}
    if actor is not None and actor.id != user.id and not user.is_service:
        errors["email"] = [
            "Tokens are made only for yourself or for a service account: a token for another person would act as them."
        ]
    if scopes is not None:
        scopes = set(scopes)
        unknown = scopes - api_scopes()
        beyond = scopes - api_scopes(user.roles) - unknown
        if not scopes:
            errors["scopes"] = [gettext("Choose at least one scope.")]
        elif unknown:
            errors["scopes"] = [f"Unknown scopes: {', '.join(sorted(unknown))}."]
        elif beyond:
            errors["scopes"] = [f"The owner's roles do not allow: {', '.join(sorted(beyond))}."]
    if days is not None and (isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= TOKEN_MAX_DAYS):
        errors["days"] = [f"Use a whole number of days from 1 to {TOKEN_MAX_DAYS}."]
    return errors


def create_token(
    actor: User | None, user: User, name: str, *, scopes=None, days: int | None = None
) -> tuple[ApiToken, str]:
    """Returns the stored token and the secret, which is shown once and never stored. `actor` None
    is the command line (an operator of the server). Scopes default to every scope the owner's
    roles can use; days to TOKEN_DAYS."""
    from caseflow.accounts.permissions import api_scopes

    errors = token_problems(actor, user, scopes, days)
    if errors:
        raise ValidationFailed(errors)
    scopes = sorted(api_scopes(user.roles) if scopes is None else set(scopes))
    days = days or current_app.config["TOKEN_DAYS"]
    secret = "cf_" + secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(
        created_at=now,
        user=user,
        name=(name or "API token").strip()[:100],
        token_hash=token_digest(secret),
        prefix=secret[:10],
        scopes=" ".join(scopes),
        expires_at=now + timedelta(days=days),
    )
    db.session.add(token)
    db.session.flush()
    record("token.create", actor, token, user_id=user.id, name=token.name, scopes=scopes, days=days)
    return token, secret


def revoke_token(actor: User, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record("token.revoke", actor, token, user_id=token.user_id)


def revoke_all_tokens(user: User, reason: str) -> int:
    rows = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))).all()
    now = utcnow()
    for token in rows:
        token.revoked_at = now
    if rows:
        record("token.revoke_all", None, user, count=len(rows), reason=reason)
    return len(rows)


def token_for_secret(secret: str) -> ApiToken | None:
    """The live token with this secret (not revoked, not expired, its owner active), its last use
    stamped at most once a minute so reads do not all become writes."""
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(secret)))
    now = utcnow()
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        token.last_used_at = now
    return token


def user_for_token(secret: str) -> User | None:
    token = token_for_secret(secret)
    return token.user if token else None
