from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select

from caseflow import charts
from caseflow.accounts.permissions import can, require
from caseflow.audit.services import record
from caseflow.dates import today
from caseflow.errors import DomainError, StaleVersion, ValidationFailed
from caseflow.extensions import db
from caseflow.models import QuarterlySummary
from caseflow.reflection import self_assessment, services, words
from caseflow.reflection.forms import BuildForm, CommentaryForm, SignOffForm, self_assessment_form
from caseflow.reflection.quarters import Quarter
from caseflow.reflection.summary import today_quarter
from caseflow.web import form_errors_from, neutralise

bp = Blueprint("reflection", __name__)


def _quarter_or_404(label: str) -> Quarter:
    q = Quarter.parse(label, current_app.config["FISCAL_YEAR_START_MONTH"])
    if q is None:
        abort(404)
    return q


@bp.route("/summaries", methods=["GET", "POST"])
@require("summary.read")
def summaries():
    current = today_quarter(today())
    form = BuildForm(data={"quarter": current.previous().label})
    if form.validate_on_submit() and can("summary.sign_off"):
        q = Quarter.parse((form.quarter.data or "").strip(), current_app.config["FISCAL_YEAR_START_MONTH"])
        if q is None or q.start > today():
            form.quarter.errors.append(gettext("Give a quarter that has started, like 2026-Q3."))
        else:
            existing = services.get_summary(q.label)
            if existing is None:
                services.ensure_summary(q, current_user)
                done = gettext("Summary for %(quarter)s built.", quarter=q.label)
            elif existing.is_signed_off:
                done = gettext("Summary for %(quarter)s is signed off and stays as it was.", quarter=q.label)
            else:
                services.rebuild(existing, current_user)
                done = gettext("Summary for %(quarter)s rebuilt from the data as it is now.", quarter=q.label)
            db.session.commit()
            flash(done, "success")
            return redirect(url_for("reflection.summary", quarter=q.label))
    rows = db.session.scalars(select(QuarterlySummary).order_by(QuarterlySummary.quarter.desc())).all()
    return render_template("reflection/summaries.html", summaries=rows, form=form, current=current)


@bp.route("/summaries/<quarter>")
@require("summary.read")
def summary(quarter: str):
    return _render(*_stored_or_404(quarter), print_view=False)


@bp.route("/summaries/<quarter>/print")
@require("summary.read")
def summary_print(quarter: str):
    return _render(*_stored_or_404(quarter), print_view=True)


def _stored_or_404(quarter: str) -> tuple[QuarterlySummary, Quarter]:
    q = _quarter_or_404(quarter)
    stored = services.get_summary(q.label)
    if stored is None:
        abort(404)
    return stored, q


def _render(stored: QuarterlySummary, q: Quarter, *, print_view: bool, commentary_form=None, status: int = 200):
    data = stored.data
    previous = services.get_summary(q.previous().label)
    return render_template(
        "reflection/summary.html",
        s=stored,
        d=data,
        q=q,
        previous=previous,
        print_view=print_view,
        commentary=commentary_form or CommentaryForm(data={"commentary": stored.commentary, "version": stored.version}),
        sign_off=SignOffForm(data={"version": stored.version}),
        sign_off_refusal=services.sign_off_refusal(stored),
        words=words.template_words(),
        category_chart=charts.bar_chart(
            [(words.category(r["label"]), r["count"]) for r in data["by_category"]],
            gettext("Concerns by issue category"),
        ),
        program_chart=charts.bar_chart(
            [(r["label"], r["count"]) for r in data["by_program"]], gettext("Concerns by program")
        ),
        step_chart=charts.bar_chart(
            [(words.step(r["step"]), r["count"]) for r in data["campaigns"]["by_step"]],
            gettext("Active campaigns by step"),
        ),
        pattern_chart=charts.bar_chart(
            [(p["title"], p["count"]) for p in data["patterns"]["top"]], gettext("Largest patterns (concerns)")
        ),
        action_chart=charts.bar_chart(
            [(words.action_kind(k["kind"]), k["count"]) for k in data["actions"]["by_kind"]],
            gettext("Organizing actions by kind"),
        ),
        assessment_chart=charts.paired_bar_chart(
            [(words.short(i), i["this"], i["previous"]) for i in data["self_assessment"]["items"]],
            gettext("Self-assessment: this quarter against the last (0 not started – 3 integrated)"),
            series=(data["quarter"], data["previous_quarter"]),
            value_format="{:.1f}",
            suppressed_label=gettext(
                "fewer than %(min_responses)s", min_responses=self_assessment.MIN_RESPONSES
            ),  # averages need 3 responses
        ),
    ), status


