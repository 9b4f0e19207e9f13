"""Configuration classes, chosen by CASEFLOW_ENV and read from the environment (INTERFACES.md)."""

from __future__ import annotations

import os
from datetime import timedelta


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


class Config:
    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    CASEFLOW_CLIENT_KEY = os.environ.get("CASEFLOW_CLIENT_KEY")
    # Encrypts opted-in people's contact details (caseflow.crypto); required in production.
    CASEFLOW_DATA_KEY = os.environ.get("CASEFLOW_DATA_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")  # None → SQLite in the instance folder
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    CASEFLOW_MIN_CELL = _int("CASEFLOW_MIN_CELL", 11)

    # Sessions: idle and absolute timeouts, no remember-me.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    SESSION_COOKIE_NAME = "caseflow_session"
    IDLE_TIMEOUT = timedelta(minutes=30)
    ABSOLUTE_TIMEOUT = timedelta(hours=12)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)

    # Login throttling (caseflow/accounts/services.py): per account, 3 free failures, then each try
    # waits 2 s doubled per failure up to 15 minutes (a slowdown, not a lock; a browser the owner
    # logged in with before is exempt); per address, 30 failures in 15 minutes. The owner is told
    # in their inbox at the 5th failure in a row.
    LOGIN_FREE_FAILURES = 3
    LOGIN_BASE_DELAY = timedelta(seconds=2)
    LOGIN_MAX_DELAY = timedelta(minutes=15)
    LOGIN_ACCOUNT_WINDOW = timedelta(hours=24)
    LOGIN_ADDRESS_BUDGET = 30
    LOGIN_ADDRESS_WINDOW = timedelta(minutes=15)
    LOGIN_NOTIFY_AFTER = 5
    DEVICE_COOKIE_DAYS = 90
    # How many reverse proxies in front of the app add an X-Forwarded-For hop (0: trust none).
    TRUSTED_PROXIES = _int("CASEFLOW_TRUSTED_PROXIES", 0)
    # Two-step login: required for these roles, optional for the others.
    MFA_REQUIRED_ROLES = ("admin", "director")
    # API tokens expire after this many days unless made with another lifetime.
    TOKEN_DAYS = _int("CASEFLOW_TOKEN_DAYS", 90)

    # argon2id parameters (OWASP: at least m=19 MiB, t=2, p=1); the library's defaults exceed them.
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 2

    MAX_CONTENT_LENGTH = 5 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None  # the session's own timeouts bound the token's life
    HSTS = False

    # Patterns and equity.
    PATTERN_WINDOW_DAYS = _int("CASEFLOW_PATTERN_WINDOW_DAYS", 90)
    PATTERN_MIN_CONCERNS = _int("CASEFLOW_PATTERN_MIN_CONCERNS", 5)
    PATTERN_MIN_CLIENTS = _int("CASEFLOW_PATTERN_MIN_CLIENTS", 3)
    FISCAL_YEAR_START_MONTH = _int("CASEFLOW_FISCAL_YEAR_START_MONTH", 1)
    NARRATIVE_RETENTION_DAYS = _int("CASEFLOW_NARRATIVE_RETENTION_DAYS", 730)
    ADVISORY_GATE = os.environ.get("CASEFLOW_ADVISORY_GATE", "0") in ("1", "true", "yes")
    # Governance (caseflow.governance): the committee decides promotions and gates Strategy and
    # Action. The organisation's stored setting wins; this is its value until first set. The older
    # CASEFLOW_ADVISORY_GATE still gates the two steps (now by the committee's votes), not promotions.
    GOVERNANCE = os.environ.get("CASEFLOW_GOVERNANCE", "0") in ("1", "true", "yes")
    ORG_NAME = os.environ.get("CASEFLOW_ORG_NAME", "Caseflow demo organisation")
    TIMEZONE = os.environ.get("CASEFLOW_TIMEZONE", "America/New_York")
    CASEFLOW_DEFAULT_LOCALE = os.environ.get("CASEFLOW_DEFAULT_LOCALE", "en")
    # The public self-report page: stored reports (and honeypot hits) per address per hour.
    SELF_REPORTS_PER_HOUR = _int("CASEFLOW_SELF_REPORTS_PER_HOUR", 5)
    # Tests and demos only: start the app's clock at this instant (ISO, with offset); it runs on from there.
    CLOCK_AT = os.environ.get("CASEFLOW_CLOCK_AT")
    # The weekly digest is also e-mailed to organizers when an SMTP server is configured.
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_FROM = os.environ.get("MAIL_FROM", "caseflow@localhost")


class DevelopmentConfig(Config):
    ENV_NAME = "development"


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret-key-not-for-production"  # noqa: S105
    CASEFLOW_CLIENT_KEY = "testing-client-key"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL")
    # Cheap hashing keeps the suite fast; production uses the values above.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    ARGON2_PARALLELISM = 1


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    HSTS = True


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_for(env_name: str | None = None) -> type[Config]:
    name = env_name or os.environ.get("CASEFLOW_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"CASEFLOW_ENV must be one of {sorted(CONFIGS)}, not {name!r}") from None
