"""Languages: Flask-Babel wired once, the locale chosen for each request, and a pseudo-locale.

The locale is the user's own setting, then an explicit `?lang=` (the public pages' language links),
then the browser's Accept-Language, then CASEFLOW_DEFAULT_LOCALE. Catalogs live in
caseflow/translations (babel.cfg at the repository root; `make install` compiles them).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from babel.support import NullTranslations
from flask import Blueprint, Flask, current_app, flash, has_request_context, redirect, render_template, request, url_for
from flask_babel import Babel, get_locale, lazy_gettext
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import RadioField

from caseflow.accounts.permissions import require

SUPPORTED_LOCALES = {"en": "English", "es": "Español"}  # each named in its own language
TRANSLATIONS = Path(__file__).resolve().parent / "translations"

babel = Babel()
bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    if not has_request_context():  # services run by the scheduler, the CLI and tests: the organisation's default
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


# --- A user's own language --------------------------------------------------------------------


class LanguageForm(FlaskForm):
    locale = RadioField(
        lazy_gettext("Language"),
        choices=[("", lazy_gettext("As my browser asks")), *SUPPORTED_LOCALES.items()],
        default="",
    )


@bp.route("/account/language", methods=["GET", "POST"])
@require("account.self")
def language():
    from caseflow.audit.services import record
    from caseflow.extensions import db

    form = LanguageForm(locale=current_user.locale or "")
    if form.validate_on_submit():
        current_user.locale = form.locale.data or None
        record("account.locale", current_user, current_user, locale=current_user.locale or "")
        db.session.commit()
        from flask_babel import gettext, refresh

        refresh()
        flash(gettext("Your language is saved."), "success")
        return redirect(url_for("i18n.language"))
    return render_template("accounts/language.html", form=form)


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
    """While open, every gettext in templates and code answers with the pseudo-locale (tests)."""
    import flask_babel

    original = flask_babel.Domain.get_translations
    flask_babel.Domain.get_translations = lambda self: PseudoTranslations()
    try:
        yield
    finally:
        flask_babel.Domain.get_translations = original
