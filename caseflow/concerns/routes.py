from __future__ import annotations

import re
import time

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_template,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import func, select

from caseflow.accounts.permissions import can, require
from caseflow.audit.services import record
from caseflow.concerns import csvio, fields, services
from caseflow.concerns.forms import (
    ClientSearchForm,
    ConcernForm,
    DeleteForm,
    DeletionRequestForm,
    ImportForm,
    RetractForm,
)
from caseflow.dates import today
from caseflow.errors import DomainError, StaleVersion, ValidationFailed
from caseflow.extensions import db
from caseflow.i18n import RACE_LABELS, SOURCE_LABELS, label
from caseflow.models import STAFF_SOURCES, TAG_CATEGORIES, Concern, Program, Tag
from caseflow.notifications.services import what_my_concerns_became
from caseflow.suggestions.services import suggested_for_form
from caseflow.taxonomy.services import active_programs, active_tags
from caseflow.web import EmptyForm, and_join, database_id, form_errors_from, form_version

bp = Blueprint("concerns", __name__)
bp.add_app_template_filter(and_join, "and_join")
PER_PAGE = 25


@bp.app_template_filter("race_label")
def race_label(code: str) -> str:
    return label(RACE_LABELS, code)  # in the reader's words (caseflow.i18n)


def _form_raw(form: ConcernForm) -> dict:
    """The submitted form as the plain mapping parse_concern reads (the same shape as the API body)."""
    chips = request.form.getlist("tags")
    typed = [t for t in re.split(r"[;,]", form.tag_text.data or "") if t.strip()]
    return {"tags": chips + typed} | {f.name: getattr(form, f.name).data for f in fields.FORM_FIELDS}


def _prepare(form: ConcernForm, concern: Concern | None = None) -> None:
    form.program.choices = [("", gettext("Choose a program"))] + [(p.slug, p.display_name) for p in active_programs()]
    if concern is not None and concern.source == "self":  # what a client filed stays theirs
        form.source.choices = [("self", label(SOURCE_LABELS, "self"))]
        form.source.data = "self"


def _sources(concern: Concern) -> tuple[str, ...]:
    return ("self",) if concern.source == "self" else STAFF_SOURCES


def _attach(form: ConcernForm, errors: dict[str, list[str]]) -> None:
    if "tags" in errors:
        errors = dict(errors)
        errors["tag_text"] = errors.pop("tags")
    form_errors_from(form, errors)


def _has_details(form: ConcernForm) -> bool:
    return any(getattr(form, f.name).errors for f in fields.DETAIL_FIELDS)


def _details_used(data: services.ConcernInput) -> bool:
    return any(getattr(data, f.name) for f in fields.DETAIL_FIELDS)


@bp.route("/log", methods=["GET", "POST"])
@require("concern.log")
def quick_log():
    """The caseworker's home: log a concern in under a minute."""
    form = ConcernForm()
    _prepare(form)
    status = 200
    if form.validate_on_submit():
        try:
            data = services.parse_concern(_form_raw(form))
        except ValidationFailed as e:
            _attach(form, e.errors)
            status = 422
        else:
            concern = services.write_concern(current_user, data)
            # The details section stays open next time for whoever just used it.
            current_user.quick_log_details_open = _details_used(data)
            db.session.commit()
            return redirect(url_for("concerns.quick_log", saved=concern.id))
    elif request.method == "GET":
        last = db.session.get(Program, current_user.last_program_id) if current_user.last_program_id else None
        form.program.data = last.slug if last and last.active else ""
        form.occurred_on.data = today().isoformat()
    elif form.errors:
        status = 400
    saved = _saved_confirmation(database_id(request.args.get("saved")))
    chosen = request.form.getlist("tags") if request.method == "POST" else []
    return render_template(
        "concerns/quick_log.html",
        became=what_my_concerns_became(current_user),
        form=form,
        tags=active_tags(),
        chosen_tags=chosen,
        # Without JavaScript, a form sent back for want of a tag offers the likeliest ones to tick.
        suggested=suggested_for_form(form.summary.data, form.client_root_cause.data)
        if form.tag_text.errors and not chosen
        else [],
        saved=saved,
        open_details=_has_details(form) or bool(current_user.quick_log_details_open),
    ), status


def _saved_confirmation(concern_id: int | None) -> dict | None:
    if not concern_id:
        return None
    concern = db.session.get(Concern, concern_id)
    if concern is None or not services.can_view(current_user, concern):
        return None
    earlier = services.earlier_concerns_from_client(concern, current_user)
    return {"concern": concern, "nth": services.ordinal(earlier + 1) if earlier else None}


@bp.route("/concerns")
@require("concern.read_own", "concern.read_all")
def index():
    filters, errors = services.ConcernFilters.from_args(request.args)
    query = filters.apply(services.visible_concerns(current_user))
    page = db.paginate(query, page=filters.page, per_page=PER_PAGE, error_out=False, count=True)
    return render_template(
        "concerns/index.html",
        page=page,
        filters=filters,
        filter_errors=errors,
        programs=db.session.scalars(select(Program).order_by(Program.name)).all(),
        tags=db.session.scalars(select(Tag).order_by(Tag.category, Tag.name)).all(),
        categories=TAG_CATEGORIES,
        sorts=services.ConcernFilters.SORTS,
        all_concerns=can("concern.read_all"),
    )


