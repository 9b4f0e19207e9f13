"""Languages: Flask-Babel wired once, the locale chosen for each request, and a pseudo-locale.

The locale is the user's own setting, then an explicit `?lang=` (the public pages' language links),
then the browser's Accept-Language, then CASEFLOW_DEFAULT_LOCALE. Catalogs live in
caseflow/translations (babel.cfg at the repository root; `make install` compiles them).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel.support import NullTranslations
from flask import Flask, current_app, has_request_context, request
from flask_babel import Babel, get_locale, lazy_gettext
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import RadioField

SUPPORTED_LOCALES = {"en": "English", "es": "Español"}  # each named in its own language
TRANSLATIONS = Path(__file__).resolve().parent / "translations"

babel = Babel()


def select_locale() -> str:
    if not has_request_context():  # the CLI, the scheduler: the organisation's language
        return default_locale()
    user_locale = getattr(current_user, "locale", None) if current_user and current_user.is_authenticated else None
    if user_locale in SUPPORTED_LOCALES:
        return user_locale
    asked = request.args.get("lang")
    if asked in SUPPORTED_LOCALES:
        return asked
    return request.accept_languages.best_match(list(SUPPORTED_LOCALES)) or default_locale()


def default_locale(app: Flask | None = None) -> str:
    configured = (app or current_app).config.get("CASEFLOW_DEFAULT_LOCALE") or "en"
    return configured if configured in SUPPORTED_LOCALES else "en"


def init_app(app: Flask) -> None:
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config.get("TIMEZONE") or "UTC"
    babel.init_app(app, locale_selector=select_locale, default_locale=default_locale(app))

    @app.after_request
    def _vary(response):
        response.vary.add("Accept-Language")  # the same URL answers in the browser's language
        return response

    @app.context_processor
    def _locale():
        return {"current_locale": str(get_locale() or "en"), "supported_locales": SUPPORTED_LOCALES}

    # The shared formatting filters (both halves of the app use them; see "Formatting" below).
    app.add_template_filter(local, "local")  # replaces caseflow.dates.show's filter of the same name
    app.add_template_filter(day, "day")
    app.add_template_filter(number, "number")
    app.add_template_filter(percent, "percent")
    for name, labels in LABELS.items():
        app.add_template_filter(_labeller(labels), name)


# --- Formatting: dates, numbers and percentages for the locale, in the organisation's time zone ---
#
# Templates call `|local`, `|local('date')`, `|day`, `|number`, `|percent` (and Flask-Babel's own
# `|datetimeformat`). English keeps the forms the product has always shown (2026-11-28 21:05 EST,
# 1,234, 45%); every other locale gets Babel's forms (28 nov 2026, 21:05 EST; 1234; 45 %).


def locale_name() -> str:
    """The current locale as a string ("en" outside a request without a default)."""
    try:
        return str(get_locale() or "en")
    except RuntimeError:  # outside any app context (a script)
        return "en"


def _english() -> bool:
    return locale_name().split("_")[0] == "en"


BABEL_DATE = {"datetime": ("medium", "HH:mm"), "seconds": ("medium", "HH:mm:ss"), "date": ("medium", None)}


def local(moment: datetime | None, style: str = "datetime", empty: str = "—") -> str:
    """The `local` template filter: a stored UTC instant as the organisation reads it, in the locale.

    `style` is "datetime", "seconds", "date", "time" or a strftime pattern (kept as given)."""
    from caseflow import dates

    if moment is None:
        return empty
    if _english() or style not in (*BABEL_DATE, "time"):
        return dates.show(moment, style, empty)
    at = dates.local(moment)
    if style == "time":
        return babel_dates.format_time(at, "HH:mm:ss", locale=locale_name())
    date_format, time_format = BABEL_DATE[style]
    text = babel_dates.format_date(at.date(), date_format, locale=locale_name())
    if time_format:
        text += f", {babel_dates.format_time(at, time_format, locale=locale_name())} {at.strftime('%Z')}"
    return text


def day(moment: datetime | date | None, empty: str = "—") -> str:
    """The `day` filter: the organisation's calendar date of an instant (or a date), in the locale."""
    from caseflow import dates

    if moment is None:
        return empty
    the_day = dates.local_date(moment) if isinstance(moment, datetime) else moment
    if _english():
        return the_day.isoformat()
    return babel_dates.format_date(the_day, "medium", locale=locale_name())


