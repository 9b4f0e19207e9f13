"""The advisory committee's pages: members and terms, meetings with minutes and presence,
proposals and the votes that decide them. Thin views: read the form, call a verb, commit."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField

from caseflow import governance as gate
from caseflow.accounts.permissions import require
from caseflow.campaigns.rules import STEP_NAMES
from caseflow.campaigns.services import staff_choices
from caseflow.committee import services
from caseflow.dates import today
from caseflow.errors import DomainError, StaleVersion, ValidationFailed
from caseflow.extensions import db
from caseflow.models import CommitteeDecision, CommitteeMeeting, CommitteeMember
from caseflow.models.committee import DECISION_KINDS, VOTES
from caseflow.patterns.labels import pattern_labels
from caseflow.people.services import campaign_choices, people_query
from caseflow.web import database_id

bp = Blueprint("committee", __name__, url_prefix="/committee")
DATE = {"type": "date"}


class MemberForm(FlaskForm):
    person_id = SelectField(_l("Community member"), choices=[], validate_choice=False)
    user_id = SelectField(_l("…or member of staff"), choices=[], validate_choice=False)
    term_start = StringField(_l("Term starts"), render_kw=DATE)
    term_end = StringField(_l("Term ends (optional)"), render_kw=DATE)


class MeetingForm(FlaskForm):
    held_on = StringField(_l("Date"), render_kw=DATE)
    minutes = TextAreaField(_l("Minutes"), render_kw={"rows": 6})
    version = HiddenField()


class ProposalForm(FlaskForm):
    kind = SelectField(_l("The committee is asked to"), choices=[("", _l("Choose…")), *DECISION_KINDS.items()])
    title = StringField(_l("Title (the campaign's, for a promotion)"))
    details = TextAreaField(_l("Details"), render_kw={"rows": 3})
    pattern_keys = HiddenField()
    campaign_id = SelectField(_l("Campaign (for a step)"), choices=[], validate_choice=False)
    for_step = SelectField(
        _l("Step"), choices=[("", "—"), *((s, STEP_NAMES[s]) for s in gate.GATED_STEPS)], validate_choice=False
    )


class ButtonForm(FlaskForm):
    pass


@bp.app_template_global("governance_on")
def governance_on() -> bool:
    return gate.governance_on()


@bp.app_template_global("campaign_committee_decisions")
def campaign_committee_decisions(campaign) -> list[CommitteeDecision]:
    return services.proposals(campaign_id=campaign.id)


@bp.app_template_global("step_gate_message")
def step_gate_message(campaign, step: str) -> str | None:
    """What entering `step` waits for, in words, or None when nothing holds it."""
    return gate.step_gate_message(campaign, step) if gate.needs_step_vote(campaign, step) else None


def _errors_into(form, error: DomainError) -> None:
    errors = error.errors if isinstance(error, ValidationFailed) else {error.field or "": [error.message]}
    for name, messages in errors.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors or []) + messages
        else:
            form.form_errors.extend(messages)


def _member_form(form: MemberForm | None = None) -> MemberForm:
    form = form or MemberForm(formdata=None, term_start=today().isoformat())
    form.person_id.choices = [("", "—")] + [(str(p.id), p.label) for p in db.session.scalars(people_query())]
    form.user_id.choices = [("", "—")] + [(str(u.id), u.display_name) for u in staff_choices()]
    return form


def _proposal_form(form: ProposalForm | None = None) -> ProposalForm:
    form = form or ProposalForm(formdata=None)
    form.campaign_id.choices = [("", "—")] + [(str(c.id), c.title) for c in campaign_choices()]
    return form


def _index(member_form=None, meeting_form=None, proposal_form=None, status: int = 200):
    on = today()
    all_members = services.members()
    waiting = services.proposals("waiting")
    decided = [d for d in services.proposals() if d.status != "waiting"]
    keys = [k for d in waiting + decided for k in d.pattern_keys]
    return (
        render_template(
            "committee/index.html",
            members=all_members,
            sitting={m.id for m in services.sitting_members(on)},
            meetings=services.meetings(),
            waiting=waiting,
            decided=decided,
            labels=pattern_labels(keys),
            member_form=_member_form(member_form),
            meeting_form=meeting_form or MeetingForm(formdata=None, held_on=on.isoformat()),
            proposal_form=_proposal_form(proposal_form),
            button=ButtonForm(formdata=None),
            governance=gate.governance_on(),
        ),
        status,
    )


@bp.route("/")
@require("committee.read")
def index():
    return _index()


@bp.route("/members", methods=["POST"])
@require("committee.manage")
def add_member():
    form = _member_form(MemberForm())
    try:
        services.add_member(current_user, form.data)
    except DomainError as error:
        db.session.rollback()
        _errors_into(form, error)
        return _index(member_form=form, status=422)
    db.session.commit()
    return redirect(url_for("committee.index") + "#members")


@bp.route("/members/<int:member_id>/end", methods=["POST"])
@require("committee.manage")
def end_term(member_id: int):
    member = db.get_or_404(CommitteeMember, member_id)
    try:
        services.end_term(current_user, member)
    except DomainError as error:
        db.session.rollback()
        flash(error.message)
    else:
        db.session.commit()
    return redirect(url_for("committee.index") + "#members")


@bp.route("/meetings", methods=["POST"])
@require("committee.manage")
def add_meeting():
    form = MeetingForm()
    try:
        meeting = services.create_meeting(current_user, form.data)
    except DomainError as error:
        db.session.rollback()
        _errors_into(form, error)
        return _index(meeting_form=form, status=422)
    db.session.commit()
    return redirect(url_for("committee.meeting", meeting_id=meeting.id))


def _meeting_page(meeting: CommitteeMeeting, form: MeetingForm | None = None, vote_error=None, status: int = 200):
    present = (
        services.present_ids(meeting) if form is None else {database_id(v) for v in request.form.getlist("present")}
    )
    decided_here = db.session.scalars(
        db.select(CommitteeDecision).where(CommitteeDecision.meeting_id == meeting.id)
    ).all()
    return (
        render_template(
            "committee/meeting.html",
            meeting=meeting,
            form=form or MeetingForm(formdata=None, obj=meeting, version=meeting.version),
            sitting=services.sitting_members(meeting.held_on),
            present=present,
            quorum=services.quorum(meeting),
            waiting=services.proposals("waiting"),
            decided=decided_here,
            votes=VOTES,
            vote_error=vote_error,
            button=ButtonForm(formdata=None),
        ),
        status,
    )


@bp.route("/meetings/<int:meeting_id>")
@require("committee.read")
def meeting(meeting_id: int):
    return _meeting_page(db.get_or_404(CommitteeMeeting, meeting_id))


@bp.route("/meetings/<int:meeting_id>", methods=["POST"])
@require("committee.manage")
def update_meeting(meeting_id: int):
    meeting = db.get_or_404(CommitteeMeeting, meeting_id)
    form = MeetingForm()
    present = {pid for v in request.form.getlist("present") if (pid := database_id(v))}
    try:
        services.update_meeting(current_user, meeting, form.minutes.data, present, database_id(form.version.data) or -1)
    except DomainError as error:
        db.session.rollback()
        _errors_into(form, error)
        return _meeting_page(meeting, form, status=409 if isinstance(error, StaleVersion) else 422)
    db.session.commit()
    flash(gettext("Minutes and attendance saved."))
    return redirect(url_for("committee.meeting", meeting_id=meeting.id))


@bp.route("/proposals", methods=["POST"])
@require("committee.manage")
def propose():
    form = _proposal_form(ProposalForm())
    raw = dict(form.data)
    # The pattern page's promote form, when governance is on, posts here with its own field names.
    raw["pattern_keys"] = request.form.getlist("pattern_keys") or request.form.getlist("keys")
    raw["title"] = raw.get("title") or request.form.get("title", "")
    raw["details"] = raw.get("details") or request.form.get("issue_statement", "")
    try:
        decision = services.propose(current_user, raw)
    except DomainError as error:
        db.session.rollback()
        _errors_into(form, error)
        return _index(proposal_form=form, status=422)
    db.session.commit()
    flash(gettext("Proposal #%(id)s waits for the committee's vote.", id=decision.id))
    return redirect(url_for("committee.proposal", decision_id=decision.id))


@bp.route("/proposals/<int:decision_id>")
@require("committee.read")
def proposal(decision_id: int):
    decision = db.get_or_404(CommitteeDecision, decision_id)
    return render_template(
        "committee/proposal.html",
        decision=decision,
        votes=services.votes(decision),
        vote_labels=VOTES,
        labels=pattern_labels(decision.pattern_keys),
        meetings=services.meetings(),
    )


@bp.route("/meetings/<int:meeting_id>/proposals/<int:decision_id>/vote", methods=["POST"])
@require("committee.manage")
def vote(meeting_id: int, decision_id: int):
    meeting = db.get_or_404(CommitteeMeeting, meeting_id)
    decision = db.get_or_404(CommitteeDecision, decision_id)
    ButtonForm()  # CSRF is checked by the extension; the votes are read as a list
    cast = {
        mid: value
        for name, value in request.form.items()
        if name.startswith("vote-") and (mid := database_id(name.removeprefix("vote-")))
    }
    try:
        services.decide(current_user, decision, meeting, cast)
    except DomainError as error:
        db.session.rollback()
        message = " ".join(sum(error.errors.values(), [])) if isinstance(error, ValidationFailed) else error.message
        if decision.status != "waiting":
            flash(
                gettext("Not recorded: %(message)s", message=message)
            )  # a decided proposal has no vote form to show it at
        return _meeting_page(meeting, vote_error=(decision.id, message), status=422)
    db.session.commit()
    flash(gettext("Proposal #%(id)s: %(status_label)s.", id=decision.id, status_label=decision.status_label.lower()))
    if decision.campaign_id and decision.kind == "promote" and decision.status == "approved":
        return redirect(url_for("campaigns.detail", campaign_id=decision.campaign_id))
    return redirect(url_for("committee.meeting", meeting_id=meeting.id))


@bp.route("/governance", methods=["POST"])
@require("committee.govern")
def set_governance():
    ButtonForm()
    on = request.form.get("on") == "1"
    services.set_governance(current_user, on)
    db.session.commit()
    flash(gettext("Governance is on: the committee decides.") if on else gettext("Governance is off."))
    return redirect(url_for("committee.index"))
