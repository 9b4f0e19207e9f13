"""Campaigns in the API: read one, move it between steps, log an organizing action.
(Creating a campaign from patterns is `POST /api/v1/campaigns`, in api/patterns.py.)"""

from __future__ import annotations

from flask import abort, jsonify

from caseflow.accounts.permissions import current_actor, require
from caseflow.api.blueprint import bp, json_body
from caseflow.campaigns import services
from caseflow.extensions import db
from caseflow.models import STEP_LABELS, Campaign
from caseflow.models.campaign_steps import CampaignAction
from caseflow.people.ladder import new_leaders_by_action


def _campaign_or_404(campaign_id: int) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        abort(404)
    return campaign


def campaign_json(campaign: Campaign) -> dict:
    return {
        "id": campaign.id,
        "title": campaign.title,
        "issue_statement": campaign.issue_statement,
        "step": campaign.step,
        "step_label": STEP_LABELS[campaign.step],
        "status": campaign.status,
        "closing_summary": campaign.closing_summary,
        "version": campaign.version,
        "evidence_count": services.evidence_counts([campaign.id]).get(campaign.id, 0),
        "pattern_keys": campaign.pattern_keys,
        "lead": campaign.lead.email if campaign.lead else None,
        "moves": [
            {
                "from_step": m.from_step,
                "to_step": m.to_step,
                "note": m.note,
                "author": m.author.email if m.author else None,
                "at": m.at.isoformat(timespec="seconds"),
            }
            for m in services.history(campaign)
        ],
        "created_at": campaign.created_at.isoformat(timespec="seconds"),
        "updated_at": campaign.updated_at.isoformat(timespec="seconds"),
    }


def action_json(action: CampaignAction, campaign: Campaign) -> dict:
    return {
        "id": action.id,
        "campaign_id": action.campaign_id,
        "kind": action.kind,
        "occurred_on": action.occurred_on.isoformat(),
        "title": action.title,
        "staff_participants": action.staff_participants,
        "constituent_participants": action.constituent_participants,
        # Read-only: counted from the ladder (who first spoke or led here), never typed.
        "new_leaders": new_leaders_by_action([action.id]).get(action.id, 0),
        "target_reached": action.target_reached,
        "outcome": action.outcome,
        "takeaways": action.takeaways,
        "campaign_version": campaign.version,
    }


@bp.get("/v1/campaigns/<int:campaign_id>")
@require("campaign.read")
def campaign_get(campaign_id: int):
    return jsonify(campaign_json(_campaign_or_404(campaign_id)))


@bp.post("/v1/campaigns/<int:campaign_id>/step")
@require("campaign.edit")
def campaign_move(campaign_id: int):
    campaign = _campaign_or_404(campaign_id)
    body = json_body()
    services.move_step(current_actor(), campaign, body.get("step"), body.get("note"), body.get("version"), strict=True)
    db.session.commit()
    return jsonify(campaign_json(campaign))


@bp.post("/v1/campaigns/<int:campaign_id>/actions")
@require("campaign.edit")
def campaign_action(campaign_id: int):
    campaign = _campaign_or_404(campaign_id)
    body = json_body()
    action = services.log_action(current_actor(), campaign, body, body.get("version"), strict=True)
    db.session.commit()
    return jsonify(action_json(action, campaign)), 201