@bp.route("/summaries/<quarter>/commentary", methods=["POST"])
@require("summary.sign_off")
def commentary(quarter: str):
    stored, q = _stored_or_404(quarter)
    form = CommentaryForm()
    if form.validate_on_submit():
        try:
            services.set_commentary(current_user, stored, form.commentary.data, form.version.data)
        except (StaleVersion, DomainError) as e:
            db.session.rollback()
            stored = services.get_summary(q.label)
            form.version.data = stored.version  # "review and save again" must be able to succeed
            form_errors_from(form, {"commentary": [e.message]})
            return _render(stored, q, print_view=False, commentary_form=form, status=e.status)
        db.session.commit()
        flash(gettext("Commentary saved."), "success")
        return redirect(url_for("reflection.summary", quarter=q.label))
    return _render(stored, q, print_view=False, commentary_form=form, status=422)


@bp.route("/summaries/<quarter>/sign-off", methods=["POST"])
@require("summary.sign_off")
def sign_off(quarter: str):
    stored, q = _stored_or_404(quarter)
    form = SignOffForm()
    if form.validate_on_submit():
        try:
            services.sign_off(current_user, stored, form.version.data)
        except DomainError as e:
            db.session.rollback()
            flash(e.message, "error")
        else:
            db.session.commit()
            flash(gettext("%(label)s signed off. The summary is now read-only.", label=q.label), "success")
    return redirect(url_for("reflection.summary", quarter=q.label))


CSV_TABLES = (
    "comparison",
    "by_category",
    "by_program",
    "by_zip",
    "equity",
    "campaign_moves",
    "actions",
    "overdue_follow_ups",
    "self_assessment",
)


def _shown(row: dict, which: str):
    """A number as stored, or its display ("<11") when it was published without one."""
    return row[which] if row[which] is not None else row.get(f"{which}_display")


def csv_rows(data: dict, table: str) -> list[list]:
    """A summary table as CSV rows; suppressed cells stay suppressed (they were stored that way)."""
    if table == "comparison":
        return [["measure", data["quarter"], data["previous_quarter"], "change"]] + [
            [r["label"], _shown(r, "this"), _shown(r, "previous"), r["change"]] for r in data["comparison"]
        ]
    if table in ("by_category", "by_program", "by_zip"):
        return [["label", "concerns"]] + [[r["label"], r["display"]] for r in data[table]]
    if table == "equity":
        groups = data["equity"]["groups"]
        return [["category"] + [g["label"] for g in groups]] + [
            [r["category"], *r["cells"]] for r in data["equity"]["rows"]
        ]
    if table == "campaign_moves":
        return [["campaign", "from", "to", "direction", "on", "note"]] + [
            [m["campaign"], m["from"], m["to"], m["direction"], m["on"], m["note"]] for m in data["campaigns"]["moves"]
        ]
    if table == "actions":
        a = data["actions"]
        return (
            [["kind", "actions"]]
            + [[k["kind"], k["count"]] for k in a["by_kind"]]
            + [
                ["all actions", a["actions"]],
                ["staff participants", a["staff_participants"]],
                ["constituent participants", a["constituent_participants"]],
                ["new leaders", a.get("new_leaders_display", a["new_leaders"])],
            ]
        )
    if table == "overdue_follow_ups":
        return [["campaign", "follow-up", "owner", "due"]] + [
            [i["campaign"], i["description"], i["owner"], i["due_on"]] for i in data["overdue_follow_ups"]["items"]
        ]
    return [["group", "item", data["quarter"], data["previous_quarter"], "change"]] + [
        [i["group"], i["statement"], i["this"], i["previous"], i["change"]] for i in data["self_assessment"]["items"]
    ]


