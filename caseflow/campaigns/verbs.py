"""Campaign verbs. Each follows one skeleton:

1. `_checked`: the campaign is open, the input passes its rules (rules.py), the caller's version is current;
2. the change itself (a new row, an edited one, a step or status);
3. `_add` / `_touch`: flush and move the campaign's version (a concurrent save in between → StaleVersion);
4. `_audit`: the audit entry, with the new version; `_notify` for the parts that subscribe.

They never commit: the request, job or CLI command commits once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import current_app
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from caseflow import governance
from caseflow.audit.services import record
from caseflow.campaigns.fields import Errors, parse
from caseflow.campaigns.queries import staff_choices
from caseflow.campaigns.rules import (
    ACTION_RULES,
    ACTOR_RULES,
    ARTIFACTS,
    CLOSE_STATUS,
    FOLLOW_UP_RULES,
    MEASURE_RULES,
    MOVE_RULES,
    REVIEW_RULES,
    STATUS_LABELS,
    STATUS_RULES,
    STEP_NAMES,
    dated_baseline_and_target,
    strategy_has_a_goal,
)
from caseflow.dates import today
from caseflow.errors import DomainError, StaleVersion, ValidationFailed
from caseflow.extensions import db
from caseflow.models import CLOSED_STATUSES, Campaign, Measure, User
from caseflow.models.base import utcnow
from caseflow.models.campaign_steps import (
    CampaignAction,
    CampaignMeasure,
    FollowUp,
    PowerActor,
    ReflectionReview,
    StepMove,
)
from caseflow.validation import is_ascii_digits

HOOKS_KEY = "caseflow.campaign_hooks"


class AdvisoryApprovalRequired(DomainError):
    """Entering Strategy or Action waits for the advisory committee's vote (caseflow.governance);
    the message says which vote."""

    status = 409

    def __init__(self, step: str, message: str):
        super().__init__(message, field="step")
        self.step = step


class CampaignClosed(DomainError):
    status = 409

    def __init__(self, campaign: Campaign):
        super().__init__(
            gettext(
                "This campaign is %(status)s and read-only; nothing was changed. Reopen it first if it needs more work.",
                status=STATUS_LABELS.get(campaign.status, campaign.status).lower(),
            ),
            field="status",
        )


def _stale(what: str = "campaign") -> StaleVersion:
    return StaleVersion(
        gettext(
            "Someone else saved this %(what)s while you were editing it; nothing was overwritten. Their version is shown; what you typed is still in the form — review it and save again.",
            what=what,
        )
    )


# --- The skeleton every verb shares ----------------------------------------------------------


def _notify(event: str, campaign: Campaign, **details: Any) -> None:
    """Other parts (notifications) subscribe with current_app.extensions[HOOKS_KEY].append(hook)."""
    for hook in list(current_app.extensions.setdefault(HOOKS_KEY, [])):
        hook(event, campaign, **details)


def _version(value: Any, strict: bool = False) -> int:
    """The version the caller saw. A form sends text; JSON must send an integer."""
    if isinstance(value, bool) or value is None:
        raise ValidationFailed({"version": [gettext("Send the campaign's current version (an integer).")]})
    if not strict and isinstance(value, str) and is_ascii_digits(value.strip()) and len(value.strip()) < 12:
        value = int(value.strip())
    if not isinstance(value, int):
        raise ValidationFailed({"version": [gettext("Send the campaign's current version (an integer).")]})
    return value


def check_open(campaign: Campaign) -> None:
    if campaign.is_closed:
        raise CampaignClosed(campaign)


def check_version(campaign: Campaign, version: Any, strict: bool = False) -> None:
    if _version(version, strict) != campaign.version:
        raise _stale()


def _parse(raw: Mapping[str, Any], rules: Mapping[str, Any], *, strict: bool, extra=None) -> dict[str, Any]:
    errors = Errors()
    data = parse(raw, rules, today=today(), strict=strict, errors=errors)
    if extra is not None:  # cross-field rules; each tolerates a field that failed its own rule (None)
        extra(data, errors)
    if errors:
        raise ValidationFailed(dict(errors))
    return data


def _checked(
    campaign: Campaign,
    raw: Mapping[str, Any],
    rules: Mapping[str, Any],
    version: Any,
    *,
    strict: bool = False,
    extra: Callable[[dict, Errors], None] | None = None,
    strict_version: bool = False,
) -> dict[str, Any]:
    """Steps 1: open, valid (every field's message at once), current; returns the clean data."""
    check_open(campaign)
    data = _parse(raw, rules, strict=strict, extra=extra)
    check_version(campaign, version, strict_version)
    return data


def _begin(campaign: Campaign, version: Any) -> None:
    """Step 1 for the verbs without input."""
    check_open(campaign)
    check_version(campaign, version)


def _touch(campaign: Campaign) -> None:
    """Save the change and move the campaign's version; a concurrent save in between → StaleVersion."""
    campaign.updated_at = utcnow()
    try:
        db.session.flush()
    except StaleDataError:
        raise _stale() from None


def _add(campaign: Campaign, row):
    """Step 3 for a new row: added, flushed (it has its id) and the campaign's version moved."""
    db.session.add(row)
    _touch(campaign)
    return row


def _audit(actor: User, campaign: Campaign, action: str, **details: Any) -> None:
    """Step 4: the audit entry, carrying the campaign's new version."""
    record(action, actor, campaign, **details, version=campaign.version)


# --- Steps and status ------------------------------------------------------------------------


def gate_on() -> bool:
    return governance.step_gate_on()


def needs_approval(campaign: Campaign, step: str) -> bool:
    return governance.needs_step_vote(campaign, step)


def _gate(campaign: Campaign, step: str) -> None:
    if needs_approval(campaign, step):
        raise AdvisoryApprovalRequired(step, governance.step_gate_message(campaign, step))


def _move(actor: User, campaign: Campaign, step: str, note: str) -> StepMove:
    _gate(campaign, step)
    move = StepMove(campaign_id=campaign.id, from_step=campaign.step, to_step=step, note=note, author_id=actor.id)
    db.session.add(move)
    from_step, campaign.step = campaign.step, step
    _touch(campaign)
    _audit(actor, campaign, "campaign.step", from_step=from_step, to_step=step)
    _notify("step_moved", campaign, from_step=from_step, to_step=step, actor=actor, move=move)
    return move


def move_step(actor: User, campaign: Campaign, step: Any, note: Any, version: Any, *, strict: bool = False) -> StepMove:
    """Move to any step, forwards or back, with a note. Raises ValidationFailed, StaleVersion,
    CampaignClosed or AdvisoryApprovalRequired (when the gate is on and approval is missing)."""
    data = _checked(campaign, {"step": step, "note": note}, MOVE_RULES, version, strict=strict, strict_version=strict)
    if data["step"] == campaign.step:
        raise ValidationFailed(
            {"step": [gettext("The campaign is already in %(step)s.", step=STEP_NAMES[campaign.step])]}
        )
    return _move(actor, campaign, data["step"], data["note"])


def _set_status(actor: User, campaign: Campaign, status: str, summary: str) -> None:
    before = campaign.status
    campaign.status = status
    if status in CLOSED_STATUSES:
        campaign.closing_summary = summary
    _touch(campaign)
    _audit(actor, campaign, "campaign.status", from_status=before, to_status=status)
    _notify("status_changed", campaign, from_status=before, to_status=status, actor=actor)


def set_status(actor: User, campaign: Campaign, raw: Mapping[str, Any], version: Any, *, strict: bool = False) -> None:
    """Active, paused, won, lost, closed. Closing needs a summary; a closed campaign may only be reopened."""

    def rules(data, errors):
        if data["status"] == campaign.status:
            errors.add("status", gettext("The campaign is already %(status)s.", status=campaign.status))
        elif data["status"] in CLOSED_STATUSES and data["closing_summary"] == "":
            errors.add("closing_summary", gettext("Write a closing summary: what changed, and what we learned."))

    # Reopening is the one change a closed campaign takes: checked here, not by _checked.
    data = _parse(raw, STATUS_RULES, strict=strict, extra=rules)
    if campaign.is_closed and data["status"] in CLOSED_STATUSES:
        raise CampaignClosed(campaign)
    check_version(campaign, version)
    _set_status(actor, campaign, data["status"], data["closing_summary"])


# --- One-per-campaign artifacts: learning, vision, strategy ----------------------------------


def save_artifact(actor: User, campaign: Campaign, kind: str, raw: Mapping[str, Any], version: Any, *, strict=False):
    """Save the learning, vision or strategy of a campaign (one row each)."""
    model, rules = ARTIFACTS[kind]
    extra = strategy_has_a_goal if kind == "strategy" else None
    data = _checked(campaign, raw, rules, version, strict=strict, extra=extra)
    row = db.session.get(model, campaign.id)
    created = row is None
    if created:
        row = model(campaign_id=campaign.id)
    for name, value in data.items():
        setattr(row, name, value)
    row.updated_by_id = actor.id
    _add(campaign, row)
    _audit(actor, campaign, f"campaign.{kind}.save", created=created)
    return row


# --- Lists: actors, measures, actions, follow-ups, decisions, reviews ------------------------


def add_actor(actor: User, campaign: Campaign, raw: Mapping[str, Any], version: Any, *, strict=False) -> PowerActor:
    data = _checked(campaign, raw, ACTOR_RULES, version, strict=strict)
    row = _add(campaign, PowerActor(campaign_id=campaign.id, **data))
    _audit(actor, campaign, "campaign.actor.create", actor_id=row.id, kind=row.kind)
    return row


def remove_actor(actor: User, campaign: Campaign, row: PowerActor, version: Any) -> None:
    _begin(campaign, version)
    db.session.delete(row)
    _touch(campaign)
    _audit(actor, campaign, "campaign.actor.delete", actor_id=row.id)


def add_measure(actor: User, campaign: Campaign, raw: Mapping[str, Any], version: Any, *, strict=False):
    """The campaign picks a measure from the library with a baseline (value, date) and a target
    (value, date); its values are then recorded, dated and per group, in caseflow/measures."""

    def picked(data, errors):
        dated_baseline_and_target(data, errors)
        if data["measure_id"] is None:
            return
        if db.session.get(Measure, data["measure_id"]) is None:
            errors.add("measure_id", gettext("Choose a measure from the library."))
        elif db.session.scalar(
            select(CampaignMeasure.id).where(
                CampaignMeasure.campaign_id == campaign.id, CampaignMeasure.measure_id == data["measure_id"]
            )
        ):
            errors.add("measure_id", gettext("This campaign already tracks this measure."))

    data = _checked(campaign, raw, MEASURE_RULES, version, strict=strict, extra=picked)
    row = _add(campaign, CampaignMeasure(campaign_id=campaign.id, **data))
    _audit(actor, campaign, "campaign.measure.create", measure_id=data["measure_id"])
    return row


def log_action(actor: User, campaign: Campaign, raw: Mapping[str, Any], version: Any = None, *, strict=False):
    """Log an organizing action. The API may leave out `version` (an action adds, it overwrites nothing)."""
    check_open(campaign)
    data = _parse(raw, ACTION_RULES, strict=strict)
    if version is not None or not strict:
        check_version(campaign, version, strict)
    row = _add(campaign, CampaignAction(campaign_id=campaign.id, author_id=actor.id, **data))
    _audit(
        actor,
        campaign,
        "campaign.action.create",
        action_id=row.id,
        kind=row.kind,
        constituents=row.constituent_participants,
    )
    _notify("action_logged", campaign, action=row, actor=actor)
    return row


def add_follow_up(actor: User, campaign: Campaign, raw: Mapping[str, Any], version: Any, *, strict=False) -> FollowUp:
    def rules(data, errors):
        if data["owner_id"] is not None and data["owner_id"] not in {u.id for u in staff_choices()}:
            errors.add("owner_id", gettext("Choose someone on the staff."))
        if data["action_id"] is not None:
            action = db.session.get(CampaignAction, data["action_id"])
            if action is None or action.campaign_id != campaign.id:
                errors.add("action_id", gettext("Choose one of this campaign's actions, or none."))

    data = _checked(campaign, raw, FOLLOW_UP_RULES, version, strict=strict, extra=rules)
    row = _add(campaign, FollowUp(campaign_id=campaign.id, **data))
    _audit(actor, campaign, "campaign.follow_up.create", follow_up_id=row.id, owner_id=row.owner_id)
    _notify("follow_up_created", campaign, follow_up=row, actor=actor)
    return row


def complete_follow_up(actor: User, campaign: Campaign, row: FollowUp, version: Any) -> None:
    _begin(campaign, version)
    if row.done_at is not None:
        raise ValidationFailed({"follow_up": [gettext("This follow-up is already done.")]})
    row.done_at = utcnow()
    row.done_by_id = actor.id
    _touch(campaign)
    _audit(actor, campaign, "campaign.follow_up.done", follow_up_id=row.id)


def complete_own_follow_up(actor: User, row: FollowUp) -> None:
    """The owner marks their own follow-up done (from the reminder), whatever their role."""
    if row.owner_id != actor.id:
        raise DomainError(gettext("Only the person who owns this follow-up can mark it done here."), field="follow_up")
    finish_follow_up(actor, row)


def finish_follow_up(actor: User, row: FollowUp) -> None:
    """Mark a follow-up done wherever it lives: a campaign's moves the campaign's version (and is
    refused once the campaign is closed); an organisation-wide convening's has no campaign."""
    if row.campaign_id is not None:
        campaign = db.session.get(Campaign, row.campaign_id)
        complete_follow_up(actor, campaign, row, campaign.version)
        return
    if row.done_at is not None:
        raise ValidationFailed({"follow_up": [gettext("This follow-up is already done.")]})
    row.done_at, row.done_by_id = utcnow(), actor.id
    record("follow_up.done", actor, row, convening_id=row.convening_id)
    db.session.flush()


def add_review(actor: User, campaign: Campaign, raw: Mapping[str, Any], version: Any, *, strict=False):
    """A reflection review, ending in its decision: continue; revisit a step (the campaign moves
    there with the review's note); or close as won, lost or merged (the status changes)."""

    def rules(data, errors):
        if data["period_start"] and data["period_end"] and data["period_start"] > data["period_end"]:
            errors.add("period_end", gettext("The period must end on or after its start."))
        if data["decision"] == "revisit":
            if not data["revisit_step"]:
                errors.add("revisit_step", gettext("Choose the step to revisit."))
            elif data["revisit_step"] == campaign.step:
                errors.add(
                    "revisit_step", gettext("The campaign is already in %(step)s.", step=STEP_NAMES[campaign.step])
                )
        if data["decision"] == "close" and not data["close_as"]:
            errors.add("close_as", gettext("Choose won, lost or merged."))
        if data["decision"] in ("revisit", "close") and data["decision_note"] == "":
            errors.add("decision_note", gettext("Say why: the note goes into the campaign's history."))

    data = _checked(campaign, raw, REVIEW_RULES, version, strict=strict, extra=rules)
    if data["decision"] != "revisit":
        data["revisit_step"] = None
    if data["decision"] != "close":
        data["close_as"] = None
    if data["decision"] == "revisit":
        _gate(campaign, data["revisit_step"])
    row = _add(campaign, ReflectionReview(campaign_id=campaign.id, author_id=actor.id, **data))
    _audit(
        actor,
        campaign,
        "campaign.review.create",
        review_id=row.id,
        decision=row.decision,
        revisit_step=row.revisit_step,
        close_as=row.close_as,
    )
    if row.decision == "revisit":
        _move(actor, campaign, row.revisit_step, row.decision_note)
    elif row.decision == "close":
        _set_status(actor, campaign, CLOSE_STATUS[row.close_as], row.decision_note)
    return row
