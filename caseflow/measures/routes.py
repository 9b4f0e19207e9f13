"""Measures pages: the library, one measure's progress, entering values (form and CSV), and the
board's progress report (PDF and CSV) made from a stored quarterly summary."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from caseflow import charts, i18n
from caseflow.accounts.permissions import can, require
from caseflow.audit.services import record
from caseflow.concerns.csvio import neutralise
from caseflow.equity.policy import for_viewer
from caseflow.errors import DomainError, ValidationFailed
from caseflow.extensions import db
from caseflow.measures import csvio, derived, progress, report, services
from caseflow.measures.forms import ImportForm, MeasureForm, ValueForm
from caseflow.models import DIMENSIONS, DIRECTIONS, FREQUENCIES, Campaign, Measure
from caseflow.models.measure import scope_key
from caseflow.web import add_missing_errors, database_id

bp = Blueprint("measures", __name__, url_prefix="/measures")
bp.add_app_template_global(report.table_row, "measure_table_row")
bp.add_app_template_global(services.group_label, "measure_group_label")
bp.add_app_template_filter(lambda code: i18n.label(DIRECTIONS, code), "direction_label")
bp.add_app_template_filter(lambda code: i18n.label(FREQUENCIES, code), "frequency_label")
bp.add_app_template_global(report.gap_sentence, "measure_gap_sentence")


def _measure_or_404(measure_id: int) -> Measure:
    return db.get_or_404(Measure, measure_id)


@bp.get("/")
@require("measure.read")
def index():
    rows = [{"measure": m, "campaigns": used} for m, used in services.library_with_campaigns()]
    return render_template("measures/index.html", rows=rows, dimensions=DIMENSIONS)


@bp.route("/new", methods=["GET", "POST"])
@require("measure.manage")
def new():
    form = MeasureForm()
    form.derived.choices = [("", gettext("No: values are entered"))] + [
        (k, d.label) for k, d in derived.DERIVED.items()
    ]
    status = 200
    if request.method == "POST":
        form.validate()
        try:
            measure = services.create_measure(current_user, form.raw())
        except ValidationFailed as e:
            db.session.rollback()
            add_missing_errors(form, e.errors)
            status = 422
        else:
            db.session.commit()
            flash(gettext("“%(name)s” added to the library.", name=measure.name), "success")
            return redirect(url_for("measures.detail", measure_id=measure.id))
    return render_template("measures/new.html", form=form), status


def _scope_from(measure: Measure) -> tuple[int | None, list]:
    used = services.campaigns_using(measure)
    campaign_id = database_id(request.args.get("campaign"))
    if campaign_id is not None and campaign_id not in {c.id for c, _ in used}:
        abort(404)
    return campaign_id, used


def _value_form(measure: Measure, campaign_id: int | None, form: ValueForm | None = None) -> ValueForm:
    form = form or ValueForm(formdata=None, data={"campaign": campaign_id or ""})
    form.dimension.choices = [("all", gettext("Everyone"))] + [(d, DIMENSIONS[d]) for d in measure.dimensions]
    return form


def render_detail(measure: Measure, campaign_id: int | None, used, *, form=None, status: int = 200):
    disclosure = for_viewer()
    p = progress.progress(measure, campaign_id, disclosure, dimension=request.args.get("by"))
    labels = [d.isoformat() for d in p.dates]
    series = p.series()
    references = []
    if p.pick is not None:
        if p.pick.baseline is not None:
            references.append(
                (gettext("Baseline %(value)s", value=progress.fmt(p.pick.baseline, measure.unit)), p.pick.baseline)
            )
        if p.pick.target is not None:
            references.append(
                (gettext("Target %(value)s", value=progress.fmt(p.pick.target, measure.unit)), p.pick.target)
            )
    by_label = str(DIMENSIONS.get(p.dimension, p.dimension)).lower() if p.dimension != "all" else gettext("everyone")
    value_chart = charts.series_chart(
        labels,
        series,
        gettext("%(name)s: by %(by_label)s over time", name=measure.name, by_label=by_label),
        references=references,
        y_label=measure.unit,
        suppressed_label=disclosure.label,
        chart_id="measure-values",
    )
    gap_chart = charts.line_chart(
        [(g.on.isoformat(), g.value) for g in p.gaps],
        gettext("Gap between groups over time (%(unit)s)", unit=measure.unit or gettext("value")),
        y_label=measure.unit,
        value_format="{:,g}",
        chart_id="measure-gap",
    )
    show_history = can("measure.record") and not measure.derived
    return render_template(
        "measures/detail.html",
        measure=measure,
        p=p,
        used=used,
        campaign_id=campaign_id,
        campaign=db.session.get(Campaign, campaign_id) if campaign_id else None,
        value_chart=value_chart,
        gap_chart=gap_chart,
        totals_chart=charts.line_chart(
            [(pt.on.isoformat(), pt.value) for pt in p.totals],
            gettext("%(name)s: everyone", name=measure.name),
            y_label=measure.unit,
            value_format="{:,g}",
            suppressed_label=disclosure.label,
            chart_id="measure-totals",
        )
        if p.dimension != "all"
        else None,
        history=services.history(measure, scope_key(campaign_id)) if show_history else [],
        show_history=show_history,
        form=_value_form(measure, campaign_id, form) if can("measure.record") and not measure.derived else None,
        dimensions=DIMENSIONS,
        fmt=progress.fmt,
        group_codes=sorted({code for d in measure.dimensions for code, _ in services.group_choices(d)}),
        derived_spec=derived.DERIVED.get(measure.derived),
    ), status


@bp.get("/<int:measure_id>")
@require("measure.read")
def detail(measure_id: int):
    measure = _measure_or_404(measure_id)
    campaign_id, used = _scope_from(measure)
    return render_detail(measure, campaign_id, used)


@bp.post("/<int:measure_id>/values")
@require("measure.record")
def add_value(measure_id: int):
    measure = _measure_or_404(measure_id)
    form = _value_form(measure, None, ValueForm())
    used = services.campaigns_using(measure)
    campaign_id = database_id(form.campaign.data)
    form.validate()
    try:
        row = services.record_value(current_user, measure, form.raw())
    except ValidationFailed as e:
        db.session.rollback()
        add_missing_errors(form, e.errors)
        return render_detail(
            measure, campaign_id if campaign_id in {c.id for c, _ in used} else None, used, form=form, status=422
        )
    except DomainError as e:
        db.session.rollback()
        add_missing_errors(form, {e.field or "value": [e.message]})
        if isinstance(e, services.AlreadyRecorded):
            # a correction sent from this page corrects what the person has now been shown, and a
            # later correction by someone else in between is a 409 again, never a silent replacement
            form.revision.data = str(e.revision)
        return render_detail(
            measure, campaign_id if campaign_id in {c.id for c, _ in used} else None, used, form=form, status=e.status
        )
    db.session.commit()
    what = (
        gettext("Correction recorded; the earlier value stays in the history.")
        if row.revision > 1
        else gettext("Value recorded.")
    )
    flash(what, "success")
    return redirect(url_for("measures.detail", measure_id=measure.id, campaign=row.campaign_id) + "#values")


@bp.route("/import", methods=["GET", "POST"])
@require("measure.record")
def import_page():
    form = ImportForm()
    result = None
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        if upload is None or not getattr(upload, "filename", ""):
            form.file.errors = [gettext("Choose a CSV file.")]
            status = 422
        else:
            result = csvio.import_values(current_user, upload.read(), dry_run=form.dry_run.data)
            if result.ok and not form.dry_run.data:
                db.session.commit()
                flash(gettext("Recorded %(created)s values.", created=result.created), "success")
            else:
                db.session.rollback()
                status = 200 if result.ok else 422
    elif request.method == "POST":
        status = 422
    return render_template("measures/import.html", form=form, report=result, columns=csvio.IMPORT_COLUMNS), status


# --- The board's progress report, from a stored summary ------------------------------------------


def _stored_or_404(quarter: str):
    from caseflow.reflection.quarters import Quarter
    from caseflow.reflection.services import get_summary

    q = Quarter.parse(quarter, current_app.config["FISCAL_YEAR_START_MONTH"])
    stored = get_summary(q.label) if q else None
    if stored is None:
        abort(404)
    return stored, q


@bp.get("/report/<quarter>.pdf")
@require("summary.read")
def report_pdf(quarter: str):
    stored, q = _stored_or_404(quarter)
    if not stored.is_signed_off:
        abort(404)  # like the summary's PDF: only what the director signed leaves as a PDF
    body = report.progress_pdf(stored, current_app.config["ORG_NAME"])
    record("summary.export", current_user, stored, table="progress report pdf")
    db.session.commit()
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f"attachment; filename=caseflow-progress-report-{q.label}.pdf"},
    )


@bp.get("/report/<quarter>.csv")
@require("summary.read")
def report_csv(quarter: str):
    stored, q = _stored_or_404(quarter)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in report.csv_rows(stored):
        # numbers cannot be formulas: only text is neutralised (a change of -4 stays a number)
        writer.writerow(["" if v is None else v if isinstance(v, int | float) else neutralise(v) for v in row])
    record("summary.export", current_user, stored, table="progress report csv")
    db.session.commit()
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=caseflow-progress-report-{q.label}.csv"},
    )
