"""Suggestions for the quick log (JSON, for its script) and the organizer's emerging themes."""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user

from caseflow.accounts.permissions import require
from caseflow.equity.policy import for_viewer
from caseflow.errors import DomainError, ValidationFailed
from caseflow.extensions import db
from caseflow.models import EmergingTheme
from caseflow.suggestions import services
from caseflow.suggestions.forms import ThemeDismissForm, ThemeTagForm
from caseflow.taxonomy.services import slugify
from caseflow.web import form_errors_from

bp = Blueprint("suggestions", __name__)


@bp.get("/suggestions/tags")
@require("concern.log")
def suggest_tags():
    """The quick log's suggestions as its summary is typed (same answer as the API's)."""
    try:
        text, limit = services.parse_request(request.args)
    except ValidationFailed as e:
        return jsonify(errors=e.errors), 422
    exclude = frozenset(request.args.getlist("chosen"))
    answer = services.suggest(text, limit, exclude=exclude).as_json()
    return jsonify(answer | {"suggestions": services.in_reader_words(answer["suggestions"])})


def _forms(themes, submitted: tuple[int, ThemeTagForm] | None = None) -> dict[int, ThemeTagForm]:
    forms = {}
    for view in themes:
        theme = view.theme
        if submitted and submitted[0] == theme.id:
            forms[theme.id] = submitted[1]
            continue
        form = ThemeTagForm(prefix=f"theme{theme.id}", formdata=None)
        form.name.data = " ".join(theme.keywords[:2]).capitalize()
        form.version.data = theme.version
        forms[theme.id] = form
    return forms


def _page(submitted=None, status: int = 200):
    themes = services.open_themes(for_viewer())
    return render_template(
        "suggestions/emerging.html",
        themes=themes,
        forms=_forms(themes, submitted),
        dismiss=ThemeDismissForm(formdata=None),
        disclosure=for_viewer(),
        model=services.model_status(),
        window_days=services.THEME_WINDOW_DAYS,
    ), status


@bp.get("/emerging")
@require("pattern.manage")
def emerging():
    return _page()


@bp.post("/emerging/<int:theme_id>/tag")
@require("pattern.manage")
def tag_theme(theme_id: int):
    theme = db.get_or_404(EmergingTheme, theme_id)
    form = ThemeTagForm(prefix=f"theme{theme.id}")
    if form.validate_on_submit():
        try:
            tag, moved = services.tag_from_theme(
                current_user,
                theme,
                slug=form.slug.data or slugify(form.name.data),
                name=form.name.data,
                category=form.category.data,
                description=form.description.data or "",
                version=form.version.data,
            )
        except DomainError as e:
            db.session.rollback()
            if isinstance(e, ValidationFailed):
                form_errors_from(form, e.errors)
                return _page((theme_id, form), 422)
            flash(e.message, "error")
            return _page(status=e.status)
        db.session.commit()
        flash(
            ngettext(
                "Tag “%(name)s” created and put on %(num)d concern.",
                "Tag “%(name)s” created and put on %(num)d concerns.",
                moved,
                name=tag.display_name,
            ),
            "success",
        )
        return redirect(url_for("suggestions.emerging"))
    return _page((theme_id, form), 400 if form.errors else 200)


@bp.post("/emerging/<int:theme_id>/dismiss")
@require("pattern.manage")
def dismiss_theme(theme_id: int):
    theme = db.get_or_404(EmergingTheme, theme_id)
    form = ThemeDismissForm()
    if form.validate_on_submit():
        try:
            services.dismiss_theme(current_user, theme, form.version.data)
        except DomainError as e:
            db.session.rollback()
            flash(e.message, "error")
            return _page(status=e.status)
        db.session.commit()
        flash(gettext("Theme dismissed; its concerns will not be suggested as a theme again."), "success")
    return redirect(url_for("suggestions.emerging"))
