"""What a campaign's changes tell people (the campaign hook registered in create_app): the
caseworkers whose concerns are its evidence hear what their concerns became, and a follow-up's owner
hears it is theirs. It sits with campaigns, above the inbox it writes to (notifications)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import select

from caseflow.campaigns.rules import STATUS_LABELS, STEP_DISPLAY
from caseflow.dates import today
from caseflow.extensions import db
from caseflow.i18n import day
from caseflow.models import CampaignEvidence, Concern, Tag
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
    # Each message is rendered in each recipient's language (notifications.services.notify).
    tags = and_join(_tag_names(campaign)) or _l("several issues")
    if event == "created":
        message = _l(
            "The concerns you logged (%(tags)s) are now the campaign “%(title)s”.", tags=tags, title=campaign.title
        )
    elif event == "step_moved":
        message = _l(
            "The concerns you logged (%(tags)s) are the campaign “%(title)s”, which moved to %(step)s.",
            tags=tags,
            title=campaign.title,
            step=STEP_DISPLAY.get(campaign.step, campaign.step),
        )
    elif event == "status_changed":
        status = campaign.status
        message = _l(
            "The campaign “%(title)s”, built on concerns you logged, is now %(status)s.",
            title=campaign.title,
            status=LazyString(lambda: str(STATUS_LABELS.get(status, status)).lower()),
        )
    else:
        return
    key = f"campaign:{campaign.id}:day:{today().isoformat()}"
    notify(evidence_authors(campaign.id), "campaign", message, link, key, merge=True)


def _tell_follow_up_owner(campaign, follow_up, actor) -> None:
    if follow_up is None or follow_up.owner_id is None or (actor is not None and actor.id == follow_up.owner_id):
        return
    values = {"title": campaign.title, "description": follow_up.description}
    if follow_up.due_on:
        message = _l(
            "A follow-up for the campaign “%(title)s” is yours, due %(day)s: %(description)s",
            day=due_day(follow_up),
            **values,
        )
    else:
        message = _l("A follow-up for the campaign “%(title)s” is yours: %(description)s", **values)
    tell_follow_up_owner(follow_up, message)


def due_day(follow_up) -> LazyString:
    """A follow-up's due date, written in the language of whoever reads the notice."""
    due_on = follow_up.due_on
    return LazyString(lambda: day(due_on))


def tell_follow_up_owner(follow_up, message) -> None:
    """The one notice a follow-up's owner gets when it becomes theirs (a campaign's or a convening's)."""
    notify(
        [follow_up.owner_id],
        "follow_up",
        message,
        f"/follow-ups/{follow_up.id}",
        f"follow_up:{follow_up.id}:assigned",
    )


def _tag_names(campaign) -> list[str]:
    slugs = {PatternKey.parse(k).tag for k in campaign.pattern_keys if PatternKey.parse(k)}
    return sorted(db.session.scalars(select(Tag.name).where(Tag.slug.in_(slugs)))) if slugs else []
