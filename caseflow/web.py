"""Small helpers shared by views."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app, url_for
from flask_wtf import FlaskForm


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths may be redirect targets after login."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


MAX_DATABASE_ID = 2**31 - 1


def form_version(value) -> int:
    """The version a form's hidden field sent back. Missing or mangled text reads as -1, a version no
    record ever has, so the save is refused as stale (409) and never taken for the current one."""
    from caseflow.validation import ascii_int

    number = ascii_int(value)  # ASCII digits only: int() would take "٣" and "３"
    return -1 if number is None else number


class EmptyForm(FlaskForm):
    """For buttons that POST (logout, revoke, deactivate, "Run now"): the CSRF token only."""


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    """A CSV cell made safe to open: prefix a quote to cells a spreadsheet would run as a formula
    (OWASP CSV injection). Every CSV download writes its cells through this."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def and_join(items) -> str:
    """['A', 'B', 'C'] → 'A, B and C' (also the `and_join` template filter); in another language, as
    it joins a list ("A, B y C")."""
    items = [str(i) for i in items]
    if len(items) > 1:
        from caseflow.i18n import locale_name

        if not locale_name().startswith("en"):
            from babel.lists import format_list

            return format_list(items, locale=locale_name())
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else ""


def database_id(value) -> int | None:
    """A key read from a query string or form: a positive 32-bit integer or None (never an overflow)."""
    from caseflow.validation import ascii_int

    return ascii_int(value, lo=1, hi=MAX_DATABASE_ID)


@dataclass
class ListPage:
    """One page of a list already in memory, shaped like Flask-SQLAlchemy's Pagination for the
    pagination macro."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.total, self.page * self.per_page)


def paginate_list(items: list, page: int | None, per_page: int) -> ListPage:
    """The `page`-th slice of `items` (out-of-range pages show the nearest page)."""
    pages = max(1, -(-len(items) // per_page))
    number = min(max(page or 1, 1), pages)
    start = (number - 1) * per_page
    return ListPage(items[start : start + per_page], number, per_page, len(items))


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


def add_missing_errors(form, errors: dict[str, list[str]]) -> None:
    """Add service-level errors to fields the form's own validators found nothing wrong with, so a
    page shows every problem at once (one message per field; the form's wording wins)."""
    for name, messages in errors.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors") and field.errors:
            continue
        form_errors_from(form, {name: messages})