@bp.route("/concerns/export.csv")
@require("concern.export")
def export():
    if not (can("concern.read_own") or can("concern.read_all")):
        abort(403)
    filters, _ = services.ConcernFilters.from_args(request.args)
    query = filters.apply(services.visible_concerns(current_user))
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    include_narrative = can("concern.read_narrative")
    record(
        "concern.export",
        current_user,
        object_type="concerns",
        rows=total,
        filters=filters.as_args(),
        narratives=include_narrative,
    )
    db.session.commit()
    rows = db.session.scalars(query.execution_options(yield_per=500))
    return Response(
        # Built here, while the session is open: under a real server the request's app context (and
        # with it db.session) is torn down before a streamed body is read, so streaming rows failed.
        "".join(csvio.export_rows(rows, include_narrative=include_narrative)),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=concerns.csv"},
    )


def _visible_or_404(concern_id: int) -> Concern:
    concern = db.session.get(Concern, concern_id)
    if concern is None or not services.can_view(current_user, concern):
        abort(404)  # another caseworker's concern does not exist, as far as you can tell
    return concern


@bp.route("/concerns/<int:concern_id>")
@require("concern.read_own", "concern.read_all")
def detail(concern_id: int):
    concern = _visible_or_404(concern_id)
    return render_template(
        "concerns/detail.html",
        concern=concern,
        show_narrative=services.can_see_narrative(current_user, concern),
        can_edit=services.can_edit(current_user, concern),
        can_delete=can("concern.delete"),
        can_retract=services.can_retract(current_user, concern),
        is_author=concern.author_id == current_user.id and can("concern.log"),
        deletion_request=services.open_deletion_request(concern),
        earlier=services.earlier_concerns_from_client(concern, current_user),
        earlier_list=services.earlier_from_same_client(current_user, concern),
    )


@bp.route("/concerns/<int:concern_id>/edit", methods=["GET", "POST"])
@require("concern.log", "concern.edit_any")
def edit(concern_id: int):
    concern = _visible_or_404(concern_id)
    if not services.can_edit(current_user, concern):
        abort(403)
    form = ConcernForm(obj=None)
    _prepare(form, concern)
    status = 200
    conflict = False
    if form.validate_on_submit():
        try:
            data = services.parse_concern(_form_raw(form), sources=_sources(concern))
            services.update_concern(current_user, concern, data, form_version(form.version.data))
        except ValidationFailed as e:
            db.session.rollback()
            _attach(form, e.errors)
            status = 422
        except StaleVersion as e:
            db.session.rollback()
            form.form_errors.append(e.message)
            conflict = True
            status = 409
        else:
            db.session.commit()
            flash(gettext("Concern saved."), "success")
            return redirect(url_for("concerns.detail", concern_id=concern.id))
    elif request.method == "GET":
        _fill(form, concern)
    concern = db.session.get(Concern, concern_id)
    chosen = request.form.getlist("tags") if request.method == "POST" else [t.slug for t in concern.tags]
    return render_template(
        "concerns/edit.html",
        form=form,
        concern=concern,
        tags=active_tags(),
        chosen_tags=chosen,
        conflict=conflict,
        open_details=True,
    ), status


def _fill(form: ConcernForm, c: Concern) -> None:
    for f in fields.FORM_FIELDS:
        getattr(form, f.name).data = f.form_value(c)
    form.tag_text.data = ""  # the chosen tags show as chips
    form.version.data = str(c.version)


@bp.route("/concerns/<int:concern_id>/delete", methods=["GET", "POST"])
@require("concern.delete")
def delete(concern_id: int):
    concern = db.session.get(Concern, concern_id)
    if concern is None or concern.is_deleted:
        abort(404)
    form = DeleteForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.delete_concern(current_user, concern, form.reason.data)
        except DomainError as e:
            form_errors_from(form, {e.field or "reason": [e.message]})
            status = 422
        else:
            db.session.commit()
            flash(gettext("Concern #%(id)s deleted.", id=concern.id), "success")
            return redirect(url_for("concerns.index") if can("concern.read_all") else url_for("accounts.index"))
    return render_template(
        "concerns/delete.html",
        form=form,
        concern=concern,
        request_row=services.open_deletion_request(concern),
        decline_form=EmptyForm(),
    ), status


@bp.post("/concerns/<int:concern_id>/deletion-request/decline")
@require("concern.delete")
def decline_deletion(concern_id: int):
    concern = db.session.get(Concern, concern_id)
    if concern is None or concern.is_deleted:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.decline_deletion(current_user, concern)
    except DomainError as e:
        db.session.rollback()
        flash(e.message, "error")
        return redirect(url_for("concerns.delete", concern_id=concern_id))
    db.session.commit()
    flash(gettext("Request declined: concern #%(id)s stays, and its author has been told.", id=concern.id), "success")
    return redirect(url_for("notifications.inbox"))


