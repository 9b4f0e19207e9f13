"""Campaign verbs and the queries behind the board and the workspace.

Verbs check that the campaign is open and the caller's version is current, change rows, touch the
campaign (so its version moves), flush, write the audit entry and call the campaign hooks. They
never commit: the request, job or CLI command commits once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import and_, case, distinct, exists, extract, func, select
from sqlalchemy.orm.exc import StaleDataError

from caseflow.audit.services import record
from caseflow.campaigns.fields import Choice, Day, Errors, Int, Number, Text, parse
from caseflow.dates import today
from caseflow.equity.policy import Disclosure, Tally, for_viewer
from caseflow.equity.suppression import suppressed_label
from caseflow.errors import DomainError, StaleVersion, ValidationFailed
from caseflow.extensions import db
from caseflow.models import (
    CAMPAIGN_STATUSES,
    CLOSED_STATUSES,
    RACE_CODES,
    STEP_LABELS,
    STEPS,
    Campaign,
    CampaignEvidence,
    Concern,
    ConcernRace,
    Program,
    User,
    UserRole,
)
from caseflow.models.base import utcnow
from caseflow.models.campaign_steps import (
    ACTION_KINDS,
    ACTOR_KINDS,
    ADVISORY_DECISIONS,
    CLOSE_AS,
    GATED_STEPS,
    REVIEW_DECISIONS,
    STRATEGY_QUESTIONS,
    AdvisoryDecision,
    CampaignAction,
    CampaignLearning,
    CampaignMeasure,
    CampaignStrategy,
    CampaignVision,
    FollowUp,
    PowerActor,
    ReflectionReview,
    StepMove,
)
from caseflow.web import MAX_DATABASE_ID

HOOKS_KEY = "caseflow.campaign_hooks"
STEP_NAMES = {s: STEP_LABELS[s].split(" — ")[0] for s in STEPS}
STATUS_LABELS = {"active": "Active", "paused": "Paused", "won": "Won", "lost": "Lost", "closed": "Closed"}
CLOSE_STATUS = {"won": "won", "lost": "lost", "merged": "closed"}
MAX_ID = MAX_DATABASE_ID


class AdvisoryApprovalRequired(DomainError):
    """Entering Strategy or Action needs the advisory committee's recorded approval (a setting)."""

    status = 409

    def __init__(self, step: str):
        super().__init__(
            f"The advisory committee has not approved moving into {STEP_NAMES[step]}. Record the committee's "
            f"approving decision for {STEP_NAMES[step]} (under “Advisory committee”) first.",
            field="step",
        )
        self.step = step


class CampaignClosed(DomainError):
    status = 409

    def __init__(self, campaign: Campaign):
        super().__init__(
            f"This campaign is {STATUS_LABELS.get(campaign.status, campaign.status).lower()} and read-only; "
            "nothing was changed. Reopen it first if it needs more work.",
            field="status",
        )


def _stale(what: str = "campaign") -> StaleVersion:
    return StaleVersion(
        f"Someone else saved this {what} while you were editing it; nothing was overwritten. Their version is "
        "shown; what you typed is still in the form — review it and save again."
    )


# --- Field rules (one set for the forms and the API) -----------------------------------------