def number(value, digits: int | None = None, empty: str = "—") -> str:
    """The `number` filter: 1234 → "1,234" (en) / "1234" (es); `digits` fixes the decimals."""
    if value is None:
        return empty
    if digits is None:
        return babel_numbers.format_decimal(value, locale=locale_name())
    pattern = "#,##0." + "0" * digits if digits else "#,##0"
    return babel_numbers.format_decimal(value, format=pattern, locale=locale_name())


def percent(value, digits: int = 0, empty: str = "—") -> str:
    """The `percent` filter: a share 0.45 → "45%" (en) / "45 %" (es)."""
    if value is None:
        return empty
    pattern = Locale.parse(locale_name()).percent_formats[None].pattern  # "#,##0%" / "#,##0 %"
    if digits:
        pattern = pattern.replace("#,##0", "#,##0." + "0" * digits, 1)
    return babel_numbers.format_percent(value, format=pattern, locale=locale_name())


# --- Stored codes in words: the labels pages show (CSV and the API keep the codes) ----------------

RACE_LABELS = {
    "aian": lazy_gettext("American Indian, Alaska Native, or Indigenous"),
    "asian": lazy_gettext("Asian or Asian American"),
    "black": lazy_gettext("Black, African American, or African"),
    "hispanic": lazy_gettext("Hispanic/Latina/e/o"),
    "mena": lazy_gettext("Middle Eastern or North African"),
    "nhpi": lazy_gettext("Native Hawaiian or Pacific Islander"),
    "white": lazy_gettext("White"),
    "unknown": lazy_gettext("Client doesn't know"),
    "refused": lazy_gettext("Client prefers not to answer"),
    "not_collected": lazy_gettext("Data not collected"),
}
SOURCE_LABELS = {
    "client": lazy_gettext("Client reported"),
    "staff": lazy_gettext("Staff observed"),
    "self": lazy_gettext("Client self-report"),
}
CATEGORY_LABELS = {
    "Housing": lazy_gettext("Housing"),
    "Income & Benefits": lazy_gettext("Income & Benefits"),
    "Employment": lazy_gettext("Employment"),
    "Health": lazy_gettext("Health"),
    "Immigration": lazy_gettext("Immigration"),
    "Education": lazy_gettext("Education"),
    "Justice": lazy_gettext("Justice"),
    "Utilities": lazy_gettext("Utilities"),
    "Transportation": lazy_gettext("Transportation"),
    "Food": lazy_gettext("Food"),
    "Childcare": lazy_gettext("Childcare"),
    "Safety": lazy_gettext("Safety"),
}
ROLE_LABELS = {
    "caseworker": lazy_gettext("Caseworker"),
    "organizer": lazy_gettext("Organizer"),
    "director": lazy_gettext("Director"),
    "admin": lazy_gettext("Admin"),
}
AGE_LABELS = {"under-18": lazy_gettext("Under 18"), "65-plus": lazy_gettext("65 or older")}
# Template filters: {{ code|race_label }}, {{ tag.category|category_label }}, {{ role|role_label }}…
LABELS = {
    "race_label": RACE_LABELS,
    "source_label": SOURCE_LABELS,
    "category_label": CATEGORY_LABELS,
    "role_label": ROLE_LABELS,
    "age_label": AGE_LABELS,
}


def label(labels: dict, code) -> str:
    """A stored code in the reader's words; an unknown code as it is."""
    found = labels.get(code)
    return str(found) if found is not None else ("" if code is None else str(code))


def _labeller(labels: dict):
    return lambda code: label(labels, code)


def choices(labels: dict, codes=None) -> list[tuple[str, object]]:
    """(code, lazy label) pairs for a form's choices, in the order of `codes` (default: the labels')."""
    return [(c, labels.get(c, c)) for c in (codes if codes is not None else labels)]


