"""The page where a user chooses the language of their pages (blueprint "i18n": url_for("i18n.language"))."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from caseflow.accounts.permissions import require
from caseflow.i18n import LanguageForm

bp = Blueprint("i18n", __name__)


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