TEXT = 5000
LEARNING_RULES = {
    "problem_statement": Text(TEXT, required=True),
    "affected": Text(TEXT),
    "root_causes": Text(TEXT),
    "data_sources": Text(TEXT),
    "constituent_views": Text(TEXT),
}
VISION_RULES = {
    "statement": Text(TEXT, required=True),
    "co_authors": Text(2000),
    "constituent_co_authors": Int(0, 9999, default=0),
}
STRATEGY_RULES = {
    "goal_long": Text(TEXT),
    "goal_intermediate": Text(TEXT),
    "goal_short": Text(TEXT),
    "demands": Text(TEXT),
    "primary_targets": Text(2000),
    "secondary_targets": Text(2000),
    "tactics": Text(TEXT),
    "timeline": Text(TEXT),
    **{name: Text(TEXT) for name in STRATEGY_QUESTIONS},
}
ACTOR_RULES = {
    "name": Text(200, required=True),
    "kind": Choice(tuple(ACTOR_KINDS), message="Choose target, ally, opponent or neutral."),
    "influence": Int(1, 5, required=True),
    "position": Int(-2, 2, required=True),
    "notes": Text(2000),
}
MEASURE_RULES = {
    "indicator": Text(200, required=True),
    "unit": Text(40),
    "baseline": Number(),
    "target": Number(),
    "current_value": Number(),
    "disaggregated_by": Text(200),
}
ACTION_RULES = {
    "kind": Choice(tuple(ACTION_KINDS)),
    "occurred_on": Day(required=True),
    "title": Text(200, required=True),
    "staff_participants": Int(default=0),
    "constituent_participants": Int(default=0),
    "new_leaders": Int(default=0),
    "target_reached": Text(300),
    "outcome": Text(TEXT),
    "takeaways": Text(TEXT),
}
FOLLOW_UP_RULES = {
    "description": Text(500, required=True),
    "owner_id": Int(1, MAX_ID, required=True),
    "due_on": Day(required=False, future_days=3650),
    "action_id": Int(1, MAX_ID),
}
ADVISORY_RULES = {
    "for_step": Choice(GATED_STEPS, message="Choose strategy or action."),
    "decided_on": Day(required=True),
    "members_present": Text(2000, required=True),
    "constituents_present": Int(default=0),
    "decision": Choice(tuple(ADVISORY_DECISIONS), message="Choose approve or return."),
    "notes": Text(TEXT),
}
REVIEW_RULES = {
    "period_start": Day(required=True),
    "period_end": Day(required=True),
    "against_goals": Text(TEXT, required=True),
    "learned": Text(TEXT, required=True),
    "constituents_assessment": Text(TEXT),
    "service_quality_effect": Text(TEXT),
    "decision": Choice(tuple(REVIEW_DECISIONS), message="Choose continue, revisit or close."),
    "revisit_step": Choice(STEPS, required=False, message="Choose one of the six steps."),
    "close_as": Choice(tuple(CLOSE_AS), required=False, message="Choose won, lost or merged."),
    "decision_note": Text(2000),
}
MOVE_RULES = {
    "step": Choice(STEPS, message="Choose one of the six steps: " + ", ".join(STEPS) + "."),
    "note": Text(2000, required=True),
}
STATUS_RULES = {
    "status": Choice(CAMPAIGN_STATUSES, message="Choose active, paused, won, lost or closed."),
    "closing_summary": Text(TEXT),
}


# --- Guards shared by every verb -------------------------------------------------------------


def _notify(event: str, campaign: Campaign, **details: Any) -> None:
    """Other parts (notifications) subscribe with current_app.extensions[HOOKS_KEY].append(hook)."""
    for hook in list(current_app.extensions.setdefault(HOOKS_KEY, [])):
        hook(event, campaign, **details)


def _version(value: Any, strict: bool = False) -> int:
    """The version the caller saw. A form sends text; JSON must send an integer."""
    if isinstance(value, bool) or value is None:
        raise ValidationFailed({"version": ["Send the campaign's current version (an integer)."]})
    if not strict and isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 12:
        value = int(value.strip())
    if not isinstance(value, int):
        raise ValidationFailed({"version": ["Send the campaign's current version (an integer)."]})
    return value


def check_open(campaign: Campaign) -> None:
    if campaign.is_closed:
        raise CampaignClosed(campaign)


def check_version(campaign: Campaign, version: Any, strict: bool = False) -> None:
    if _version(version, strict) != campaign.version:
        raise _stale()


def _begin(campaign: Campaign, version: Any) -> None:
    check_open(campaign)
    check_version(campaign, version)


def _touch(campaign: Campaign) -> None:
    """Save the change and move the campaign's version; a concurrent save in between → StaleVersion."""
    campaign.updated_at = utcnow()
    try:
        db.session.flush()
    except StaleDataError:
        raise _stale() from None


def _parse(raw: Mapping[str, Any], rules: Mapping[str, Any], *, strict: bool, extra=None) -> dict[str, Any]:
    errors = Errors()
    data = parse(raw, rules, today=today(), strict=strict, errors=errors)
    if extra is not None:  # cross-field rules; each tolerates a field that failed its own rule (None)
        extra(data, errors)
    if errors:
        raise ValidationFailed(dict(errors))
    return data


# --- Steps and status ------------------------------------------------------------------------