# --- The taxonomy's names in the locale ------------------------------------------------------------


def taxonomy_names(kind: str) -> dict[int, str]:
    """{tag or program id: its name in the current locale} for names set in that locale; read once
    per request and kept on the request (English is the default name itself: no query)."""
    from caseflow.extensions import db
    from caseflow.models import ProgramName, TagName

    locale = locale_name()
    if _english():
        return {}
    key = f"_taxonomy_names_{kind}_{locale}"
    cached = getattr(request, key, None) if has_request_context() else None
    if cached is None:
        model, column = (TagName, TagName.tag_id) if kind == "tag" else (ProgramName, ProgramName.program_id)
        rows = db.session.execute(db.select(column, model.name).where(model.locale == locale)).all()
        cached = {entity_id: name for entity_id, name in rows}
        if has_request_context():
            setattr(request, key, cached)
    return cached


def taxonomy_name(entity) -> str:
    """`tag.display_name` / `program.display_name`: the name for the current locale, else the default."""
    from caseflow.models import Tag

    return taxonomy_names("tag" if isinstance(entity, Tag) else "program").get(entity.id) or entity.name


def forget_taxonomy_names() -> None:
    """After an admin saves a translated name, this request shows it at once."""
    for kind in ("tag", "program"):
        request.__dict__.pop(f"_taxonomy_names_{kind}_{locale_name()}", None)


def in_locale_of(user_ids, message) -> dict[int, str]:
    """{user id: `message` in that user's language}: `message` is a lazy_gettext string (with its
    values), rendered in each recipient's own setting, else the organisation's default; plain text
    stays as it is. Notifications and e-mails go through this."""
    from flask_babel import force_locale

    from caseflow.extensions import db
    from caseflow.models import User

    user_ids = list(user_ids)
    if isinstance(message, str) or not user_ids:
        return {u: str(message) for u in user_ids}
    chosen = dict(db.session.execute(db.select(User.id, User.locale).where(User.id.in_(user_ids))).all())
    out, rendered = {}, {}
    for user_id in user_ids:
        locale = chosen.get(user_id) if chosen.get(user_id) in SUPPORTED_LOCALES else default_locale()
        if locale not in rendered:
            with force_locale(locale):
                rendered[locale] = str(message)
        out[user_id] = rendered[locale]
    return out


# --- A user's own language --------------------------------------------------------------------


class LanguageForm(FlaskForm):
    locale = RadioField(
        lazy_gettext("Language"),
        choices=[("", lazy_gettext("As my browser asks")), *SUPPORTED_LOCALES.items()],
        default="",
    )


# --- Pseudo-locale: every marked string visibly transformed ------------------------------------

PSEUDO_OPEN, PSEUDO_CLOSE = "⟦", "⟧"


class PseudoTranslations(NullTranslations):
    """Wraps every translated message in ⟦…⟧, so English left outside the brackets was never marked."""

    def gettext(self, message):
        return f"{PSEUDO_OPEN}{message}{PSEUDO_CLOSE}"

    def ngettext(self, singular, plural, n):
        return self.gettext(singular if n == 1 else plural)

    def pgettext(self, context, message):
        return self.gettext(message)

    def npgettext(self, context, singular, plural, n):
        return self.ngettext(singular, plural, n)

    ugettext, ungettext, upgettext, unpgettext = gettext, ngettext, pgettext, npgettext


@contextmanager
def pseudo_locale() -> Iterator[None]:
    """While open, every gettext in templates and code answers with the pseudo-locale (tests), and so
    do WTForms' own messages ("This field is required.", which WTForms' catalogs translate)."""
    import flask_babel
    import flask_wtf.i18n

    original = flask_babel.Domain.get_translations
    original_wtforms = flask_wtf.i18n._get_translations
    flask_babel.Domain.get_translations = lambda self: PseudoTranslations()
    flask_wtf.i18n._get_translations = PseudoTranslations
    try:
        yield
    finally:
        flask_babel.Domain.get_translations = original
        flask_wtf.i18n._get_translations = original_wtforms
