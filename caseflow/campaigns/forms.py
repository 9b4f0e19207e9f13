"""Forms render fields and carry CSRF and the campaign's version; the rules live in services (one
set for the web and the API). Every form has a prefix, so several share a page without clashing ids."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField

from caseflow.campaigns.rules import STATUS_LABELS, STEP_DISPLAY
from caseflow.models import CAMPAIGN_STATUSES, STEPS
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
STEP_CHOICES = [(s, STEP_DISPLAY[s]) for s in STEPS]


def _signed(k: int, label) -> str:
    """A position on the map as the reader's language shows it: "+2 Strongly supportive"."""
    return f"{k:+d} {label}" if k else f"0 {label}"


class CampaignForm(FlaskForm):
    """Every campaign form carries the version the user saw (optimistic locking)."""

    version = HiddenField()

    def raw(self) -> dict:
        """The submitted values by field name, as services read them (the API sends the same names)."""
        return {name: f.data for name, f in self._fields.items() if name not in ("csrf_token", "version")}


class MoveForm(CampaignForm):
    step = SelectField(_l("Move to step"), choices=STEP_CHOICES, validate_choice=False)
    note = TextAreaField(_l("Why move now?"), description=_l("Required. Kept in the campaign's history."))
    from_page = HiddenField()  # where the form was: a refused move is shown there again

    def raw(self) -> dict:
        return {k: v for k, v in super().raw().items() if k != "from_page"}


class StatusForm(CampaignForm):
    status = SelectField(
        _l("Status"), choices=[(s, STATUS_LABELS[s]) for s in CAMPAIGN_STATUSES], validate_choice=False
    )
    closing_summary = TextAreaField(
        _l("Closing summary"),
        description=_l("Required when the campaign is won, lost or closed: what changed, what we learned."),
    )


class LearningForm(CampaignForm):
    problem_statement = TextAreaField(_l("Problem statement"), description=_l("Required. The problem in plain words."))
    affected = TextAreaField(
        _l("Who is affected"), description=_l("Who bears it, and who bears it most (see the evidence).")
    )
    root_causes = TextAreaField(
        _l("Root causes"), description=_l("Why it keeps happening: policies, practices, power.")
    )
    data_sources = TextAreaField(
        _l("Data sources"), description=_l("Where the evidence comes from, besides our concerns.")
    )
    constituent_views = TextAreaField(
        _l("Constituents' own root-cause views"),
        description=_l("A summary, in their words, of what clients say causes it."),
    )


class ActorForm(CampaignForm):
    name = StringField(_l("Name"), description=_l("A person, office, company or group."))
    kind = SelectField(_l("Kind"), choices=[("", _l("Choose…"))] + list(ACTOR_KINDS.items()), validate_choice=False)
    influence = SelectField(
        _l("Influence over the issue"),
        choices=[("", _l("Choose…"))]
        + [("1", _l("1 – low")), ("2", "2"), ("3", "3"), ("4", "4"), ("5", _l("5 – high"))],
        validate_choice=False,
    )
    position = SelectField(
        _l("Position on our demands"),
        choices=[("", _l("Choose…"))] + [(str(k), LazyString(_signed, k, v)) for k, v in POSITIONS.items()],
        validate_choice=False,
    )
    notes = TextAreaField(_l("Notes"), description=_l("What moves them; who they listen to."))


class VisionForm(CampaignForm):
    statement = TextAreaField(_l("Vision statement"), description=_l("Required. The world as it could be."))
    co_authors = TextAreaField(
        _l("Who wrote it"), description=_l("Staff, partners and constituents who shaped it (no client names needed).")
    )
    constituent_co_authors = StringField(_l("How many co-authors are constituents"), render_kw=COUNT)


class StrategyForm(CampaignForm):
    goal_long = TextAreaField(_l("Long-term goal"))
    goal_intermediate = TextAreaField(_l("Intermediate goal"))
    goal_short = TextAreaField(_l("Short-term goal"), description=_l("Write at least one goal."))
    demands = TextAreaField(_l("Demands"))
    primary_targets = TextAreaField(_l("Primary targets"), description=_l("Who can give us what we want."))
    secondary_targets = TextAreaField(_l("Secondary targets"), description=_l("Who can move the primary targets."))
    tactics = TextAreaField(_l("Tactics"))
    timeline = TextAreaField(_l("Timeline"))
    q_involved = TextAreaField(STRATEGY_QUESTIONS["q_involved"])
    q_data = TextAreaField(STRATEGY_QUESTIONS["q_data"])
    q_community = TextAreaField(STRATEGY_QUESTIONS["q_community"])
    q_disparities = TextAreaField(STRATEGY_QUESTIONS["q_disparities"])
    q_levers = TextAreaField(STRATEGY_QUESTIONS["q_levers"])
    q_challenges = TextAreaField(STRATEGY_QUESTIONS["q_challenges"])


class MeasureForm(CampaignForm):
    measure_id = SelectField(
        _l("Measure from the library"),
        choices=[("", _l("Choose…"))],
        validate_choice=False,
        description=_l("Required. A measure missing from the library? Add it on the Measures page first."),
    )
    baseline = StringField(_l("Baseline"), render_kw=DECIMAL)
    baseline_on = StringField(_l("Baseline date"), render_kw=DATE)
    target = StringField(_l("Target"), render_kw=DECIMAL)
    target_on = StringField(_l("Target date"), render_kw=DATE)


class ActionForm(CampaignForm):
    kind = SelectField(_l("Kind"), choices=[("", _l("Choose…"))] + list(ACTION_KINDS.items()), validate_choice=False)
    occurred_on = StringField(_l("Date"), render_kw=DATE)
    title = StringField(_l("Title"), description=_l("Required. e.g. Tenant convening at PS 139."))
    staff_participants = StringField(_l("Staff who took part"), render_kw=COUNT)
    constituent_participants = StringField(_l("Constituents who took part"), render_kw=COUNT)
    target_reached = StringField(_l("Target reached"), description=_l("Which decision-maker heard us, if any."))
    outcome = TextAreaField(_l("Outcome"))
    takeaways = TextAreaField(
        _l("Harvest: takeaways"), description=_l("For a convening: what people said and decided.")
    )


class FollowUpForm(CampaignForm):
    description = StringField(_l("Follow-up"), description=_l("Required. What must happen next."))
    owner_id = SelectField(_l("Owner"), validate_choice=False)
    due_on = StringField(_l("Due"), render_kw=DATE)
    action_id = SelectField(_l("From action"), validate_choice=False)


class ReviewForm(CampaignForm):
    period_start = StringField(_l("Period from"), render_kw=DATE)
    period_end = StringField(_l("Period to"), render_kw=DATE)
    against_goals = TextAreaField(_l("What happened against our goals and measures"))
    learned = TextAreaField(_l("What we learned"))
    constituents_assessment = TextAreaField(_l("Constituents' own assessment"))
    service_quality_effect = TextAreaField(_l("Effect on service quality"))
    decision = RadioField(_l("Decision"), choices=list(REVIEW_DECISIONS.items()), validate_choice=False)
    revisit_step = SelectField(_l("Step to revisit"), choices=[("", "—")] + STEP_CHOICES, validate_choice=False)
    close_as = SelectField(_l("Close as"), choices=[("", "—")] + list(CLOSE_AS.items()), validate_choice=False)
    decision_note = TextAreaField(
        _l("Why this decision"),
        description=_l("Required to revisit or close; it becomes the note in the step history."),
    )


class VersionForm(FlaskForm):
    """A one-button form (remove, mark done): CSRF and the version only."""

    version = HiddenField()
