"""In-app notifications, delivered once per person per piece of news (the dedupe key)."""

from __future__ import annotations

from sqlalchemy import func, select, update

from caseflow.extensions import db
from caseflow.models import STEP_LABELS, CampaignEvidence, Concern, Notification, User
from caseflow.models.base import utcnow


def notify(user_ids, kind: str, message: str, link: str, dedupe_key: str) -> int:
    """Add the notification for each user who has not had this news yet; returns how many were new."""
    user_ids = set(user_ids)
    if not user_ids:
        return 0
    had = set(
        db.session.scalars(
            select(Notification.user_id).where(
                Notification.dedupe_key == dedupe_key, Notification.user_id.in_(user_ids)
            )
        )
    )
    fresh = sorted(user_ids - had)
    db.session.add_all(
        Notification(user_id=u, kind=kind, message=message[:500], link=link[:300], dedupe_key=dedupe_key[:160])
        for u in fresh
    )
    db.session.flush()
    return len(fresh)


def unread_count(user: User) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )


def mark_all_read(user: User) -> None:
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )


def organizers() -> list[int]:
    from caseflow.models import UserRole

    return list(
        db.session.scalars(
            select(User.id).join(UserRole, UserRole.user_id == User.id).where(UserRole.role == "organizer", User.active)
        )
    )


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
    """Campaign hook: tell the people who logged the evidence what their concerns became."""
    from caseflow.concerns.routes import and_join

    link = f"/campaigns/{campaign.id}"
    subject = f"The concerns you logged ({and_join(_tag_names(campaign)) or 'several issues'})"
    if event == "created":
        message = f"{subject} are now the campaign “{campaign.title}”."
    elif event == "step_moved":
        message = f"{subject} are the campaign “{campaign.title}”, which moved to {STEP_LABELS.get(campaign.step, campaign.step)}."
    elif event == "status_changed":
        message = f"The campaign “{campaign.title}”, built on concerns you logged, is now {campaign.status}."
    else:
        return
    key = f"campaign:{campaign.id}:{event}:{campaign.step}:{campaign.status}"
    notify(evidence_authors(campaign.id), "campaign", message, link, key)


def _tag_names(campaign) -> list[str]:
    from caseflow.models import Tag
    from caseflow.patterns.keys import PatternKey

    slugs = {PatternKey.parse(k).tag for k in campaign.pattern_keys if PatternKey.parse(k)}
    return sorted(db.session.scalars(select(Tag.name).where(Tag.slug.in_(slugs)))) if slugs else []


def what_my_concerns_became(user: User) -> list[dict]:
    """For a caseworker's home: each campaign built on their concerns, with how many of theirs."""
    from caseflow.models import Campaign

    rows = db.session.execute(
        select(Campaign.id, Campaign.title, Campaign.step, Campaign.status, func.count(CampaignEvidence.concern_id))
        .join(CampaignEvidence, CampaignEvidence.campaign_id == Campaign.id)
        .join(Concern, Concern.id == CampaignEvidence.concern_id)
        .where(Concern.author_id == user.id)
        .group_by(Campaign.id, Campaign.title, Campaign.step, Campaign.status)
        .order_by(func.count(CampaignEvidence.concern_id).desc())
        .limit(10)
    ).all()
    return [{"id": i, "title": t, "step": STEP_LABELS.get(s, s), "status": st, "mine": n} for i, t, s, st, n in rows]
