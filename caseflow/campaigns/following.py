"""Campaigns as the people who feed them see them: a read-only page for the staff whose concerns
became evidence, and the follow-ups they own. Aggregate evidence only: the page counts the linked
concerns and lists the viewer's own, never anyone else's concern, narrative or demographics."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select

from caseflow.accounts.permissions import can, require
from caseflow.campaigns import services
from caseflow.dates import today
from caseflow.equity.policy import for_viewer
from caseflow.errors import DomainError
from caseflow.extensions import db
from caseflow.models import STEPS, Campaign, CampaignEvidence, Concern
from caseflow.models.campaign_steps import FollowUp
from caseflow.people.ladder import campaign_new_leaders_tally
from caseflow.web import EmptyForm

bp = Blueprint("following", __name__)


def own_evidence(user, campaign: Campaign, limit: int = 50) -> list[Concern]:
    """The viewer's own live concerns among the campaign's evidence, newest first."""
    return list(
        db.session.scalars(
            select(Concern)
            .join(CampaignEvidence, CampaignEvidence.concern_id == Concern.id)
            .where(
                CampaignEvidence.campaign_id == campaign.id,
                Concern.author_id == user.id,
                Concern.deleted_at.is_(None),
            )
            .order_by(Concern.occurred_on.desc(), Concern.id.desc())
            .limit(limit)
        )
    )


def own_follow_ups(user, campaign: Campaign) -> list[FollowUp]:
    return [f for f in services.follow_ups(campaign) if f.owner_id == user.id]


@bp.route("/campaigns/<int:campaign_id>/about")
@require("campaign.follow")
def campaign(campaign_id: int):
    row = db.session.get(Campaign, campaign_id)
    if row is None:
        abort(404)
    mine = own_evidence(current_user, row)
    participation = services.participation(row)
    disclosure = for_viewer()
    if disclosure.protected:  # new leaders are people: a caseworker sees the policy's published count
        participation["new_leaders"] = disclosure.cell(campaign_new_leaders_tally(row.id))
    return render_template(
        "campaigns/follow.html",
        campaign=row,
        evidence_total=services.evidence_counts([row.id]).get(row.id, 0),
        mine=mine,
        history=services.history(row),
        actions=services.actions(row),
        participation=participation,
        follow_ups=own_follow_ups(current_user, row),
        vision=services.artifact(row, "vision"),
        workspace=can("campaign.read"),
        today=today(),
        step_order=STEPS,
    )


def _own_follow_up_or_404(follow_up_id: int) -> FollowUp:
    row = db.session.get(FollowUp, follow_up_id)
    if row is None or row.owner_id != current_user.id:
        abort(404)  # someone else's follow-up does not exist, as far as this page is concerned
    return row


@bp.route("/follow-ups/<int:follow_up_id>")
@require("follow_up.own")
def follow_up(follow_up_id: int):
    row = _own_follow_up_or_404(follow_up_id)
    return _render_follow_up(row)


def _render_follow_up(row: FollowUp, error: str | None = None, status: int = 200):
    campaign = db.session.get(Campaign, row.campaign_id) if row.campaign_id else None
    return render_template(
        "campaigns/follow_up.html",
        follow_up=row,
        campaign=campaign,
        form=EmptyForm(),
        error=error,
        today=today(),
    ), status


@bp.route("/follow-ups/<int:follow_up_id>/done", methods=["POST"])
@require("follow_up.own")
def complete_follow_up(follow_up_id: int):
    row = _own_follow_up_or_404(follow_up_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.complete_own_follow_up(current_user, row)
    except DomainError as e:
        db.session.rollback()
        row = _own_follow_up_or_404(follow_up_id)
        message = "; ".join(" ".join(v) for v in e.errors.values()) if hasattr(e, "errors") else e.message
        return _render_follow_up(row, message, 409 if isinstance(e, services.CampaignClosed) else e.status)
    db.session.commit()
    flash(gettext("Follow-up marked done. Thank you."), "success")
    return redirect(url_for("following.follow_up", follow_up_id=row.id))
