"""In-app notifications, delivered once per person per piece of news (the dedupe key)."""

from __future__ import annotations

import re

from sqlalchemy import func, select, update

from caseflow.accounts.permissions import can
from caseflow.extensions import db
from caseflow.models import STEP_LABELS, Campaign, CampaignEvidence, Concern, Notification, User, UserRole
from caseflow.models.base import utcnow


def notify(user_ids, kind: str, message, link: str, dedupe_key: str, *, merge: bool = False) -> int:
    """Add the notification for each user who has not had this news yet; returns how many were new.

    `message` is best a lazy_gettext string with its values: each person gets it in their own language.

    With `merge`, the key names a group (one campaign's news on one day): a user who already has
    the group's row gets it updated (latest message, one more update, unread again) instead of a
    second row."""
    user_ids = set(user_ids)
    if not user_ids:
        return 0
    from caseflow.i18n import in_locale_of

    texts = in_locale_of(sorted(user_ids), message)
    had = {
        n.user_id: n
        for n in db.session.scalars(
            select(Notification).where(Notification.dedupe_key == dedupe_key, Notification.user_id.in_(user_ids))
        )
    }
    if merge:
        now = utcnow()
        for row in had.values():
            row.message, row.link, row.kind = texts[row.user_id][:500], link[:300], kind
            row.updates = (row.updates or 1) + 1
            row.updated_at, row.read_at = now, None
    fresh = sorted(user_ids - set(had))
    db.session.add_all(
        Notification(user_id=u, kind=kind, message=texts[u][:500], link=link[:300], dedupe_key=dedupe_key[:160])
        for u in fresh
    )
    db.session.flush()
    return len(fresh)


def for_user_or_none(user: User, notification_id: int) -> Notification | None:
    """The user's own notification; someone else's does not exist for them."""
    row = db.session.get(Notification, notification_id)
    return row if row is not None and row.user_id == user.id else None


def mark_read(notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = utcnow()


_LEGACY_CAMPAIGN = re.compile(r"^/campaigns/(\d+)(?:/[a-z]+)?$")
_LEGACY_FOLLOW_UP = re.compile(r"^follow_up:(\d+):")


def target(user: User, notification: Notification) -> str:
    """Where a notification leads this person: a path on this site that opens for them.

    Links stored before the caseworker views existed pointed at the organizers' workspace; they are
    sent to the read-only campaign page, or to the follow-up itself, for people who cannot edit."""

    link = notification.link or ""
    if not link.startswith("/") or link.startswith("//") or "\\" in link:
        return "/inbox"
    legacy_follow_up = _LEGACY_FOLLOW_UP.match(notification.dedupe_key or "")
    if notification.kind == "follow_up" and legacy_follow_up and link.startswith("/campaigns/"):
        return f"/follow-ups/{legacy_follow_up.group(1)}"
    legacy = _LEGACY_CAMPAIGN.match(link)
    if legacy and not can("campaign.read", user):
        return f"/campaigns/{legacy.group(1)}/about"
    return link


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
    return list(
        db.session.scalars(
            select(User.id).join(UserRole, UserRole.user_id == User.id).where(UserRole.role == "organizer", User.active)
        )
    )


def what_my_concerns_became(user: User) -> list[dict]:
    """For a caseworker's home: each campaign built on their concerns, with how many of theirs."""
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