def advisory_approved(campaign: Campaign, step: str) -> bool:
    """The committee's latest decision on entering `step` is an approval."""
    latest = db.session.scalar(
        select(AdvisoryDecision.decision)
        .where(AdvisoryDecision.campaign_id == campaign.id, AdvisoryDecision.for_step == step)
        .order_by(AdvisoryDecision.decided_on.desc(), AdvisoryDecision.id.desc())
        .limit(1)
    )
    return latest == "approve"


def gate_on() -> bool:
    return bool(current_app.config.get("ADVISORY_GATE"))


def needs_approval(campaign: Campaign, step: str) -> bool:
    return gate_on() and step in GATED_STEPS and not advisory_approved(campaign, step)


def _move(actor: User, campaign: Campaign, step: str, note: str) -> StepMove:
    if needs_approval(campaign, step):
        raise AdvisoryApprovalRequired(step)
    move = StepMove(campaign_id=campaign.id, from_step=campaign.step, to_step=step, note=note, author_id=actor.id)
    db.session.add(move)
    from_step, campaign.step = campaign.step, step
    _touch(campaign)
    record("campaign.step", actor, campaign, from_step=from_step, to_step=step, version=campaign.version)
    _notify("step_moved", campaign, from_step=from_step, to_step=step, actor=actor, move=move)
    return move


def move_step(actor: User, campaign: Campaign, step: Any, note: Any, version: Any, *, strict: bool = False) -> StepMove:
    """Move to any step, forwards or back, with a note. Raises ValidationFailed, StaleVersion,
    CampaignClosed or AdvisoryApprovalRequired (when the gate is on and approval is missing)."""
    check_open(campaign)
    data = _parse({"step": step, "note": note}, MOVE_RULES, strict=strict)
    check_version(campaign, version, strict)
    if data["step"] == campaign.step:
        raise ValidationFailed({"step": [f"The campaign is already in {STEP_NAMES[campaign.step]}."]})
    return _move(actor, campaign, data["step"], data["note"])


def _set_status(actor: User, campaign: Campaign, status: str, summary: str) -> None:
    before = campaign.status
    campaign.status = status
    if status in CLOSED_STATUSES:
        campaign.closing_summary = summary
    _touch(campaign)
    record("campaign.status", actor, campaign, from_status=before, to_status=status, version=campaign.version)
    _notify("status_changed", campaign, from_status=before, to_status=status, actor=actor)


def set_status(actor: User, campaign: Campaign, raw: Mapping[str, Any], version: Any, *, strict: bool = False) -> None:
    """Active, paused, won, lost, closed. Closing needs a summary; a closed campaign may only be reopened."""

    def rules(data, errors):
        if data["status"] == campaign.status:
            errors.add("status", f"The campaign is already {campaign.status}.")
        elif data["status"] in CLOSED_STATUSES and data["closing_summary"] == "":
            errors.add("closing_summary", "Write a closing summary: what changed, and what we learned.")

    data = _parse(raw, STATUS_RULES, strict=strict, extra=rules)
    if campaign.is_closed and data["status"] in CLOSED_STATUSES:
        raise CampaignClosed(campaign)
    check_version(campaign, version)
    _set_status(actor, campaign, data["status"], data["closing_summary"])


# --- One-per-campaign artifacts: learning, vision, strategy ----------------------------------

ARTIFACTS = {
    "learning": (CampaignLearning, LEARNING_RULES),
    "vision": (CampaignVision, VISION_RULES),
    "strategy": (CampaignStrategy, STRATEGY_RULES),
}


def artifact(campaign: Campaign, kind: str):
    model, _ = ARTIFACTS[kind]
    return db.session.get(model, campaign.id)


def _strategy_rules(data, errors):
    if all(data[g] == "" for g in ("goal_long", "goal_intermediate", "goal_short")):
        errors.add("goal_short", "Write at least one goal (long-term, intermediate or short-term).")


