"""Forms render fields and carry CSRF and the campaign's version; the rules live in services (one
set for the web and the API). Every form has a prefix, so several share a page without clashing ids."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField

from caseflow.models import CAMPAIGN_STATUSES, STEP_LABELS, STEPS
from caseflow.models.campaign_steps import (
    ACTION_KINDS,
    ACTOR_KINDS,
    CLOSE_AS,
    POSITIONS,
    REVIEW_DECISIONS,
    STRATEGY_QUESTIONS,
)

DATE = {"type": "date"}
COUNT = {"inputmode": "numeric", "autocomplete": "off"}
DECIMAL = {"inputmode": "decimal", "autocomplete": "off"}
STEP_CHOICES = [(s, STEP_LABELS[s]) for s in STEPS]


class CampaignForm(FlaskForm):
    """Every campaign form carries the version the user saw (optimistic locking)."""

    version = HiddenField()

    def raw(self) -> dict:
        """The submitted values by field name, as services read them (the API sends the same names)."""
        return {name: f.data for name, f in self._fields.items() if name not in ("csrf_token", "version")}


class MoveForm(CampaignForm):
    step = SelectField("Move to step", choices=STEP_CHOICES, validate_choice=False)
    note = TextAreaField("Why move now?", description="Required. Kept in the campaign's history.")
    from_page = HiddenField()  # where the form was: a refused move is shown there again

    def raw(self) -> dict:
        return {k: v for k, v in super().raw().items() if k != "from_page"}


class StatusForm(CampaignForm):
    status = SelectField("Status", choices=[(s, s.capitalize()) for s in CAMPAIGN_STATUSES], validate_choice=False)
    closing_summary = TextAreaField(
        "Closing summary",
        description="Required when the campaign is won, lost or closed: what changed, what we learned.",
    )


class LearningForm(CampaignForm):
    problem_statement = TextAreaField("Problem statement", description="Required. The problem in plain words.")
    affected = TextAreaField("Who is affected", description="Who bears it, and who bears it most (see the evidence).")
    root_causes = TextAreaField("Root causes", description="Why it keeps happening: policies, practices, power.")
    data_sources = TextAreaField("Data sources", description="Where the evidence comes from, besides our concerns.")
    constituent_views = TextAreaField(
        "Constituents' own root-cause views", description="A summary, in their words, of what clients say causes it."
    )


class ActorForm(CampaignForm):
    name = StringField("Name", description="A person, office, company or group.")
    kind = SelectField("Kind", choices=[("", "Choose…")] + list(ACTOR_KINDS.items()), validate_choice=False)
    influence = SelectField(
        "Influence over the issue",
        choices=[("", "Choose…")]
        + [(str(i), f"{i}{' – low' if i == 1 else ' – high' if i == 5 else ''}") for i in range(1, 6)],
        validate_choice=False,
    )
    position = SelectField(
        "Position on our demands",
        choices=[("", "Choose…")] + [(str(k), f"{k:+d} {v}" if k else f"0 {v}") for k, v in POSITIONS.items()],
        validate_choice=False,
    )
    notes = TextAreaField("Notes", description="What moves them; who they listen to.")


class VisionForm(CampaignForm):
    statement = TextAreaField("Vision statement", description="Required. The world as it could be.")
    co_authors = TextAreaField(
        "Who wrote it", description="Staff, partners and constituents who shaped it (no client names needed)."
    )
    constituent_co_authors = StringField("How many co-authors are constituents", render_kw=COUNT)


class StrategyForm(CampaignForm):
    goal_long = TextAreaField("Long-term goal")
    goal_intermediate = TextAreaField("Intermediate goal")
    goal_short = TextAreaField("Short-term goal", description="Write at least one goal.")
    demands = TextAreaField("Demands")
    primary_targets = TextAreaField("Primary targets", description="Who can give us what we want.")
    secondary_targets = TextAreaField("Secondary targets", description="Who can move the primary targets.")
    tactics = TextAreaField("Tactics")
    timeline = TextAreaField("Timeline")
    q_involved = TextAreaField(STRATEGY_QUESTIONS["q_involved"])
    q_data = TextAreaField(STRATEGY_QUESTIONS["q_data"])
    q_community = TextAreaField(STRATEGY_QUESTIONS["q_community"])
    q_disparities = TextAreaField(STRATEGY_QUESTIONS["q_disparities"])
    q_levers = TextAreaField(STRATEGY_QUESTIONS["q_levers"])
    q_challenges = TextAreaField(STRATEGY_QUESTIONS["q_challenges"])


class MeasureForm(CampaignForm):
    measure_id = SelectField(
        "Measure from the library",
        choices=[("", "Choose…")],
        validate_choice=False,
        description="Required. A measure missing from the library? Add it on the Measures page first.",
    )
    baseline = StringField("Baseline", render_kw=DECIMAL)
    baseline_on = StringField("Baseline date", render_kw=DATE)
    target = StringField("Target", render_kw=DECIMAL)
    target_on = StringField("Target date", render_kw=DATE)


class ActionForm(CampaignForm):
    kind = SelectField("Kind", choices=[("", "Choose…")] + list(ACTION_KINDS.items()), validate_choice=False)
    occurred_on = StringField("Date", render_kw=DATE)
    title = StringField("Title", description="Required. e.g. Tenant convening at PS 139.")
    staff_participants = StringField("Staff who took part", render_kw=COUNT)
    constituent_participants = StringField("Constituents who took part", render_kw=COUNT)
    target_reached = StringField("Target reached", description="Which decision-maker heard us, if any.")
    outcome = TextAreaField("Outcome")
    takeaways = TextAreaField("Harvest: takeaways", description="For a convening: what people said and decided.")


class FollowUpForm(CampaignForm):
    description = StringField("Follow-up", description="Required. What must happen next.")
    owner_id = SelectField("Owner", validate_choice=False)
    due_on = StringField("Due", render_kw=DATE)
    action_id = SelectField("From action", validate_choice=False)


class ReviewForm(CampaignForm):
    period_start = StringField("Period from", render_kw=DATE)
    period_end = StringField("Period to", render_kw=DATE)
    against_goals = TextAreaField("What happened against our goals and measures")
    learned = TextAreaField("What we learned")
    constituents_assessment = TextAreaField("Constituents' own assessment")
    service_quality_effect = TextAreaField("Effect on service quality")
    decision = RadioField("Decision", choices=list(REVIEW_DECISIONS.items()), validate_choice=False)
    revisit_step = SelectField("Step to revisit", choices=[("", "—")] + STEP_CHOICES, validate_choice=False)
    close_as = SelectField("Close as", choices=[("", "—")] + list(CLOSE_AS.items()), validate_choice=False)
    decision_note = TextAreaField(
        "Why this decision", description="Required to revisit or close; it becomes the note in the step history."
    )


class VersionForm(FlaskForm):
    """A one-button form (remove, mark done): CSRF and the version only."""

    version = HiddenField()