def _own_or_404(concern_id: int) -> Concern:
    """The current user's own live concern; anyone else's is not there for them (404)."""
    concern = _visible_or_404(concern_id)
    if concern.author_id != current_user.id:
        abort(404)
    return concern


def _withdraw_page(concern: Concern, retract_form=None, request_form=None, status: int = 200):
    return render_template(
        "concerns/retract.html",
        concern=concern,
        can_retract=services.can_retract(current_user, concern),
        retract_form=retract_form or RetractForm(formdata=None),
        request_form=request_form or DeletionRequestForm(formdata=None),
        deletion_request=services.open_deletion_request(concern),
    ), status


def _withdraw(concern_id: int, form, slot: str, verb, done: str, next_url) -> Response | tuple:
    """Post one of the withdraw page's two forms (`slot`: retract_form or request_form): a refusal
    shows the page again with what was typed and the message at the reason."""
    concern = _own_or_404(concern_id)
    if not form.validate_on_submit():
        return _withdraw_page(concern, status=400, **{slot: form})
    try:
        verb(current_user, concern, form.reason.data)
    except DomainError as e:
        db.session.rollback()
        form_errors_from(form, {e.field or "reason": [e.message]})
        return _withdraw_page(_own_or_404(concern_id), status=422, **{slot: form})
    db.session.commit()
    flash(done, "success")
    return redirect(next_url)


@bp.route("/concerns/<int:concern_id>/retract", methods=["GET", "POST"])
@require("concern.log")
def retract(concern_id: int):
    """The author takes back their own concern within 24 hours, or (later) asks a director to."""
    if request.method == "GET":
        return _withdraw_page(_own_or_404(concern_id))
    return _withdraw(
        concern_id,
        RetractForm(),
        "retract_form",
        services.retract_concern,
        gettext("Concern #%(id)s retracted.", id=concern_id),
        url_for("concerns.index"),
    )


@bp.post("/concerns/<int:concern_id>/request-deletion")
@require("concern.log")
def request_deletion(concern_id: int):
    return _withdraw(
        concern_id,
        DeletionRequestForm(),
        "request_form",
        services.request_deletion,
        gettext("Your request is with the directors; you will hear here when one decides."),
        url_for("concerns.detail", concern_id=concern_id),
    )


@bp.route("/concerns/by-client", methods=["GET", "POST"])
@require("concern.read_own", "concern.read_all")
def by_client():
    """Find a client's concerns by their reference. A POST, so the reference is in no URL or log."""
    form = ClientSearchForm()
    results = None
    status = 200
    if form.validate_on_submit():
        reference = (form.client_ref.data or "").strip()
        if not reference or "\x00" in reference or len(reference) > 200:
            form_errors_from(
                form, {"client_ref": [gettext("Type the client reference you used (up to 200 characters).")]}
            )
            status = 422
        else:
            results = services.concerns_for_client(current_user, reference)
    elif request.method == "POST":
        status = 400
    return render_template(
        "concerns/by_client.html", form=form, results=results, all_concerns=can("concern.read_all")
    ), status


@bp.route("/concerns/import", methods=["GET", "POST"])
@require("concern.import")
def import_page():
    form = ImportForm()
    report = None
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        if upload is None or not getattr(upload, "filename", ""):
            form.file.errors = [gettext("Choose a CSV file.")]
            status = 422
        else:
            actor_id = current_user.id
            report, parsed = csvio.check_import(upload.read(), dry_run=form.dry_run.data)
            if report.ok and not form.dry_run.data:
                return _stream_import(actor_id, report, parsed)
            status = 200 if report.ok else 422
    return render_template(
        "concerns/import.html", form=form, report=report, columns=fields.NAMES, required=fields.REQUIRED
    ), status


def _stream_import(actor_id: int, report: csvio.ImportReport, parsed: list) -> Response:
    """The checked rows written chunk by chunk while the page streams a progress bar (rows done of
    the total, rows/s, time left) — plain HTML, no script. All or nothing still: if writing fails
    or the browser goes away, the chunks already written are taken out again. The rows are written
    as the page is sent: no transaction is open until then."""
    total = len(parsed)
    outcome = {"failed": False}

    def steps():
        started = time.monotonic()
        try:
            for done, _ in csvio.write_in_chunks(actor_id, report, parsed):
                rate = done / max(time.monotonic() - started, 1e-6)
                yield {
                    "done": done,
                    "percent": done * 100 // max(total, 1),
                    "rate": round(rate),
                    "left": round((total - done) / rate) if rate else 0,
                }
        except Exception:
            current_app.logger.exception("web import failed; the rows written were taken out again")
            outcome["failed"] = True

    return Response(
        stream_template("concerns/import_progress.html", report=report, steps=steps(), total=total, outcome=outcome)
    )
