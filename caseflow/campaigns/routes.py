"""The campaign board and the six-step workspace. Thin views: read the form, call a verb, commit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from caseflow import charts, dates, i18n
from caseflow.accounts.permissions import can, require
from caseflow.campaigns import services
from caseflow.campaigns.forms import (
    ActionForm,
    ActorForm,
    CampaignForm,
    FollowUpForm,
    LearningForm,
    MeasureForm,
    MoveForm,
    ReviewForm,
    StatusForm,
    StrategyForm,
    VersionForm,
    VisionForm,
)
from caseflow.equity.policy import for_viewer
from caseflow.errors import DomainError, StaleVersion, ValidationFailed
from caseflow.extensions import db
from caseflow.measures import progress as measure_progress
from caseflow.measures import services as measure_services
from caseflow.models import STEPS, Campaign
from caseflow.models.campaign_steps import (
    ACTION_KINDS,
    ACTOR_KINDS,
    ADVISORY_DECISIONS,
    CLOSE_AS,
    POSITIONS,
    REVIEW_DECISIONS,
    STRATEGY_QUESTIONS,
    FollowUp,
    PowerActor,
)
from caseflow.patterns.labels import pattern_labels
from caseflow.patterns.services import can_discard, discard_campaign, discard_until
from caseflow.people.ladder import new_leaders_by_action
from caseflow.web import form_errors_from, form_version

bp = Blueprint("campaigns", __name__, url_prefix="/campaigns")

# The forms each page shows: name → (form class, prefix). The overview page is "overview".
PAGE_FORMS: dict[str, dict[str, type[CampaignForm]]] = {
    "overview": {"move": MoveForm, "status": StatusForm},
    "learning": {"learning": LearningForm, "move": MoveForm},
    "awareness": {"actor": ActorForm, "move": MoveForm},
    "vision": {"vision": VisionForm, "move": MoveForm},
    "strategy": {"strategy": StrategyForm, "measure": MeasureForm, "move": MoveForm},
    "action": {"action": ActionForm, "follow_up": FollowUpForm, "move": MoveForm},
    "reflection": {"review": ReviewForm, "move": MoveForm},
}
ARTIFACT_FORMS = {"learning", "vision", "strategy"}


@bp.app_template_filter("campaign_day")
def campaign_day(moment: datetime) -> str:
    """A stored UTC moment as the organisation's calendar date."""
    return i18n.day(moment)  # the organisation's date, in the reader's locale


@bp.app_template_global("step_label")
def step_label(step: str) -> str:
    return services.STEP_DISPLAY.get(step, step)


@bp.app_template_global("status_word")
def status_word(status: str) -> str:
    """A campaign's status in the reader's words ("Active"); the API and CSV keep the code."""
    return str(services.STATUS_LABELS.get(status, status))


@bp.app_template_global("pattern_names")
def pattern_names(keys) -> dict[str, str]:
    """Pattern keys in words, for any page that names a campaign's patterns."""
    return pattern_labels(keys)


@bp.app_template_global("step_name")
def step_name(step: str) -> str:
    return services.STEP_NAMES.get(step, step)


def _campaign_or_404(campaign_id: int) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        abort(404)
    return campaign


def _fresh_forms(campaign: Campaign, page: str) -> dict[str, CampaignForm]:
    forms = {}
    for name, cls in PAGE_FORMS[page].items():
        form = cls(formdata=None, prefix=name)
        if name in ARTIFACT_FORMS:
            row = services.artifact(campaign, name)
            if row is not None:
                for field_name, field in form._fields.items():
                    if hasattr(row, field_name):
                        value = getattr(row, field_name)
                        field.data = "" if value is None else str(value) if isinstance(value, int) else value
        forms[name] = form
    if "status" in forms:
        forms["status"].status.data = campaign.status
        forms["status"].closing_summary.data = campaign.closing_summary
    if "move" in forms:
        following = STEPS.index(campaign.step) + 1
        forms["move"].step.data = STEPS[following] if following < len(STEPS) else campaign.step
        forms["move"].from_page.data = page
    return forms


