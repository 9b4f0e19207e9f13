"""What a campaign's changes tell people (the campaign hook registered in create_app): the
caseworkers whose concerns are its evidence hear what their concerns became, and a follow-up's owner
hears it is theirs. It sits with campaigns, above the inbox it writes to (notifications)."""

from __future__ import annotations

from sqlalchemy import select

from caseflow.dates import today
from caseflow.extensions import db
from caseflow.models import STEP_LABELS, CampaignEvidence, Concern, Tag
from caseflow.notifications.services import notify
from caseflow.patterns.keys import PatternKey
from caseflow.web import and_join


def evidence_authors(campaign_id: int) -> list[int]:
    """The caseworkers whose concerns are this campaign's evidence."""
    return list(
        db.session.scalars(
            select(Concern.author_id)
            .distinct()
            .join(CampaignEvidence, CampaignEvidence.concern_id == Concern.id)
            .where(CampaignEvidence.campaign_id == campaign_id)
        )
    )


def close_the_loop(event: str, campaign, **details) -> None:
    """Campaign hook: tell the people who logged the evidence what their concerns became.

    One campaign's news reaches each person as one notification per day: a busy afternoon of
    moves updates the morning's row instead of filling the inbox with near-identical ones."""
    if event == "follow_up_created":
        _tell_follow_up_owner(campaign, details.get("follow_up"), details.get("actor"))
        return
    link = f"/campaigns/{campaign.id}/about"
    subject = f"The concerns you logged ({and_join(_tag_names(campaign)) or 'several issues'})"
    if event == "created":
        message = f"{subject} are now the campaign “{campaign.title}”."
    elif event == "step_moved":
        message = f"{subject} are the campaign “{campaign.title}”, which moved to {STEP_LABELS.get(campaign.step, campaign.step)}."
    elif event == "status_changed":
        message = f"The campaign “{campaign.title}”, built on concerns you logged, is now {campaign.status}."
    else:
        return
    key = f"campaign:{campaign.id}:day:{today().isoformat()}"
    notify(evidence_authors(campaign.id), "campaign", message, link, key, merge=True)


def _tell_follow_up_owner(campaign, follow_up, actor) -> None:
    if follow_up is None or follow_up.owner_id is None or (actor is not None and actor.id == follow_up.owner_id):
        return
    due = f", due {follow_up.due_on.isoformat()}" if follow_up.due_on else ""
    notify(
        [follow_up.owner_id],
        "follow_up",
        f"A follow-up for the campaign “{campaign.title}” is yours{due}: {follow_up.description}",
        f"/follow-ups/{follow_up.id}",
        f"follow_up:{follow_up.id}:assigned",
    )


def _tag_names(campaign) -> list[str]:
    slugs = {PatternKey.parse(k).tag for k in campaign.pattern_keys if PatternKey.parse(k)}
    return sorted(db.session.scalars(select(Tag.name).where(Tag.slug.in_(slugs)))) if slugs else []
