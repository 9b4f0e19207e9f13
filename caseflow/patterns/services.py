"""Pattern verbs: snooze, dismiss, promote into a campaign, and attach new evidence."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import gettext
from sqlalchemy import insert, literal, or_, select

from caseflow.audit.services import record
from caseflow.errors import DomainError, ValidationFailed
from caseflow.extensions import db
from caseflow.governance import check_promotion
from caseflow.models import AuditEvent, Campaign, CampaignEvidence, CampaignPattern, Concern, PatternState, User
from caseflow.models.base import UTC, utcnow
from caseflow.patterns.engine import Pattern, PatternSettings, find_patterns
from caseflow.patterns.keys import PatternKey
from caseflow.validation import ascii_int


def current_pattern(key: str, settings: PatternSettings) -> Pattern | None:
    parsed = PatternKey.parse(key)
    if parsed is None:
        return None
    return next((p for p in find_patterns(settings, (parsed.grouping,), with_examples=0) if p.key == key), None)


def _state_for(key: str) -> PatternState:
    state = db.session.get(PatternState, key)
    if state is None:
        state = PatternState(key=key, state="new")
        db.session.add(state)
    return state


def snooze(actor: User, key: str, until: date, today: date) -> PatternState:
    if PatternKey.parse(key) is None:
        raise DomainError(gettext("Unknown pattern."), field="key")
    if until <= today:
        raise DomainError(gettext("Choose a date after today."), field="until")
    state = _state_for(key)
    if state.state == "promoted":
        raise DomainError(gettext("This pattern is already a campaign."), field="key")
    state.state, state.snoozed_until = "snoozed", until
    state.decided_by_id, state.decided_at = actor.id, utcnow()
    db.session.flush()
    record("pattern.snooze", actor, object_type="pattern", object_id=key, until=until.isoformat())
    return state


def dismiss(actor: User, key: str, reason: str, count_now: int) -> PatternState:
    reason = (reason or "").strip()
    if PatternKey.parse(key) is None:
        raise DomainError(gettext("Unknown pattern."), field="key")
    if not reason or len(reason) > 1000 or "\x00" in reason:
        raise DomainError(
            gettext("Say in a sentence why this is not worth pursuing (up to 1,000 characters)."), field="reason"
        )
    state = _state_for(key)
    if state.state == "promoted":
        raise DomainError(gettext("This pattern is already a campaign."), field="key")
    state.state, state.dismissed_reason, state.count_at_decision = "dismissed", reason, count_now
    state.snoozed_until = None
    state.decided_by_id, state.decided_at = actor.id, utcnow()
    db.session.flush()
    record("pattern.dismiss", actor, object_type="pattern", object_id=key)
    return state


def reopen(actor: User, key: str) -> None:
    state = db.session.get(PatternState, key)
    if state is not None and state.state in ("snoozed", "dismissed"):
        db.session.delete(state)
        db.session.flush()
        record("pattern.reopen", actor, object_type="pattern", object_id=key)


def promote_patterns(
    actor: User, keys: list[str], title: str, issue_statement: str = "", *, by_committee: bool = False
) -> Campaign:
    """Create a campaign from one or several patterns; their concerns become its evidence. With
    governance on, only the advisory committee's vote does this (caseflow.committee)."""
    errors: dict[str, list[str]] = {}
    title = title.strip() if isinstance(title, str) else ""
    if not title or len(title) > 200 or "\x00" in title:
        errors["title"] = [gettext("Give the campaign a title of 1–200 characters.")]
    if not isinstance(issue_statement, str) or len(issue_statement) > 5000 or "\x00" in issue_statement:
        errors["issue_statement"] = [gettext("Use at most 5,000 characters.")]
    if not isinstance(keys, list) or not keys or not all(isinstance(k, str) for k in keys):
        errors["pattern_keys"] = [gettext("Choose at least one pattern.")]
        parsed = []
    else:
        parsed = [PatternKey.parse(k) for k in dict.fromkeys(keys)]
        bad = [k for k, p in zip(dict.fromkeys(keys), parsed, strict=True) if p is None]
        if bad:
            errors["pattern_keys"] = [gettext("Not a pattern key: %(bad)s.", bad=", ".join(bad[:5]))]
        else:
            taken = db.session.scalars(
                select(PatternState.key).where(
                    PatternState.key.in_([str(p) for p in parsed]), PatternState.state == "promoted"
                )
            ).all()
            if taken:
                errors["pattern_keys"] = [gettext("Already a campaign: %(taken)s.", taken=", ".join(taken))]
            elif len(parsed) > 20:
                errors["pattern_keys"] = [gettext("Promote at most 20 patterns into one campaign.")]
    if errors:
        raise ValidationFailed(errors)
    if not by_committee:
        check_promotion([str(p) for p in parsed])
    campaign = Campaign(
        title=title, issue_statement=issue_statement or "", lead_id=actor.id, created_by_id=actor.id, step="learning"
    )
    campaign.patterns = [CampaignPattern(pattern_key=str(p)) for p in parsed]
    db.session.add(campaign)
    db.session.flush()
    previous: list[dict] = []  # a list, not a dict: audit detail keys are cut to 40 characters
    for p in parsed:
        state = db.session.get(PatternState, str(p))
        previous.append({"key": str(p), **(_remembered(state) if state is not None else {"state": "new"})})
        state = _state_for(str(p))
        state.state, state.campaign_id, state.snoozed_until = "promoted", campaign.id, None
        state.decided_by_id, state.decided_at = actor.id, utcnow()
    attach_matching_concerns(campaign)
    # What each pattern was before, so a campaign discarded soon after (see `discard_campaign`)
    # gives every pattern back its snooze or dismissal; the audit trail is the one record of it.
    record("campaign.create", actor, campaign, pattern_keys=[str(p) for p in parsed], previous_states=previous)
    for hook in current_app.extensions.get("caseflow.campaign_hooks", ()):
        hook("created", campaign)
    return campaign