def _prepare(campaign: Campaign, forms: dict[str, CampaignForm]) -> None:
    """Choices that come from the database, and the version on every form not being resubmitted."""
    for form in forms.values():
        if form.version.data in (None, ""):
            form.version.data = str(campaign.version)
    if "follow_up" in forms:
        form = forms["follow_up"]
        form.owner_id.choices = [("", gettext("Choose…"))] + [
            (str(u.id), u.display_name) for u in services.staff_choices()
        ]
        form.action_id.choices = [("", gettext("None (general follow-up)"))] + [
            (str(a.id), f"{a.occurred_on.isoformat()} · {a.title}") for a in services.actions(campaign)
        ]
    if "measure" in forms:
        forms["measure"].measure_id.choices = [("", gettext("Choose…"))] + measure_services.unpicked_choices(
            campaign.id
        )


def _render(
    campaign: Campaign,
    page: str,
    bound: dict[str, CampaignForm] | None = None,
    *,
    status: int = 200,
    conflict: str | None = None,
    notice: str | None = None,
):
    forms = _fresh_forms(campaign, page)
    forms.update(bound or {})
    _prepare(campaign, forms)
    editable = can("campaign.edit") and not campaign.is_closed
    context = {
        "campaign": campaign,
        "page": page,
        "forms": forms,
        "editable": editable,
        "conflict": conflict,
        "notice": notice,
        "states": services.step_states(campaign),
        "steps": STEPS,
        "gate_on": services.gate_on(),
        "today": dates.today(),
    }
    if page == "overview":
        evidence_total = services.evidence_counts([campaign.id]).get(campaign.id, 0)
        context |= {
            "pattern_titles": pattern_labels(campaign.pattern_keys),
            "discardable": editable and can_discard(campaign),
            "discard_until": discard_until(campaign),
            "history": services.history(campaign),
            "decisions": services.decisions(campaign),
            "evidence_total": evidence_total,
            "advisory_labels": ADVISORY_DECISIONS,
            "approved": {s: services.advisory_approved(campaign, s) for s in ("strategy", "action")},
        }
    elif page == "learning":
        ev = services.evidence(campaign)
        context |= {
            "learning": services.artifact(campaign, "learning"),
            "evidence": ev,
            "month_chart": charts.line_chart(
                ev.months, gettext("Linked concerns per month"), y_label=gettext("Concerns"), chart_id="months"
            ),
            "race_chart": charts.bar_chart(
                [(label, cell.shown()) for label, cell in ev.race],
                gettext("Linked concerns by race and ethnicity (self-reported)"),
                suppressed_label=ev.label,
                chart_id="race",
            ),
        }
    elif page == "awareness":
        rows = services.actors(campaign)
        context |= {
            "actors": rows,
            "actor_kinds": ACTOR_KINDS,
            "positions": POSITIONS,
            "power_map": charts.power_map(
                [{"name": a.name, "kind": a.kind, "influence": a.influence, "position": a.position} for a in rows],
                gettext("Power map: %(title)s", title=campaign.title),
                chart_id="power-map",
            ),
        }
    elif page == "vision":
        context["vision"] = services.artifact(campaign, "vision")
    elif page == "strategy":
        context |= {
            "strategy": services.artifact(campaign, "strategy"),
            "measures": measure_progress.campaign_rows(campaign.id, for_viewer()),
            "questions": STRATEGY_QUESTIONS,
            "decisions": services.decisions(campaign),
        }
    elif page == "action":
        context |= {
            "actions": services.actions(campaign),
            "leaders_by_action": new_leaders_by_action([a.id for a in services.actions(campaign)]),
            "follow_ups": services.follow_ups(campaign),
            "participation": services.participation(campaign),
            "action_kinds": ACTION_KINDS,
        }
    elif page == "reflection":
        context |= {
            "reviews": services.reviews(campaign),
            "review_labels": REVIEW_DECISIONS,
            "close_labels": CLOSE_AS,
            "measures": measure_progress.campaign_rows(campaign.id, for_viewer()),
            "participation": services.participation(campaign),
            "strategy": services.artifact(campaign, "strategy"),
        }
    template = "campaigns/overview.html" if page == "overview" else f"campaigns/step_{page}.html"
    return render_template(template, **context), status


