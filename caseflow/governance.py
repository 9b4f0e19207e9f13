"""Governance: what the advisory committee's authority asks of the rest of the app, and nothing else:
whether it is on, whether the committee approved entering a campaign step, and what a gate waits
for, in words.

Kept free of other features' imports so campaigns and patterns can ask it (imports point down).
"""

from __future__ import annotations

from flask import current_app, g
from flask_babel import gettext
from sqlalchemy import select

from caseflow.errors import DomainError
from caseflow.extensions import db
from caseflow.models import Campaign, CommitteeDecision, CommitteeSettings

GATED_STEPS = ("strategy", "action")


def governance_on() -> bool:
    """The organisation's setting (committee page); until first set, CASEFLOW_GOVERNANCE."""
    # Read once per request or command (a page may ask for every form it shows).
    if "caseflow_governance" not in g:
        row = db.session.get(CommitteeSettings, 1)
        g.caseflow_governance = row.governance_on if row is not None else bool(current_app.config.get("GOVERNANCE"))
    return g.caseflow_governance


def forget() -> None:
    """The setting changed: the next question reads it again."""
    g.pop("caseflow_governance", None)


def step_gate_on() -> bool:
    """Entering Strategy and Action waits for the committee: under governance, or with the older
    CASEFLOW_ADVISORY_GATE setting (which gates the steps only, not promotions)."""
    return governance_on() or bool(current_app.config.get("ADVISORY_GATE"))


def _step_name(step: str) -> str:
    from caseflow.campaigns.rules import STEP_NAMES

    return str(STEP_NAMES.get(step, step))


def step_approved(campaign: Campaign, step: str) -> bool:
    """The committee's latest decision on entering `step` approved it (a later "no" withdraws it)."""
    latest = db.session.scalar(
        select(CommitteeDecision.status)
        .where(
            CommitteeDecision.campaign_id == campaign.id,
            CommitteeDecision.kind == "enter_step",
            CommitteeDecision.for_step == step,
            CommitteeDecision.status != "waiting",
        )
        .order_by(CommitteeDecision.decided_at.desc(), CommitteeDecision.id.desc())
        .limit(1)
    )
    return latest == "approved"


def waiting_proposal(campaign_id: int | None, step: str | None = None, keys: list[str] | None = None):
    query = select(CommitteeDecision).where(CommitteeDecision.status == "waiting")
    if step is not None:
        query = query.where(
            CommitteeDecision.kind == "enter_step",
            CommitteeDecision.campaign_id == campaign_id,
            CommitteeDecision.for_step == step,
        )
    else:
        query = query.where(CommitteeDecision.kind == "promote")
    for row in db.session.scalars(query.order_by(CommitteeDecision.id)):
        if keys is None or set(keys) & set(row.pattern_keys):
            return row
    return None


def needs_step_vote(campaign: Campaign, step: str) -> bool:
    return step in GATED_STEPS and step_gate_on() and not step_approved(campaign, step)


def step_gate_message(campaign: Campaign, step: str) -> str:
    waiting = waiting_proposal(campaign.id, step)
    name = _step_name(step)
    if waiting is not None:
        return gettext(
            "Entering %(step)s waits for the advisory committee's vote on proposal #%(id)s.", step=name, id=waiting.id
        )
    return gettext(
        "Entering %(step)s needs the advisory committee's approval: propose it to the committee first.", step=name
    )


class CommitteeVoteRequired(DomainError):
    """Governance is on and this needs the committee's vote first; the message says which vote."""

    status = 409


def check_step(campaign: Campaign, step: str) -> None:
    if needs_step_vote(campaign, step):
        raise CommitteeVoteRequired(step_gate_message(campaign, step), field="step")


def check_promotion(keys: list[str]) -> None:
    """With governance on, patterns become campaigns only by the committee's vote."""
    if not governance_on():
        return
    waiting = waiting_proposal(None, keys=keys)
    if waiting is not None:
        message = gettext(
            "Making this a campaign waits for the advisory committee's vote on proposal #%(id)s.", id=waiting.id
        )
    else:
        message = gettext(
            "The advisory committee decides which patterns become campaigns: propose it to the committee."
        )
    raise CommitteeVoteRequired(message, field="pattern_keys")