def _remembered(state: PatternState) -> dict:
    """The parts of a pattern's state that promotion overwrites (the reason and count stay on the row)."""
    return {
        "state": state.state,
        "snoozed_until": state.snoozed_until.isoformat() if state.snoozed_until else None,
        "decided_by_id": state.decided_by_id,
        "decided_at": state.decided_at.isoformat() if state.decided_at else None,
    }


DISCARD_WINDOW = timedelta(hours=1)


class DiscardRefused(DomainError):
    status = 409


def can_discard(campaign: Campaign, now: datetime | None = None) -> bool:
    """A campaign promoted by mistake may be discarded within an hour of its creation."""
    created = campaign.created_at
    if created is None:
        return False
    if created.tzinfo is None:  # SQLite hands back naive UTC
        created = created.replace(tzinfo=UTC)
    return (now or utcnow()) - created <= DISCARD_WINDOW


def discard_until(campaign: Campaign) -> datetime:
    created = campaign.created_at if campaign.created_at.tzinfo else campaign.created_at.replace(tzinfo=UTC)
    return created + DISCARD_WINDOW


def discard_campaign(actor: User, campaign: Campaign, version) -> None:
    """Undo a promotion made in the last hour: the campaign goes, each pattern returns to the state it
    had before (new, snoozed or dismissed), and the audit trail keeps both events."""
    if not can_discard(campaign):
        raise DiscardRefused(
            "Only a campaign created in the last hour can be discarded. Close it instead (Status: closed), "
            "so its history is kept.",
            field="discard",
        )
    expected = ascii_int(version)
    if expected != campaign.version:
        raise DiscardRefused(
            "This campaign changed since you opened it; look at it again before you discard it.", field="discard"
        )
    created = db.session.scalar(
        select(AuditEvent)
        .where(
            AuditEvent.action == "campaign.create",
            AuditEvent.object_type == "campaigns",
            AuditEvent.object_id == str(campaign.id),
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    remembered = ((created.details or {}).get("previous_states") or []) if created is not None else []
    previous = {row.get("key"): row for row in remembered if isinstance(row, dict)}
    keys = campaign.pattern_keys
    for key in keys:
        state = db.session.get(PatternState, key)
        if state is None or state.campaign_id not in (campaign.id, None):
            continue
        before = previous.get(key)
        if not before or before.get("state") not in ("snoozed", "dismissed"):
            db.session.delete(state)  # it was new: no stored state at all
            continue
        state.state, state.campaign_id = before["state"], None
        state.snoozed_until = date.fromisoformat(before["snoozed_until"]) if before.get("snoozed_until") else None
        state.decided_by_id = before.get("decided_by_id")
        if before.get("decided_at"):
            state.decided_at = datetime.fromisoformat(before["decided_at"])
    title, campaign_id = campaign.title, campaign.id
    # Subscribers (notifications) hear of it while the campaign still exists, e.g. to withdraw the
    # "your concerns are now a campaign" message whose link is about to lead nowhere.
    for hook in current_app.extensions.get("caseflow.campaign_hooks", ()):
        hook("discarded", campaign)
    db.session.delete(campaign)
    db.session.flush()
    record(
        "campaign.discard",
        actor,
        object_type="campaigns",
        object_id=campaign_id,
        title=title,
        pattern_keys=keys,
    )


def attach_matching_concerns(campaign: Campaign) -> None:
    """INSERT … SELECT every live concern matching the campaign's patterns, once each."""
    already = select(CampaignEvidence.concern_id).where(CampaignEvidence.campaign_id == campaign.id)
    for key in campaign.pattern_keys:
        parsed = PatternKey.parse(key)
        if parsed is None:
            continue
        matching = parsed.matching_concern_ids().where(Concern.id.not_in(already))
        db.session.execute(
            insert(CampaignEvidence).from_select(
                ["campaign_id", "concern_id"], select(literal(campaign.id), matching.subquery().c.id)
            )
        )
    db.session.flush()


def attach_new_evidence(concern: Concern) -> None:
    """Concern hook: a concern logged later that matches a promoted pattern joins its campaign."""
    slugs = {t.slug for t in concern.tags}
    if not slugs or concern.deleted_at is not None:
        return
    links = db.session.execute(
        select(CampaignPattern.campaign_id, CampaignPattern.pattern_key).where(
            or_(*[CampaignPattern.pattern_key.startswith(f"tag:{s}") for s in slugs])
        )
    ).all()
    if not links:
        return
    have = set(
        db.session.scalars(select(CampaignEvidence.campaign_id).where(CampaignEvidence.concern_id == concern.id))
    )
    for campaign_id, key in links:
        parsed = PatternKey.parse(key)
        if campaign_id not in have and parsed is not None and parsed.matches(concern):
            db.session.add(CampaignEvidence(campaign_id=campaign_id, concern_id=concern.id))
            have.add(campaign_id)
    db.session.flush()


def attach_evidence_to_many(concern_ids: list[int]) -> None:
    """Bulk hook (an import): the new concerns that match a promoted pattern join its campaign, with
    one INSERT … SELECT per campaign pattern instead of a look per concern."""
    links = db.session.execute(select(CampaignPattern.campaign_id, CampaignPattern.pattern_key)).all()
    for campaign_id, key in links:
        parsed = PatternKey.parse(key)
        if parsed is None:
            continue
        conditions = parsed.conditions()
        for i in range(0, len(concern_ids), 5000):
            already = (
                select(CampaignEvidence.concern_id)
                .where(CampaignEvidence.campaign_id == campaign_id, CampaignEvidence.concern_id == Concern.id)
                .exists()
            )
            db.session.execute(
                insert(CampaignEvidence).from_select(
                    ["campaign_id", "concern_id"],
                    select(literal(campaign_id), Concern.id).where(
                        Concern.id.in_(concern_ids[i : i + 5000]), *conditions, ~already
                    ),
                )
            )
