"""Two-step login: TOTP (RFC 6238, pyotp) and one-time recovery codes. They flush; callers commit.

Required for the roles in MFA_REQUIRED_ROLES (admins and directors), optional for everyone else.
Codes are checked against the app's clock (caseflow.dates), one 30-second step either side, and a
step once accepted is never accepted again (a code seen over a shoulder cannot be replayed).
Recovery codes are 50 random bits each, kept only as SHA-256, and each works once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

import pyotp
import segno
from flask import current_app
from flask_babel import gettext
from sqlalchemy import delete, select

from caseflow.audit.services import record
from caseflow.errors import DomainError
from caseflow.extensions import db
from caseflow.models import RecoveryCode, User
from caseflow.models.base import utcnow

STEP_SECONDS = 30
RECOVERY_CODES = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i


def required_for(user: User) -> bool:
    return bool(set(user.roles) & set(current_app.config["MFA_REQUIRED_ROLES"]))


def needs_enrolment(user: User) -> bool:
    return required_for(user) and not user.mfa_enabled


def start_enrolment(user: User) -> str:
    """A fresh secret for an authenticator (replacing an unconfirmed one); trusted only once a code
    made from it is confirmed."""
    if user.mfa_enabled:
        raise DomainError(gettext("Two-step login is already set up."), field="code")
    user.totp_secret = pyotp.random_base32()
    user.totp_last_step = None
    return user.totp_secret


def provisioning_uri(user: User) -> str:
    issuer = current_app.config.get("ORG_NAME") or "Caseflow"
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=f"Caseflow ({issuer})")


def qr_svg(user: User) -> str:
    """The provisioning URI as a QR code, drawn on the server as SVG (no script, no inline style)."""
    qr = segno.make(provisioning_uri(user), error="m")
    return qr.svg_inline(scale=4, dark="#000", light="#fff", title="QR code for your authenticator app")


def current_step() -> int:
    from caseflow.dates import now

    return int(now().timestamp()) // STEP_SECONDS


def _normal(code: str) -> str:
    return "".join((code or "").split()).replace("-", "").lower()


def check_totp(user: User, code: str) -> bool:
    """True, and the step remembered, when `code` is the authenticator's code for now (±1 step) and
    later than the last one accepted."""
    code = _normal(code)
    if not user.totp_secret or len(code) != 6 or not (code.isascii() and code.isdigit()):
        return False
    totp = pyotp.TOTP(user.totp_secret)
    now = current_step()
    for step in (now - 1, now, now + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            if user.totp_last_step is not None and step <= user.totp_last_step:
                return False  # replayed
            user.totp_last_step = step
            return True
    return False


def _digest(code: str) -> str:
    return hashlib.sha256(_normal(code).encode()).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_digest(c)) for c in codes)
    return codes


def use_recovery_code(user: User, code: str) -> bool:
    normal = _normal(code)
    if len(normal) != 10 or not normal.isascii():
        return False
    row = db.session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _digest(normal), RecoveryCode.used_at.is_(None)
        )
    )
    if row is None:
        return False
    row.used_at = utcnow()
    record("mfa.recovery_code_used", user, user)
    return True


def second_factor_ok(user: User, code: str) -> bool:
    return check_totp(user, code) or use_recovery_code(user, code)


def confirm_enrolment(actor: User, user: User, code: str) -> list[str]:
    """Trust the pending secret once `code` matches it; returns the recovery codes (shown once)."""
    if user.mfa_enabled or not user.totp_secret:
        raise DomainError(gettext("Start the set-up again: there is no code waiting to be confirmed."), field="code")
    if not check_totp(user, code):
        raise DomainError(gettext("That code does not match. Type the 6 digits your app shows now."), field="code")
    user.totp_enabled_at = utcnow()
    user.session_version += 1  # sessions from before the second factor end
    codes = _new_recovery_codes(user)
    record("mfa.enrol", actor, user)
    return codes


def new_recovery_codes(actor: User, user: User, code: str) -> list[str]:
    if not check_totp(user, code):
        raise DomainError(gettext("That code does not match. Type the 6 digits your app shows now."), field="code")
    codes = _new_recovery_codes(user)
    record("mfa.recovery_codes", actor, user)
    return codes


def remaining_recovery_codes(user: User) -> int:
    from sqlalchemy import func

    return db.session.scalar(
        select(func.count()).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


def turn_off(actor: User, user: User, code: str) -> None:
    """The user's own choice, for roles that do not require it (needs a current code)."""
    if required_for(user):
        raise DomainError(gettext("Your role requires two-step login; it cannot be turned off."), field="code")
    if not second_factor_ok(user, code):
        raise DomainError(gettext("That code does not match."), field="code")
    _clear(user)
    record("mfa.disable", actor, user)


def reset(actor: User, user: User) -> None:
    """An administrator's reset for a lost authenticator: the user sets it up again at next login."""
    _clear(user)
    user.session_version += 1
    record("mfa.reset", actor, user)


def enrol_now(actor: User | None, user: User) -> str:
    """For the command line: set up and trust a new secret at once; returns it (base32)."""
    _clear(user)
    secret = start_enrolment(user)
    user.totp_enabled_at = utcnow()
    user.session_version += 1
    record("mfa.enrol", actor, user, via="cli")
    return secret


def _clear(user: User) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
