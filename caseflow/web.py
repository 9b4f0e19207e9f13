"""Small helpers shared by views."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, url_for


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths may be redirect targets after login."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


MAX_DATABASE_ID = 2**31 - 1


def database_id(value) -> int | None:
    """A key read from a query string or form: a positive 32-bit integer or None (never an overflow)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= MAX_DATABASE_ID else None


HOMES = [
    ("caseworker", "concerns.quick_log"),
    ("organizer", "patterns.index"),
    ("director", "reflection.summaries"),
    ("director", "patterns.index"),
    ("admin", "accounts.users"),
]


def home_for(user) -> str:
    """Each role's start page: the caseworker's is the quick-log form."""
    for role, endpoint in HOMES:
        if role in user.roles and endpoint in current_app.view_functions:
            return url_for(endpoint)
    return url_for("accounts.change_password")


def form_errors_from(form, errors: dict[str, list[str]]) -> None:
    """Attach service-level field errors to a WTForms form (unknown fields go to the form)."""
    for name, messages in errors.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            if isinstance(field.errors, tuple):
                field.errors = list(field.errors)
            field.errors.extend(messages)
        else:
            form.form_errors.extend(messages)
