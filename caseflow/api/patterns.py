from flask import current_app, jsonify, request
from sqlalchemy import func, select

from caseflow.accounts.permissions import current_actor, require
from caseflow.api.blueprint import bp, errors, json_body
from caseflow.equity.policy import for_viewer
from caseflow.extensions import db
from caseflow.models import Campaign, CampaignEvidence
from caseflow.patterns import engine, services


@bp.get("/v1/patterns")
@require("pattern.read")
def patterns():
    disclosure = for_viewer()
    raw = request.args.get("window_days", "")
    # ASCII digits only ("²³".isdigit() is True but int() refuses it).
    window = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 4 else None
    if raw and (window is None or not 7 <= window <= 730):
        return errors({"window_days": ["Use a whole number of days from 7 to 730."]}, 422)
    if window is not None and disclosure.windows and window not in disclosure.windows:
        menu = ", ".join(map(str, disclosure.windows))
        return errors({"window_days": [f"Choose one of {menu} days."]}, 422)
    default = current_app.config["PATTERN_WINDOW_DAYS"]
    if window is None and disclosure.windows and default not in disclosure.windows:
        window = 90
    settings = engine.PatternSettings.from_config(window_days=window)
    found = sorted(engine.find_patterns(settings, disclosure=disclosure), key=engine.SORTS["size"][1])
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