def save_artifact(actor: User, campaign: Campaign, kind: str, raw: Mapping[str, Any], version: Any, *, strict=False):
    """Save the learning, vision or strategy of a campaign (one row each)."""
    model, rules = ARTIFACTS[kind]
    check_open(campaign)
    data = _parse(raw, rules, strict=strict, extra=_strategy_rules if kind == "strategy" else None)
    check_version(campaign, version)
    row = db.session.get(model, campaign.id)
    created = row is None
    if created:
        row = model(campaign_id=campaign.id)
        db.session.add(row)
    for name, value in data.items():
        setattr(row, name, value)
    row.updated_by_id = actor.id
    _touch(campaign)
    record(f"campaign.{kind}.save", actor, campaign, created=created, version=campaign.version)
    return row


# --- Lists: actors, measures, actions, follow-ups, decisions, reviews ------------------------


def add_actor(actor: User, campaign: Campaign, raw: Mapping[str, Any], version: Any, *, strict=False) -> PowerActor:
    check_open(campaign)
    data = _parse(raw, ACTOR_RULES, strict=strict)
    check_version(campaign, version)
    row = PowerActor(campaign_id=campaign.id, **data)
    db.session.add(row)
    _touch(campaign)
    record("campaign.actor.create", actor, campaign, actor_id=row.id, kind=row.kind, version=campaign.version)
    return row


def remove_actor(actor: User, campaign: Campaign, row: PowerActor, version: Any) -> None:
    _begin(campaign, version)
    db.session.delete(row)
    _touch(campaign)
    record("campaign.actor.delete", actor, campaign, actor_id=row.id, version=campaign.version)


def add_measure(actor: User, campaign: Campaign, raw: Mapping[str, Any], version: Any, *, strict=False):
    check_open(campaign)
    data = _parse(raw, MEASURE_RULES, strict=strict)
    check_version(campaign, version)
    row = CampaignMeasure(campaign_id=campaign.id, **data)
    db.session.add(row)
    _touch(campaign)
    record("campaign.measure.create", actor, campaign, measure_id=row.id, version=campaign.version)
    return row


def update_measure(actor: User, campaign: Campaign, row: CampaignMeasure, raw: Mapping[str, Any], version: Any):
    """Record the measure's current value (blank clears it)."""
    check_open(campaign)
    data = _parse(raw, {"current_value": Number()}, strict=False)
    check_version(campaign, version)
    row.current_value = data["current_value"]
    row.updated_at = utcnow()
    _touch(campaign)
    record("campaign.measure.update", actor, campaign, measure_id=row.id, version=campaign.version)
    return row


def _action_rules(data, errors):
    if data["new_leaders"] is not None and data["constituent_participants"] is not None:
        if data["new_leaders"] > data["constituent_participants"]:
            errors.add(
                "new_leaders", "New leaders are counted among the constituent participants: use at most that many."
            )


def log_action(actor: User, campaign: Campaign, raw: Mapping[str, Any], version: Any = None, *, strict=False):
    """Log an organizing action. The API may leave out `version` (an action adds, it overwrites nothing)."""
    check_open(campaign)
    data = _parse(raw, ACTION_RULES, strict=strict, extra=_action_rules)
    if version is not None or not strict:
        check_version(campaign, version, strict)
    row = CampaignAction(campaign_id=campaign.id, author_id=actor.id, **data)
    db.session.add(row)
    _touch(campaign)
    record(
        "campaign.action.create",
        actor,
        campaign,
        action_id=row.id,
        kind=row.kind,
        constituents=row.constituent_participants,
        new_leaders=row.new_leaders,
        version=campaign.version,
    )
    _notify("action_logged", campaign, action=row, actor=actor)
    return row