@bp.route("/summaries/<quarter>/<table>.csv")
@require("summary.read")
def summary_csv(quarter: str, table: str):
    stored, q = _stored_or_404(quarter)
    if table not in CSV_TABLES:
        abort(404)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in csv_rows(stored.data, table):
        writer.writerow([neutralise("" if v is None else v) for v in row])
    record("summary.export", current_user, stored, table=table)
    db.session.commit()
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=caseflow-{q.label}-{table}.csv"},
    )


@bp.route("/summaries/<quarter>/summary.pdf")
@require("summary.read")
def summary_pdf(quarter: str):
    """The signed summary for the board, made on the server (no browser needed)."""
    from caseflow.reflection.printout import summary_pdf as render_pdf

    stored, q = _stored_or_404(quarter)
    if not stored.is_signed_off:
        abort(404)  # only what the director signed leaves the building as a PDF
    body = render_pdf(stored, q, current_app.config["ORG_NAME"])
    record("summary.export", current_user, stored, table="pdf")
    db.session.commit()
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f"attachment; filename=caseflow-summary-{q.label}.pdf"},
    )


@bp.route("/self-assessment", methods=["GET", "POST"])
@require("self_assessment.take")
def self_assessment_page():
    q = today_quarter(today())
    form = self_assessment_form(request.form if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.validate():
        ratings = {key: getattr(form, key).data for key in self_assessment.ITEM_KEYS}
        try:
            self_assessment.submit(current_user, q.label, ratings, anonymous=form.anonymous.data)
        except ValidationFailed as e:
            form_errors_from(form, e.errors)
            status = 422
        except DomainError as e:
            db.session.rollback()
            form_errors_from(form, {"anonymous": [e.message]})
            status = e.status
        else:
            db.session.commit()
            flash(gettext("Thank you: your assessment for %(label)s is recorded.", label=q.label), "success")
            return redirect(url_for("reflection.self_assessment_page"))
    labels = [q.label]
    for _ in range(5):
        labels.append(Quarter.parse(labels[-1], q.start_month).previous().label)
    labels.reverse()
    means = self_assessment.averages(labels)
    overall = [(label, (sum(means[label].values()) / len(means[label])) if means[label] else None) for label in labels]
    roles_now = self_assessment.by_role(q.label)
    roles_before = self_assessment.by_role(q.previous().label)
    return render_template(
        "reflection/self_assessment.html",
        answered=self_assessment.taken(current_user, q.label),
        last=self_assessment.last_answered(current_user),
        min_responses=self_assessment.MIN_RESPONSES,
        roles_now=roles_now,
        roles_before=roles_before,
        previous=q.previous(),
        role_chart=charts.paired_bar_chart(
            [(r["label"], r["average"], b["average"]) for r, b in zip(roles_now, roles_before, strict=True)],
            gettext("Average by role (0–3): %(label)s and %(label2)s", label=q.label, label2=q.previous().label),
            series=(q.label, q.previous().label),
            value_format="{:.2f}",
            suppressed_label=gettext("fewer than %(min_responses)s", min_responses=self_assessment.MIN_RESPONSES),
        ),
        form=form,
        q=q,
        items=self_assessment.ITEMS,
        levels=self_assessment.LEVELS,
        labels=labels,
        means=means,
        trend=charts.trend_chart(overall, gettext("Average across all items, by quarter (0–3)"), y_max=3),
        overall=overall,
        respondents=self_assessment.respondents(q.label),
    ), status
