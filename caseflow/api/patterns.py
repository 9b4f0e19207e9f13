from flask import current_app, jsonify, request
from sqlalchemy import func, select

from caseflow.accounts.permissions import current_actor, require
from caseflow.api.blueprint import bp, errors, json_body
from caseflow.extensions import db
from caseflow.models import Campaign, CampaignEvidence
from caseflow.patterns import engine, services


@bp.get("/v1/patterns")
@require("pattern.read")
def patterns():
    raw = request.args.get("window_days", "")
    if raw:
        if not raw.isdigit() or not 7 <= int(raw) <= 730:
            return errors({"window_days": ["Use a whole number of days from 7 to 730."]}, 422)
    settings = engine.PatternSettings.from_config(window_days=int(raw) if raw else None)
    found = sorted(engine.find_patterns(settings), key=engine.SORTS["size"][1])
    return jsonify(
        window_days=settings.window_days,
        start=settings.start.isoformat(),
        end=settings.as_of.isoformat(),
        items=[p.to_json() for p in found],
    )


def created_campaign_json(campaign: Campaign) -> dict:
    evidence = db.session.scalar(
        select(func.count()).select_from(CampaignEvidence).where(CampaignEvidence.campaign_id == campaign.id)
    )
    return {
        "id": campaign.id,
        "title": campaign.title,
        "step": campaign.step,
        "status": campaign.status,
        "version": campaign.version,
        "evidence_count": evidence,
        "pattern_keys": campaign.pattern_keys,
    }


@bp.post("/v1/campaigns")
@require("pattern.manage")
def campaign_create():
    body = json_body()
    campaign = services.promote_patterns(
        current_actor(), body.get("pattern_keys"), body.get("title"), body.get("issue_statement") or ""
    )
    db.session.commit()
    current_app.logger.info("campaign %s created through the API", campaign.id)
    return jsonify(created_campaign_json(campaign)), 201
