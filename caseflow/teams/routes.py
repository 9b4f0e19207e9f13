"""A campaign's team page. Thin views: read the form, call a verb, commit."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField

from caseflow.accounts.permissions import require
from caseflow.campaigns.services import staff_choices
from caseflow.errors import DomainError, ValidationFailed
from caseflow.extensions import db
from caseflow.models import Campaign
from caseflow.teams import services

bp = Blueprint("teams", __name__, url_prefix="/campaigns")


class MemberForm(FlaskForm):
    user_id = SelectField(_l("Member of staff"), choices=[], validate_choice=False)
    program_id = SelectField(_l("Program they bring"), choices=[], validate_choice=False)


class ButtonForm(FlaskForm):
    pass


def _campaign_or_404(campaign_id: int) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        abort(404)
    return campaign


def _page(campaign: Campaign, form: MemberForm | None = None, status: int = 200):
    form = form or MemberForm(formdata=None)
    form.user_id.choices = [("", _l("Choose…"))] + [(str(u.id), u.display_name) for u in staff_choices()]
    form.program_id.choices = [("", gettext("No program"))] + [(str(p.id), p.name) for p in services.active_programs()]
    rows = services.team(campaign)
    return (
        render_template(
            "teams/team.html",
            campaign=campaign,
            rows=rows,
            programs=services.programs_spanned(rows),
            form=form,
            button=ButtonForm(formdata=None),
        ),
        status,
    )


@bp.route("/<int:campaign_id>/team")
@require("campaign.read")
def team(campaign_id: int):
    return _page(_campaign_or_404(campaign_id))


@bp.route("/<int:campaign_id>/team", methods=["POST"])
@require("campaign.edit")
def add_member(campaign_id: int):
    campaign = _campaign_or_404(campaign_id)
    form = MemberForm()
    try:
        services.add_member(current_user, campaign, {"user_id": form.user_id.data, "program_id": form.program_id.data})
    except ValidationFailed as error:
        db.session.rollback()
        for name, messages in error.errors.items():
            getattr(form, name).errors = list(getattr(form, name).errors or []) + messages
        return _page(campaign, form, 422)
    db.session.commit()
    return redirect(url_for("teams.team", campaign_id=campaign.id))


@bp.route("/<int:campaign_id>/team/<int:user_id>/remove", methods=["POST"])
@require("campaign.edit")
def remove_member(campaign_id: int, user_id: int):
    campaign = _campaign_or_404(campaign_id)
    try:
        services.remove_member(current_user, campaign, user_id)
    except DomainError:
        db.session.rollback()
        abort(404)
    db.session.commit()
    return redirect(url_for("teams.team", campaign_id=campaign.id))
