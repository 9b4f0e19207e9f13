"""The public self-report page (no login) and the triage queue (caseworkers and organizers)."""

from __future__ import annotations

import segno
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from caseflow.accounts.permissions import public, require
from caseflow.errors import StaleVersion, ValidationFailed
from caseflow.extensions import db
from caseflow.models import SelfReport
from caseflow.selfreport import services
from caseflow.selfreport.forms import RACE_CHOICES, ConfirmForm, DeclineForm, SelfReportForm
from caseflow.taxonomy.services import active_programs, active_tags
from caseflow.web import form_errors_from

bp = Blueprint("selfreport", __name__)


def _locale() -> str:
    return str(get_locale() or "en")


@bp.route("/tell-us", methods=["GET", "POST"])
@public
def tell_us():
    form = SelfReportForm()
    address = request.remote_addr or ""
    if request.method == "POST":
        if services.over_budget(address):
            message = _(
                "We have received many reports from this connection in the last hour. Please try again later, or talk to a caseworker."
            )
            return render_template("selfreport/tell_us.html", form=form, budget_message=message), 429
        if form.validate_on_submit():
            if form.website.data:  # the honeypot: count it against the budget, store nothing
                services.note_attempt(address)
                db.session.commit()
                return redirect(url_for("selfreport.thanks", lang=_locale()))
            try:
                data = services.parse_self_report(form.data)
            except ValidationFailed as e:
                form_errors_from(form, e.errors)
            else:
                services.note_attempt(address)
                services.file_report(data, _locale())
                db.session.commit()
                return redirect(url_for("selfreport.thanks", lang=_locale()))
    return render_template("selfreport/tell_us.html", form=form)


@bp.route("/tell-us/thanks")
@public
def thanks():
    return render_template("selfreport/thanks.html")


@bp.route("/tell-us/poster")
@public
def poster():
    """A page to print for the waiting room: the link and its QR code, drawn here as SVG."""
    link = url_for("selfreport.tell_us", _external=True)
    qr = segno.make(link, error="m")
    svg = qr.svg_inline(scale=8, title=_("QR code for %(link)s", link=link), omitsize=True)
    return render_template("selfreport/poster.html", link=link, qr_svg=Markup(svg))  # noqa: S704 (segno's own SVG)


# --- Triage -----------------------------------------------------------------------------------


@bp.route("/self-reports")
@require("self_report.triage")
def queue():
    reports = db.session.scalars(services.open_reports()).all()
    return render_template(
        "selfreport/queue.html", reports=reports, decided=services.recently_decided(), race=dict(RACE_CHOICES)
    )


def _triage_forms(report: SelfReport) -> tuple[ConfirmForm, DeclineForm]:
    confirm = ConfirmForm(prefix="confirm")
    confirm.program.choices = [("", _("Choose a program"))] + [(p.slug, p.display_name) for p in active_programs()]
    confirm.tags.choices = [(t.slug, t.display_name) for t in active_tags()]
    return confirm, DeclineForm(prefix="decline")


def _report_or_404(report_id: int) -> SelfReport:
    return db.get_or_404(SelfReport, report_id)


def _detail(report, confirm, decline, status: int = 200):
    return render_template(
        "selfreport/detail.html", report=report, confirm=confirm, decline=decline, race=dict(RACE_CHOICES)
    ), status


@bp.route("/self-reports/<int:report_id>")
@require("self_report.triage")
def detail(report_id: int):
    report = _report_or_404(report_id)
    return _detail(report, *_triage_forms(report))


@bp.route("/self-reports/<int:report_id>/confirm", methods=["POST"])
@require("self_report.triage")
def confirm(report_id: int):
    report = _report_or_404(report_id)
    confirm_form, decline_form = _triage_forms(report)
    if not confirm_form.validate_on_submit():
        return _detail(report, confirm_form, decline_form, 400)
    try:
        concern = services.confirm_report(current_user, report, confirm_form.program.data, confirm_form.tags.data)
    except StaleVersion as e:
        flash(e.message, "error")
        return _detail(report, confirm_form, decline_form, 409)
    except ValidationFailed as e:
        form_errors_from(confirm_form, {k: v for k, v in e.errors.items() if k in ("program", "tags")} or e.errors)
        return _detail(report, confirm_form, decline_form, 422)
    db.session.commit()
    flash(_("Confirmed: it is now concern #%(id)s and counts in patterns.", id=concern.id), "success")
    return redirect(url_for("selfreport.queue"))


@bp.route("/self-reports/<int:report_id>/decline", methods=["POST"])
@require("self_report.triage")
def decline(report_id: int):
    report = _report_or_404(report_id)
    confirm_form, decline_form = _triage_forms(report)
    if not decline_form.validate_on_submit():
        return _detail(report, confirm_form, decline_form, 400)
    try:
        services.decline_report(current_user, report, decline_form.reason.data)
    except StaleVersion as e:
        flash(e.message, "error")
        return _detail(report, confirm_form, decline_form, 409)
    except ValidationFailed as e:
        form_errors_from(decline_form, e.errors)
        return _detail(report, confirm_form, decline_form, 422)
    db.session.commit()
    flash(_("Declined. The reason is kept with the report."), "success")
    return redirect(url_for("selfreport.queue"))