def staff_choices() -> list[User]:
    """People a follow-up can be given to: active staff (not admins-only accounts)."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.active.is_(True),
                User.id.in_(select(UserRole.user_id).where(UserRole.role.in_(("organizer", "caseworker", "director")))),
            )
            .order_by(User.name, User.email)
        )
    )


def add_follow_up(actor: User, campaign: Campaign, raw: Mapping[str, Any], version: Any, *, strict=False) -> FollowUp:
    check_open(campaign)

    def rules(data, errors):
        if data["owner_id"] is not None and data["owner_id"] not in {u.id for u in staff_choices()}:
            errors.add("owner_id", "Choose someone on the staff.")
        if data["action_id"] is not None:
            action = db.session.get(CampaignAction, data["action_id"])
            if action is None or action.campaign_id != campaign.id:
                errors.add("action_id", "Choose one of this campaign's actions, or none.")

    data = _parse(raw, FOLLOW_UP_RULES, strict=strict, extra=rules)
    check_version(campaign, version)
    row = FollowUp(campaign_id=campaign.id, **data)
    db.session.add(row)
    _touch(campaign)
    record(
        "campaign.follow_up.create",
        actor,
        campaign,
        follow_up_id=row.id,
        owner_id=row.owner_id,
        version=campaign.version,
    )
    _notify("follow_up_created", campaign, follow_up=row, actor=actor)
    return row


def complete_follow_up(actor: User, campaign: Campaign, row: FollowUp, version: Any) -> None:
    _begin(campaign, version)
    if row.done_at is not None:
        raise ValidationFailed({"follow_up": ["This follow-up is already done."]})
    row.done_at = utcnow()
    row.done_by_id = actor.id
    _touch(campaign)
    record("campaign.follow_up.done", actor, campaign, follow_up_id=row.id, version=campaign.version)


def complete_own_follow_up(actor: User, row: FollowUp) -> None:
    """The owner marks their own follow-up done (from the reminder), whatever their role."""
    if row.owner_id != actor.id:
        raise DomainError("Only the person who owns this follow-up can mark it done here.", field="follow_up")
    campaign = db.session.get(Campaign, row.campaign_id)
    complete_follow_up(actor, campaign, row, campaign.version)


def record_advisory_decision(actor: User, campaign: Campaign, raw: Mapping[str, Any], version: Any, *, strict=False):
    check_open(campaign)

    def rules(data, errors):
        if data["decision"] == "return" and data["notes"] == "":
            errors.add("notes", "Say what the committee asked to change before it approves.")

    data = _parse(raw, ADVISORY_RULES, strict=strict, extra=rules)
    check_version(campaign, version)
    row = AdvisoryDecision(campaign_id=campaign.id, recorded_by_id=actor.id, **data)
    db.session.add(row)
    _touch(campaign)
    record(
        "campaign.advisory.create",
        actor,
        campaign,
        decision_id=row.id,
        for_step=row.for_step,
        decision=row.decision,
        version=campaign.version,
    )
    return row


def add_review(actor: User, campaign: Campaign, raw: Mapping[str, Any], version: Any, *, strict=False):
    """A reflection review, ending in its decision: continue; revisit a step (the campaign moves
    there with the review's note); or close as won, lost or merged (the status changes)."""
    check_open(campaign)

    def rules(data, errors):
        if data["period_start"] and data["period_end"] and data["period_start"] > data["period_end"]:
            errors.add("period_end", "The period must end on or after its start.")
        if data["decision"] == "revisit":
            if not data["revisit_step"]:
                errors.add("revisit_step", "Choose the step to revisit.")
            elif data["revisit_step"] == campaign.step:
                errors.add("revisit_step", f"The campaign is already in {STEP_NAMES[campaign.step]}.")
        if data["decision"] == "close" and not data["close_as"]:
            errors.add("close_as", "Choose won, lost or merged.")
        if data["decision"] in ("revisit", "close") and data["decision_note"] == "":
            errors.add("decision_note", "Say why: the note goes into the campaign's history.")

    data = _parse(raw, REVIEW_RULES, strict=strict, extra=rules)
    check_version(campaign, version)
    if data["decision"] != "revisit":
        data["revisit_step"] = None
    if data["decision"] != "close":
        data["close_as"] = None
    if data["decision"] == "revisit" and needs_approval(campaign, data["revisit_step"]):
        raise AdvisoryApprovalRequired(data["revisit_step"])
    row = ReflectionReview(campaign_id=campaign.id, author_id=actor.id, **data)
    db.session.add(row)
    _touch(campaign)
    record(
        "campaign.review.create",
        actor,
        campaign,
        review_id=row.id,
        decision=row.decision,
        revisit_step=row.revisit_step,
        close_as=row.close_as,
        version=campaign.version,
    )
    if row.decision == "revisit":
        _move(actor, campaign, row.revisit_step, row.decision_note)
    elif row.decision == "close":
        _set_status(actor, campaign, CLOSE_STATUS[row.close_as], row.decision_note)
    return row


# --- Queries ---------------------------------------------------------------------------------


def _live_evidence(campaign_ids):
    return (
        select(CampaignEvidence.campaign_id)
        .join(Concern, Concern.id == CampaignEvidence.concern_id)
        .where(CampaignEvidence.campaign_id.in_(campaign_ids), Concern.deleted_at.is_(None))
    )


def evidence_counts(campaign_ids: list[int]) -> dict[int, int]:
    """Live (not deleted) evidence per campaign, in one grouped query."""
    if not campaign_ids:
        return {}
    query = (
        select(CampaignEvidence.campaign_id, func.count())
        .join(Concern, Concern.id == CampaignEvidence.concern_id)
        .where(CampaignEvidence.campaign_id.in_(campaign_ids), Concern.deleted_at.is_(None))
        .group_by(CampaignEvidence.campaign_id)
    )
    return dict(db.session.execute(query).all())


def next_follow_ups(campaign_ids: list[int]) -> dict[int, date]:
    """The earliest due date of each campaign's open follow-ups, in one grouped query."""
    if not campaign_ids:
        return {}
    query = (
        select(FollowUp.campaign_id, func.min(FollowUp.due_on))
        .where(FollowUp.campaign_id.in_(campaign_ids), FollowUp.done_at.is_(None), FollowUp.due_on.is_not(None))
        .group_by(FollowUp.campaign_id)
    )
    return dict(db.session.execute(query).all())


@dataclass
class BoardRow:
    campaign: Campaign
    evidence: int
    next_due: date | None
    overdue: bool


def board() -> dict[str, Any]:
    """Open campaigns grouped by step, and the closed ones, with evidence and next follow-up due."""
    campaigns = list(db.session.scalars(select(Campaign).order_by(Campaign.updated_at.desc(), Campaign.id.desc())))
    ids = [c.id for c in campaigns]
    counts, due = evidence_counts(ids), next_follow_ups(ids)
    now = today()
    columns: dict[str, list[BoardRow]] = {s: [] for s in STEPS}
    closed: list[BoardRow] = []
    for c in campaigns:
        row = BoardRow(c, counts.get(c.id, 0), due.get(c.id), bool(due.get(c.id) and due[c.id] < now))
        (closed if c.is_closed else columns.setdefault(c.step, [])).append(row)
    keys = sorted({k for c in campaigns for k in c.pattern_keys})
    return {"columns": columns, "closed": closed, "pattern_keys": keys}


@dataclass
class StepState:
    step: str
    state: str  # "complete", "partial" or "empty"
    missing: list[str] = field(default_factory=list)
    summary: str = ""

    @property
    def label(self) -> str:
        return {"complete": "Filled", "partial": "Partly filled", "empty": "Missing"}[self.state]


def _counts(campaign: Campaign) -> dict[str, int]:
    def count(model, *where):
        return select(func.count()).select_from(model).where(model.campaign_id == campaign.id, *where).scalar_subquery()

    row = db.session.execute(
        select(
            count(PowerActor).label("actors"),
            count(PowerActor, PowerActor.kind == "target").label("targets"),
            count(CampaignMeasure).label("measures"),
            count(CampaignAction).label("actions"),
            count(FollowUp, FollowUp.done_at.is_(None)).label("open_follow_ups"),
            count(ReflectionReview).label("reviews"),
            count(AdvisoryDecision).label("decisions"),
        )
    ).one()
    return dict(row._mapping)


def step_states(campaign: Campaign) -> dict[str, StepState]:
    """What each step holds and what is still missing, for the tabs across the top."""
    n = _counts(campaign)
    learning, vision, strategy = (artifact(campaign, k) for k in ("learning", "vision", "strategy"))
    states = {}

    def state(step, essential: bool, missing: list[str], summary: str) -> None:
        kind = "empty" if not essential else "partial" if missing else "complete"
        states[step] = StepState(step, kind, missing, summary)

    labels = {
        "problem_statement": "problem statement",
        "affected": "who is affected",
        "root_causes": "root causes",
        "data_sources": "data sources",
        "constituent_views": "constituents' views",
    }
    state(
        "learning",
        bool(learning and learning.problem_statement),
        [label for name, label in labels.items() if not (learning and getattr(learning, name))],
        "",
    )
    state(
        "awareness",
        n["actors"] > 0,
        (["actors on the power map"] if not n["actors"] else [])
        + (["a decision-maker (target)"] if not n["targets"] else []),
        f"{n['actors']} actor{'s' if n['actors'] != 1 else ''}",
    )
    state(
        "vision",
        bool(vision and vision.statement),
        (["vision statement"] if not (vision and vision.statement) else [])
        + (["co-authors"] if not (vision and vision.co_authors) else [])
        + (["constituent co-authors"] if not (vision and vision.constituent_co_authors) else []),
        "",
    )
    strategy_missing = []
    if not (strategy and any((strategy.goal_long, strategy.goal_intermediate, strategy.goal_short))):
        strategy_missing.append("goals")
    for name, label in (
        ("demands", "demands"),
        ("primary_targets", "targets"),
        ("tactics", "tactics"),
        ("timeline", "timeline"),
    ):
        if not (strategy and getattr(strategy, name)):
            strategy_missing.append(label)
    if not n["measures"]:
        strategy_missing.append("measures")
    answered = sum(1 for q in STRATEGY_QUESTIONS if strategy and getattr(strategy, q))
    if answered < len(STRATEGY_QUESTIONS):
        strategy_missing.append(f"practice questions ({answered} of {len(STRATEGY_QUESTIONS)} answered)")
    state("strategy", strategy is not None, strategy_missing, f"{n['measures']} measures")
    state(
        "action",
        n["actions"] > 0,
        ["actions"] if not n["actions"] else [],
        f"{n['actions']} actions, {n['open_follow_ups']} open follow-ups",
    )
    state(
        "reflection", n["reviews"] > 0, ["a reflection review"] if not n["reviews"] else [], f"{n['reviews']} reviews"
    )
    return states


def history(campaign: Campaign) -> list[StepMove]:
    return list(
        db.session.scalars(
            select(StepMove).where(StepMove.campaign_id == campaign.id).order_by(StepMove.at.desc(), StepMove.id.desc())
        )
    )


def _rows(model, campaign: Campaign, *order):
    return list(db.session.scalars(select(model).where(model.campaign_id == campaign.id).order_by(*order)))


def actors(campaign: Campaign) -> list[PowerActor]:
    return _rows(PowerActor, campaign, PowerActor.influence.desc(), PowerActor.position, PowerActor.id)


def measures(campaign: Campaign) -> list[CampaignMeasure]:
    return _rows(CampaignMeasure, campaign, CampaignMeasure.id)


def actions(campaign: Campaign) -> list[CampaignAction]:
    return _rows(CampaignAction, campaign, CampaignAction.occurred_on.desc(), CampaignAction.id.desc())


def follow_ups(campaign: Campaign) -> list[FollowUp]:
    # Open items first, soonest due first (no due date last); then done ones.
    return _rows(
        FollowUp,
        campaign,
        FollowUp.done_at.is_not(None),
        FollowUp.due_on.is_(None),
        FollowUp.due_on,
        FollowUp.id,
    )


def decisions(campaign: Campaign) -> list[AdvisoryDecision]:
    return _rows(AdvisoryDecision, campaign, AdvisoryDecision.decided_on.desc(), AdvisoryDecision.id.desc())


def reviews(campaign: Campaign) -> list[ReflectionReview]:
    return _rows(ReflectionReview, campaign, ReflectionReview.period_end.desc(), ReflectionReview.id.desc())


def participation(campaign: Campaign) -> dict[str, int]:
    row = db.session.execute(
        select(
            func.count(CampaignAction.id),
            func.coalesce(func.sum(CampaignAction.staff_participants), 0),
            func.coalesce(func.sum(CampaignAction.constituent_participants), 0),
            func.coalesce(func.sum(CampaignAction.new_leaders), 0),
        ).where(CampaignAction.campaign_id == campaign.id)
    ).one()
    return dict(zip(("actions", "staff", "constituents", "new_leaders"), (int(v) for v in row), strict=True))


# --- Evidence: SQL aggregates over the linked concerns ---------------------------------------


@dataclass
class Evidence:
    total: int
    distinct_clients: int
    want_involvement: int
    average_importance: float | None
    months: list[tuple[str, int]]
    programs: list[tuple[str, int]]
    race: list[tuple[str, Any]]  # (label, Cell)
    race_any_suppressed: bool
    min_cell: int
    views: list[dict[str, Any]]
    views_total: int
    note: str = ""
    internal: bool = False  # exact counts (record access)

    @property
    def label(self) -> str:
        return suppressed_label(self.min_cell)


def _month_starts(end: date, n: int) -> list[date]:
    out, y, m = [], end.year, end.month
    for _ in range(n):
        out.append(date(y, m, 1))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def evidence(campaign: Campaign, months: int = 12, disclosure: Disclosure | None = None) -> Evidence:
    """The linked concerns as the Learning step shows them: totals, monthly counts, counts by
    program, race/ethnicity (through the disclosure policy: exact for organizers and directors,
    published for anyone else) and the root-cause views of clients who consented."""
    disclosure = disclosure or for_viewer()
    base = and_(CampaignEvidence.campaign_id == campaign.id, Concern.deleted_at.is_(None))

    def over_evidence(*columns):
        return select(*columns).select_from(CampaignEvidence).join(Concern, Concern.id == CampaignEvidence.concern_id)

    total, clients, involved, importance = db.session.execute(
        over_evidence(
            func.count(Concern.id),
            func.count(distinct(Concern.client_key)),
            func.coalesce(func.sum(case((Concern.wants_involvement.is_(True), 1), else_=0)), 0),
            func.avg(Concern.client_importance),
        ).where(base)
    ).one()

    starts = _month_starts(today(), months)
    year, month = extract("year", Concern.occurred_on), extract("month", Concern.occurred_on)
    by_month = {
        (int(y), int(m)): n
        for y, m, n in db.session.execute(
            over_evidence(year, month, func.count()).where(base, Concern.occurred_on >= starts[0]).group_by(year, month)
        )
    }
    month_rows = [(s.strftime("%b %Y"), by_month.get((s.year, s.month), 0)) for s in starts]

    programs = [
        (name, n)
        for name, n in db.session.execute(
            over_evidence(Program.name, func.count())
            .join(Program, Program.id == Concern.program_id)
            .where(base)
            .group_by(Program.name)
            .order_by(func.count().desc(), Program.name)
        )
    ]

    race_counts = {
        code: Tally(int(n), int(k or 0))
        for code, n, k in db.session.execute(
            over_evidence(ConcernRace.code, func.count(), func.sum(Concern.record_key))
            .join(ConcernRace, ConcernRace.concern_id == Concern.id)
            .where(base)
            .group_by(ConcernRace.code)
        )
    }
    answered = exists().where(ConcernRace.concern_id == Concern.id)
    blank_n, blank_keys, all_keys = db.session.execute(
        over_evidence(
            func.coalesce(func.sum(case((~answered, 1), else_=0)), 0),
            func.coalesce(func.sum(case((~answered, Concern.record_key), else_=0)), 0),
            func.coalesce(func.sum(Concern.record_key), 0),
        ).where(base)
    ).one()
    min_cell = disclosure.min_cell
    series = {label: race_counts.get(code, Tally()) for code, label in RACE_CODES.items()}
    series["No answer recorded"] = Tally(int(blank_n), int(blank_keys))
    cells, _ = disclosure.series(series, Tally(int(total), int(all_keys)))

    consent = and_(
        base,
        Concern.story_consent_on.is_not(None),
        Concern.story_consent_revoked_on.is_(None),
        Concern.client_root_cause.is_not(None),
        Concern.client_root_cause != "",
    )
    views_total = db.session.scalar(over_evidence(func.count()).where(consent))
    views = [
        {"occurred_on": d, "program": p, "text": t, "importance": i}
        for d, p, t, i in db.session.execute(
            over_evidence(Concern.occurred_on, Program.name, Concern.client_root_cause, Concern.client_importance)
            .join(Program, Program.id == Concern.program_id)
            .where(consent)
            .order_by(Concern.occurred_on.desc(), Concern.id.desc())
            .limit(25)
        )
    ]
    return Evidence(
        total=total,
        distinct_clients=clients,
        want_involvement=int(involved or 0),
        average_importance=round(float(importance), 1) if importance is not None else None,
        months=month_rows,
        programs=programs,
        race=list(cells.items()),
        race_any_suppressed=any(c.suppressed for c in cells.values()),
        min_cell=min_cell,
        views=views,
        views_total=views_total,
        note=disclosure.note,
        internal=disclosure.exact,
    )