def _page_url(campaign: Campaign, page: str) -> str:
    if page == "overview":
        return url_for("campaigns.detail", campaign_id=campaign.id)
    return url_for("campaigns.step", campaign_id=campaign.id, step=page)


def _submit(
    campaign_id: int,
    page: str,
    name: str,
    verb: Callable[[Campaign, CampaignForm], object],
    success: str,
    *,
    form: CampaignForm | None = None,
    anchor: str = "",
    goto: str | None = None,
):
    """Run a verb with a submitted form; commit and redirect, or show the page again with the
    user's input kept and the errors at their fields (422), the conflict (409) or the refusal (409)."""
    campaign = _campaign_or_404(campaign_id)
    form = form if form is not None else PAGE_FORMS[page][name](prefix=name)
    conflict = notice = None
    try:
        verb(campaign, form)
    except ValidationFailed as e:
        db.session.rollback()
        form_errors_from(form, e.errors)
        status = 422
    except StaleVersion as e:
        db.session.rollback()
        conflict = e.message
        status = 409
    except services.CampaignClosed as e:
        db.session.rollback()
        notice = e.message
        status = 409
    except DomainError as e:
        db.session.rollback()
        form_errors_from(form, {e.field or "request": [e.message]})
        status = e.status
    else:
        db.session.commit()
        flash(success, "success")
        return redirect(_page_url(campaign, goto or page) + anchor)
    campaign = _campaign_or_404(campaign_id)
    if conflict:
        form.version.data = str(campaign.version)  # the next save is a deliberate one, after review
    return _render(campaign, page, {name: form}, status=status, conflict=conflict, notice=notice)


# --- Pages -----------------------------------------------------------------------------------


@bp.route("")
@require("campaign.read")
def board():
    return render_template(
        "campaigns/board.html", board=services.board(), steps=STEPS, status_labels=services.STATUS_LABELS
    )


@bp.route("/<int:campaign_id>")
@require("campaign.read")
def detail(campaign_id: int):
    return _render(_campaign_or_404(campaign_id), "overview")


@bp.route("/<int:campaign_id>/<step>")
@require("campaign.read")
def step(campaign_id: int, step: str):
    campaign = _campaign_or_404(campaign_id)
    if step not in STEPS:
        abort(404)
    return _render(campaign, step)


# --- Steps and status ------------------------------------------------------------------------


def _form_verb(service_verb, *args):
    """The verb behind a campaign form: `service_verb(user, campaign, *args, fields, version)`, the
    fields and the version the form sent back."""
    return lambda campaign, form: service_verb(
        current_user, campaign, *args, form.raw(), form_version(form.version.data)
    )


@bp.post("/<int:campaign_id>/move")
@require("campaign.edit")
def move(campaign_id: int):
    """The move form sits on the overview and on every step page. From a step page, a move lands on
    the page of the step moved to, and a refused move is shown on the page it came from."""
    page = request.form.get("move-from_page", "overview")
    page = page if page in PAGE_FORMS else "overview"
    form = MoveForm(prefix="move")

    def verb(campaign, form):
        services.move_step(current_user, campaign, form.step.data, form.note.data, form_version(form.version.data))

    goto = form.step.data if page != "overview" and form.step.data in STEPS else None
    return _submit(
        campaign_id, page, "move", verb, gettext("Step changed; the move is in the history."), form=form, goto=goto
    )


@bp.post("/<int:campaign_id>/discard")
@require("campaign.edit")
def discard(campaign_id: int):
    """Undo a promotion made by mistake, within an hour (see patterns.services.discard_campaign)."""
    campaign = _campaign_or_404(campaign_id)
    form = VersionForm()
    if not form.validate_on_submit():
        return _render(campaign, "overview", status=400, notice="The form expired; reload the page and try again.")
    title = campaign.title
    try:
        discard_campaign(current_user, campaign, form.version.data)
    except DomainError as e:
        db.session.rollback()
        return _render(_campaign_or_404(campaign_id), "overview", status=e.status, notice=e.message)
    db.session.commit()
    flash(gettext("Campaign “%(title)s” discarded; its patterns are back as they were before.", title=title), "success")
    return redirect(url_for("patterns.index"))


