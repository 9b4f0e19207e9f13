"""The campaign's vocabulary and field rules: one set of rules for the web forms and the API.

Each table maps a field to its rule (caseflow/campaigns/fields.py); the verbs parse with them and
add the cross-field rules below. Names of steps and statuses live here too, for messages and pages.
"""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from caseflow.campaigns.fields import Choice, Day, Errors, Int, Number, Text
from caseflow.models import CAMPAIGN_STATUSES, STEPS
from caseflow.models.campaign_steps import (
    ACTION_KINDS,
    ACTOR_KINDS,
    CLOSE_AS,
    REVIEW_DECISIONS,
    STRATEGY_QUESTIONS,
    CampaignLearning,
    CampaignStrategy,
    CampaignVision,
)
from caseflow.web import MAX_DATABASE_ID

# The step names a person reads (API values and CSV keep the English of STEP_LABELS and the codes).
STEP_NAMES = {
    "learning": _l("Learning"),
    "awareness": _l("Awareness"),
    "vision": _l("Vision"),
    "strategy": _l("Strategy"),
    "action": _l("Action"),
    "reflection": _l("Reflection"),
}
STEP_DISPLAY = {
    "learning": _l("Learning — issue analysis"),
    "awareness": _l("Awareness — power analysis"),
    "vision": _l("Vision — the world as it could be"),
    "strategy": _l("Strategy — building constituents' power"),
    "action": _l("Action — organizing"),
    "reflection": _l("Reflection — evaluating the change"),
}
STATUS_LABELS = {
    "active": _l("Active"),
    "paused": _l("Paused"),
    "won": _l("Won"),
    "lost": _l("Lost"),
    "closed": _l("Closed"),
}
CLOSE_STATUS = {"won": "won", "lost": "lost", "merged": "closed"}
MAX_ID = MAX_DATABASE_ID

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
    "kind": Choice(tuple(ACTOR_KINDS), message=_l("Choose target, ally, opponent or neutral.")),
    "influence": Int(1, 5, required=True),
    "position": Int(-2, 2, required=True),
    "notes": Text(2000),
}
MEASURE_RULES = {  # a campaign picks a measure from the library (caseflow/measures), with its baseline and target
    "measure_id": Int(1, MAX_ID, required=True),
    "baseline": Number(),
    "baseline_on": Day(required=False),
    "target": Number(),
    "target_on": Day(required=False, future_days=366 * 20),
}
ACTION_RULES = {
    "kind": Choice(tuple(ACTION_KINDS)),
    "occurred_on": Day(required=True),
    "title": Text(200, required=True),
    "staff_participants": Int(default=0),
    "constituent_participants": Int(default=0),
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
REVIEW_RULES = {
    "period_start": Day(required=True),
    "period_end": Day(required=True),
    "against_goals": Text(TEXT, required=True),
    "learned": Text(TEXT, required=True),
    "constituents_assessment": Text(TEXT),
    "service_quality_effect": Text(TEXT),
    "decision": Choice(tuple(REVIEW_DECISIONS), message=_l("Choose continue, revisit or close.")),
    "revisit_step": Choice(STEPS, required=False, message=_l("Choose one of the six steps.")),
    "close_as": Choice(tuple(CLOSE_AS), required=False, message=_l("Choose won, lost or merged.")),
    "decision_note": Text(2000),
}
MOVE_RULES = {
    "step": Choice(STEPS, message="Choose one of the six steps: " + ", ".join(STEPS) + "."),
    "note": Text(2000, required=True),
}
STATUS_RULES = {
    "status": Choice(CAMPAIGN_STATUSES, message=_l("Choose active, paused, won, lost or closed.")),
    "closing_summary": Text(TEXT),
}

# The one-per-campaign artifacts: their model and rules.
ARTIFACTS = {
    "learning": (CampaignLearning, LEARNING_RULES),
    "vision": (CampaignVision, VISION_RULES),
    "strategy": (CampaignStrategy, STRATEGY_RULES),
}


# --- Cross-field rules that need nothing but the data (each tolerates a field that failed: None) --


def strategy_has_a_goal(data, errors: Errors) -> None:
    if all(data[g] == "" for g in ("goal_long", "goal_intermediate", "goal_short")):
        errors.add("goal_short", gettext("Write at least one goal (long-term, intermediate or short-term)."))


def dated_baseline_and_target(data, errors: Errors) -> None:
    for value, day in (("baseline", "baseline_on"), ("target", "target_on")):
        if data[value] is not None and data[day] is None and not errors.get(day):
            errors.add(day, gettext("Give the date this value is for."))
    if data["baseline_on"] and data["target_on"] and data["target_on"] <= data["baseline_on"]:
        errors.add("target_on", gettext("The target's date comes after the baseline's."))
