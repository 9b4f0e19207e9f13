"""Convenings: the list, one convening's page (agenda, attendance, breakouts, harvest), its report.
Thin views: read the form, call a verb, commit."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from caseflow.accounts.permissions import require
from caseflow.audit.services import record
from caseflow.campaigns.services import staff_choices
from caseflow.convenings import services
from caseflow.convenings.forms import CampaignForm, ConveningForm, FollowUpForm, HarvestForm, PlainForm, TagForm
from caseflow.errors import DomainError, StaleVersion, ValidationFailed
from caseflow.extensions import db
from caseflow.models import Convening, HarvestItem
from caseflow.models.convenings import HARVEST_OUTCOMES
from caseflow.people import ladder
from caseflow.people.routes import attendance_page
from caseflow.people.services import campaign_choices
from caseflow.web import database_id

bp = Blueprint("convenings", __name__, url_prefix="/convenings")


def _convening_or_404(convening_id: int) -> Convening:
    convening = db.session.get(Convening, convening_id)
    if convening is None:
        abort(404)
    return convening


def _item_or_404(convening: Convening, item_id: int) -> HarvestItem:
    item = db.session.get(HarvestItem, item_id)
    if item is None or item.convening_id != convening.id:
        abort(404)
    return item


def _show_errors(form, error: DomainError) -> None:
    errors = error.errors if isinstance(error, ValidationFailed) else {error.field or "": [error.message]}
    for name, messages in errors.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors or []) + messages
        else:
            form.form_errors.extend(messages)


def _with_campaigns(form: ConveningForm) -> ConveningForm:
    form.campaign_id.choices = [("", gettext("None: organisation-wide"))] + [
        (str(c.id), c.title) for c in campaign_choices()
    ]
    return form


def _item_forms(items: list[HarvestItem], failed: tuple[int, str, object] | None = None) -> dict:
    owners = [("", gettext("Choose…"))] + [(str(u.id), u.display_name) for u in staff_choices()]
    forms = {}
    for item in items:
        if item.becomes is not None:
            continue
        follow = FollowUpForm(formdata=None, prefix=f"f{item.id}")
        follow.owner_id.choices = owners
        forms[item.id] = {
            "follow_up": follow,
            "tag": TagForm(formdata=None, prefix=f"t{item.id}"),
            "campaign": CampaignForm(formdata=None, prefix=f"c{item.id}"),
        }
    if failed is not None:
        item_id, name, form = failed
        if name == "follow_up":
            form.owner_id.choices = owners
        forms.setdefault(item_id, {})[name] = form
    return forms


def _detail(convening: Convening, *, edit=None, harvest_form=None, failed=None, status: int = 200):
    items = services.harvest(convening)
    return (
        render_template(
            "convenings/detail.html",
            convening=convening,
            report=services.report(convening),
            roll=ladder.roll(convening=convening),
            edit=edit or _with_campaigns(ConveningForm(formdata=None, obj=convening, version=convening.version)),
            harvest_form=harvest_form or HarvestForm(formdata=None),
            item_forms=_item_forms(items, failed),
            button=PlainForm(formdata=None),
            outcomes=HARVEST_OUTCOMES,
            item_status=services.item_status,
        ),
        status,
    )


@bp.route("/")
@require("convening.read")
def index():
    rows = services.convenings()
    return render_template(
        "convenings/index.html", convenings=rows, counts=ladder.counts(convening_ids=[c.id for c in rows])
    )


@bp.route("/new", methods=["GET", "POST"])
@require("convening.manage")
def new():
    form = _with_campaigns(ConveningForm())
    if request.method == "GET" and request.args.get("campaign_id"):
        form.campaign_id.data = request.args["campaign_id"]
    if request.method == "POST":
        try:
            convening = services.create_convening(current_user, form.raw())
        except DomainError as error:
            db.session.rollback()
            _show_errors(form, error)
            return render_template("convenings/new.html", form=form), 422
        db.session.commit()
        return redirect(url_for("convenings.detail", convening_id=convening.id))
    return render_template("convenings/new.html", form=form)


@bp.route("/<int:convening_id>")
@require("convening.read")
def detail(convening_id: int):
    return _detail(_convening_or_404(convening_id))


@bp.route("/<int:convening_id>/edit", methods=["POST"])
@require("convening.manage")
def edit(convening_id: int):
    convening = _convening_or_404(convening_id)
    form = _with_campaigns(ConveningForm())
    try:
        services.update_convening(current_user, convening, form.raw(), database_id(form.version.data) or -1)
    except DomainError as error:
        db.session.rollback()
        _show_errors(form, error)
        return _detail(convening, edit=form, status=409 if isinstance(error, StaleVersion) else 422)
    db.session.commit()
    flash(gettext("Saved."))
    return redirect(url_for("convenings.detail", convening_id=convening.id))


@bp.route("/<int:convening_id>/attendance", methods=["GET", "POST"])
@require("convening.manage")
def attendance(convening_id: int):
    convening = _convening_or_404(convening_id)
    return attendance_page(
        convening=convening,
        title=convening.title,
        back=url_for("convenings.detail", convening_id=convening.id),
        with_sign_ups=True,
    )


@bp.route("/<int:convening_id>/harvest", methods=["POST"])
@require("convening.manage")
def add_harvest(convening_id: int):
    convening = _convening_or_404(convening_id)
    form = HarvestForm()
    try:
        services.add_harvest(current_user, convening, form.data)
    except DomainError as error:
        db.session.rollback()
        _show_errors(form, error)
        return _detail(convening, harvest_form=form, status=422)
    db.session.commit()
    return redirect(url_for("convenings.detail", convening_id=convening.id) + "#harvest")


TURN = {
    "follow-up": ("follow_up", FollowUpForm, "f", services.to_follow_up),
    "tag": ("tag", TagForm, "t", services.to_tag),
    "campaign": ("campaign", CampaignForm, "c", services.to_campaign),
}


@bp.route("/<int:convening_id>/harvest/<int:item_id>/<any('follow-up', 'tag', 'campaign'):into>", methods=["POST"])
@require("convening.manage")
def turn_into(convening_id: int, item_id: int, into: str):
    """Turn one takeaway into a follow-up, a new tag or a campaign."""
    convening = _convening_or_404(convening_id)
    item = _item_or_404(convening, item_id)
    name, form_class, prefix, verb = TURN[into]
    form = form_class(prefix=f"{prefix}{item.id}")
    try:
        verb(current_user, item, {k: f.data for k, f in form._fields.items()})
    except DomainError as error:
        db.session.rollback()
        if not isinstance(error, ValidationFailed):
            flash(
                gettext("Not saved: %(message)s", message=error.message)
            )  # the item's forms are gone once it is decided
        _show_errors(form, error)
        return _detail(convening, failed=(item.id, name, form), status=422)
    db.session.commit()
    return redirect(url_for("convenings.detail", convening_id=convening.id) + f"#item-{item.id}")


@bp.route("/<int:convening_id>/harvest/<int:item_id>/done", methods=["POST"])
@require("convening.manage")
def done(convening_id: int, item_id: int):
    convening = _convening_or_404(convening_id)
    item = _item_or_404(convening, item_id)
    try:
        services.complete(current_user, item)
    except DomainError as error:
        db.session.rollback()
        flash(error.message)
        return redirect(url_for("convenings.detail", convening_id=convening.id) + f"#item-{item.id}")
    db.session.commit()
    return redirect(url_for("convenings.detail", convening_id=convening.id) + f"#item-{item.id}")


@bp.route("/<int:convening_id>/report")
@require("convening.read")
def report(convening_id: int):
    convening = _convening_or_404(convening_id)
    return render_template(
        "convenings/report.html", report=services.report(convening), item_status=services.item_status
    )


@bp.route("/<int:convening_id>/report.pdf")
@require("convening.read")
def report_pdf(convening_id: int):
    convening = _convening_or_404(convening_id)
    body = services.report_pdf(services.report(convening), current_app.config["ORG_NAME"])
    record("convening.export", current_user, convening, table="pdf")
    db.session.commit()
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f"attachment; filename=caseflow-convening-{convening.id}.pdf"},
    )
