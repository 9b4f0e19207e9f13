from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user
from sqlalchemy import select

from caseflow.accounts.permissions import require
from caseflow.errors import ValidationFailed
from caseflow.extensions import db
from caseflow.i18n import CATEGORY_LABELS, forget_taxonomy_names, label
from caseflow.models import Program, Tag
from caseflow.taxonomy import services
from caseflow.taxonomy.forms import MergeForm, ProgramForm, RenameForm, TagForm
from caseflow.web import form_errors_from

bp = Blueprint("taxonomy", __name__, url_prefix="/taxonomy")


def _slug_for(form) -> str:
    """The slug typed, or one made from the name; shown back in the field either way."""
    slug = (form.slug.data or "").strip() or services.slugify(form.name.data or "")
    form.slug.data = slug
    return slug


def _all_errors(form, model) -> bool:
    """Validate the form and the service's rules together, so every problem shows at once (a
    duplicate slug is reported with an empty name, not after it is fixed). True when all is well."""
    form.validate()
    slug = _slug_for(form)
    if "csrf_token" not in form.errors:
        for name, messages in services.problems(model, slug, form.name.data or "").items():
            if name == "slug" and not slug:
                continue  # nothing typed at all: the name's error says it; the slug comes from the name
            if not getattr(form, name).errors:  # one message per field: the form's own wording wins
                form_errors_from(form, {name: messages})
    return not form.errors


@bp.route("/", methods=["GET", "POST"])
@require("taxonomy.manage")
def index():
    program_form = ProgramForm(prefix="program")
    tag_form = TagForm(prefix="tag")
    status = 200
    submitted = request.form if request.method == "POST" else {}
    if "program-slug" in submitted and _all_errors(program_form, Program):
        try:
            program = services.create_program(current_user, program_form.slug.data, program_form.name.data)
        except ValidationFailed as e:
            db.session.rollback()
            form_errors_from(program_form, e.errors)
        else:
            db.session.commit()
            flash(gettext("Program %(name)s created.", name=program.name), "success")
            return redirect(url_for("taxonomy.index"))
    elif "tag-slug" in submitted and _all_errors(tag_form, Tag):
        try:
            tag = services.create_tag(
                current_user, tag_form.slug.data, tag_form.name.data, tag_form.category.data, tag_form.description.data
            )
        except ValidationFailed as e:
            db.session.rollback()
            form_errors_from(tag_form, e.errors)
        else:
            db.session.commit()
            flash(gettext("Tag %(name)s created.", name=tag.name), "success")
            return redirect(url_for("taxonomy.index"))
    if any(f.errors or f.form_errors for f in (program_form, tag_form)):
        status = 422
    programs = db.session.scalars(select(Program).order_by(Program.name)).all()
    tags = db.session.scalars(select(Tag).order_by(Tag.category, Tag.name)).all()
    merge = MergeForm()
    merge.source.choices = merge.target.choices = [
        (t.slug, f"{t.display_name} ({label(CATEGORY_LABELS, t.category)})") for t in tags if t.active
    ]
    return render_template(
        "taxonomy/index.html", merge=merge, program_form=program_form, tag_form=tag_form, programs=programs, tags=tags
    ), status


def _edit(model, obj_id: int, kind: str):
    obj = db.get_or_404(model, obj_id)
    form = RenameForm(
        data={
            "name": obj.name,
            "name_es": services.local_name(obj, "es"),
            "active": obj.active,
            "category": getattr(obj, "category", None),
        }
    )
    if form.validate_on_submit():
        try:
            services.update(
                current_user,
                obj,
                name=form.name.data,
                active=form.active.data,
                category=form.category.data if kind == "tag" else None,
            )
            services.set_local_name(current_user, obj, "es", form.name_es.data)
        except ValidationFailed as e:
            db.session.rollback()
            form_errors_from(form, e.errors)
        else:
            db.session.commit()
            forget_taxonomy_names()
            flash(gettext("%(name)s saved.", name=obj.display_name), "success")
            return redirect(url_for("taxonomy.index"))
    return render_template("taxonomy/edit.html", form=form, obj=obj, kind=kind)


@bp.route("/programs/<int:program_id>", methods=["GET", "POST"])
@require("taxonomy.manage")
def program_edit(program_id: int):
    return _edit(Program, program_id, "program")


@bp.route("/tags/<int:tag_id>", methods=["GET", "POST"])
@require("taxonomy.manage")
def tag_edit(tag_id: int):
    return _edit(Tag, tag_id, "tag")


@bp.route("/tags/merge", methods=["POST"])
@require("taxonomy.manage")
def tag_merge():
    form = MergeForm()
    if form.validate_on_submit():
        source = db.session.scalar(select(Tag).where(Tag.slug == form.source.data))
        target = db.session.scalar(select(Tag).where(Tag.slug == form.target.data))
        if source is None or target is None:
            flash(gettext("Choose two existing tags to merge."), "error")
        else:
            try:
                moved = services.merge_tags(current_user, source, target)
            except ValidationFailed as e:
                db.session.rollback()
                flash(" ".join(m for ms in e.errors.values() for m in ms), "error")
            else:
                db.session.commit()
                flash(
                    ngettext(
                        "Merged %(source)s into %(target)s: %(num)d concern moved.",
                        "Merged %(source)s into %(target)s: %(num)d concerns moved.",
                        moved,
                        source=source.display_name,
                        target=target.display_name,
                    ),
                    "success",
                )
    return redirect(url_for("taxonomy.index"))