@bp.post("/<int:campaign_id>/status")
@require("campaign.edit")
def status(campaign_id: int):
    verb = _form_verb(services.set_status)
    return _submit(campaign_id, "overview", "status", verb, gettext("Status changed."))


# --- One artifact per step -------------------------------------------------------------------


def _artifact_view(kind: str):
    def view(campaign_id: int):
        verb = _form_verb(services.save_artifact, kind)
        return _submit(campaign_id, kind, kind, verb, gettext("%(kind)s saved.", kind=services.STEP_NAMES[kind]))

    view.__name__ = f"save_{kind}"
    return view


for _kind in ("learning", "vision", "strategy"):
    bp.add_url_rule(
        f"/<int:campaign_id>/{_kind}",
        endpoint=f"save_{_kind}",
        view_func=require("campaign.edit")(_artifact_view(_kind)),
        methods=["POST"],
    )


# --- Power map -------------------------------------------------------------------------------


@bp.post("/<int:campaign_id>/actors")
@require("campaign.edit")
def add_actor(campaign_id: int):
    verb = _form_verb(services.add_actor)
    return _submit(campaign_id, "awareness", "actor", verb, gettext("Actor added to the power map."))


def _child_or_404(model, campaign_id: int, row_id: int):
    row = db.session.get(model, row_id)
    if row is None or row.campaign_id != campaign_id:
        abort(404)
    return row


def _button(campaign_id: int, page: str, verb, success: str):
    """A one-button form (remove, mark done): refusals come back as a message on the page."""
    campaign = _campaign_or_404(campaign_id)
    form = VersionForm()
    try:
        verb(campaign, form_version(form.version.data))
    except DomainError as e:
        db.session.rollback()
        campaign = _campaign_or_404(campaign_id)
        if isinstance(e, StaleVersion):
            return _render(campaign, page, status=409, conflict=e.message)
        return _render(campaign, page, status=e.status, notice=e.message)
    db.session.commit()
    flash(success, "success")
    return redirect(_page_url(campaign, page))


@bp.post("/<int:campaign_id>/actors/<int:actor_id>/delete")
@require("campaign.edit")
def remove_actor(campaign_id: int, actor_id: int):
    row = _child_or_404(PowerActor, campaign_id, actor_id)
    return _button(
        campaign_id,
        "awareness",
        lambda campaign, version: services.remove_actor(current_user, campaign, row, version),
        "Actor removed from the power map.",
    )


# --- Strategy measures -----------------------------------------------------------------------


@bp.post("/<int:campaign_id>/measures")
@require("campaign.edit")
def add_measure(campaign_id: int):
    verb = _form_verb(services.add_measure)
    return _submit(campaign_id, "strategy", "measure", verb, gettext("Measure added."), anchor="#measures")


# --- Actions and follow-ups ------------------------------------------------------------------


@bp.post("/<int:campaign_id>/actions")
@require("campaign.edit")
def log_action(campaign_id: int):
    verb = _form_verb(services.log_action)
    return _submit(campaign_id, "action", "action", verb, gettext("Action logged."), anchor="#actions")


@bp.post("/<int:campaign_id>/follow-ups")
@require("campaign.edit")
def add_follow_up(campaign_id: int):
    verb = _form_verb(services.add_follow_up)
    return _submit(campaign_id, "action", "follow_up", verb, gettext("Follow-up added."), anchor="#follow-ups")


@bp.post("/<int:campaign_id>/follow-ups/<int:follow_up_id>/done")
@require("campaign.edit")
def complete_follow_up(campaign_id: int, follow_up_id: int):
    row = _child_or_404(FollowUp, campaign_id, follow_up_id)
    return _button(
        campaign_id,
        "action",
        lambda campaign, version: services.complete_follow_up(current_user, campaign, row, version),
        "Follow-up marked done.",
    )


# --- Reflection ------------------------------------------------------------------------------


@bp.post("/<int:campaign_id>/reviews")
@require("campaign.edit")
def add_review(campaign_id: int):
    verb = _form_verb(services.add_review)
    return _submit(campaign_id, "reflection", "review", verb, gettext("Reflection review saved."))
