"""People who opted in, and call lists. Thin views: read the form, call a verb, commit."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from caseflow.accounts.permissions import can, require
from caseflow.campaigns.services import staff_choices
from caseflow.concerns.services import can_view
from caseflow.errors import DomainError, StaleVersion, ValidationFailed
from caseflow.extensions import db
from caseflow.models import Campaign, CampaignAction, Concern, Convening
from caseflow.models.people import SOURCES, Person
from caseflow.patterns.keys import PatternKey
from caseflow.patterns.labels import pattern_labels
from caseflow.people import ladder, services
from caseflow.people.forms import CallForm, InterestForm, PersonForm, WithdrawForm
from caseflow.web import database_id

bp = Blueprint("people", __name__, url_prefix="/people")


@bp.app_template_global("person_for_concern")
def person_for_concern(concern: Concern) -> Person | None:
    """For a concern page the viewer may already read: whether its client's consent is recorded."""
    return services.person_for_concern(concern)


def _person_or_404(person_id: int) -> Person:
    person = db.session.get(Person, person_id)
    if person is None:
        abort(404)
    return person


def _show_errors(form, error: DomainError) -> None:
    errors = error.errors if isinstance(error, ValidationFailed) else {error.field or "": [error.message]}
    for name, messages in errors.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors or []) + messages
        else:
            form.form_errors.extend(messages)


def _campaign_choices(form: PersonForm | InterestForm, blank: str) -> None:
    form.campaign_id.choices = [("", blank)] + [(str(c.id), c.title) for c in services.campaign_choices()]


def _chosen_campaign(value) -> Campaign | None:
    campaign_id = database_id(value)
    return db.session.get(Campaign, campaign_id) if campaign_id else None


@bp.route("/")
@require("person.read")
def index():
    page = db.paginate(
        services.people_query(),
        page=min(max(request.args.get("page", 1, type=int) or 1, 1), 100_000),
        per_page=50,
        error_out=False,
    )
    return render_template("people/index.html", page=page, sources=SOURCES)


@bp.route("/new", methods=["GET", "POST"])
@require("person.manage")
def new():
    form = PersonForm()
    _campaign_choices(form, gettext("No campaign yet"))
    if request.method == "POST":
        try:
            data = services.parse_person(form.raw())
            person = services.add_person(current_user, data, _chosen_campaign(form.campaign_id.data))
        except DomainError as error:
            db.session.rollback()
            _show_errors(form, error)
            return render_template("people/form.html", form=form, person=None, concern=None), 422
        db.session.commit()
        flash(gettext("Saved. Their contact details are encrypted and shown only to organizers and directors."))
        return redirect(url_for("people.detail", person_id=person.id))
    return render_template("people/form.html", form=form, person=None, concern=None)


@bp.route("/from-concern/<int:concern_id>", methods=["GET", "POST"])
@require("person.consent")
def from_concern(concern_id: int):
    """The caseworker asks the client of a concern, and records their consent and contact."""
    concern = db.session.get(Concern, concern_id)
    if concern is None or not can_view(current_user, concern):
        abort(404)
    form = PersonForm()
    del form.campaign_id
    if request.method == "GET" and not form.language.data:
        form.language.data = concern.language
    existing = services.person_for_concern(concern) is not None
    if request.method == "POST":
        try:
            person = services.record_consent(current_user, concern, services.parse_person(form.raw()))
        except DomainError as error:
            db.session.rollback()
            _show_errors(form, error)
            return render_template("people/form.html", form=form, concern=concern, existing=existing), 422
        db.session.commit()
        flash(gettext("Consent and contact recorded. Organizers can now invite the client."))
        if can("person.read"):
            return redirect(url_for("people.detail", person_id=person.id))
        return redirect(url_for("concerns.detail", concern_id=concern.id))
    return render_template("people/form.html", form=form, concern=concern, existing=existing)


@bp.route("/<int:person_id>")
@require("person.read")
def detail(person_id: int):
    person = _person_or_404(person_id)
    interest_form = InterestForm(formdata=None)
    _campaign_choices(interest_form, gettext("Choose…"))
    return render_template(
        "people/detail.html",
        person=person,
        sources=SOURCES,
        concerns=services.linked_concerns(current_user, person),
        interests=services.interests(person),
        calls=services.calls_for(person),
        rungs=ladder.ladder(person),
        interest_form=interest_form,
        withdraw_form=WithdrawForm(formdata=None, version=person.version),
        pattern_names=pattern_labels({c.pattern_key for c in services.calls_for(person) if c.pattern_key}),
    )


@bp.route("/<int:person_id>/edit", methods=["GET", "POST"])
@require("person.manage")
def edit(person_id: int):
    person = _person_or_404(person_id)
    if person.is_withdrawn:
        abort(404)
    form = PersonForm(obj=person) if request.method == "GET" else PersonForm()
    del form.campaign_id
    del form.consent
    if request.method == "GET":
        form.version.data = str(person.version)
    else:
        try:
            version = database_id(form.version.data) or -1
            services.update_person(
                current_user, person, services.parse_person(form.raw(), consent_required=False), version
            )
        except DomainError as error:
            db.session.rollback()
            _show_errors(form, error)
            status = 409 if isinstance(error, StaleVersion) else 422
            return render_template("people/form.html", form=form, person=person, concern=None), status
        db.session.commit()
        flash(gettext("Saved."))
        return redirect(url_for("people.detail", person_id=person.id))
    return render_template("people/form.html", form=form, person=person, concern=None)


@bp.route("/<int:person_id>/withdraw", methods=["POST"])
@require("person.manage")
def withdraw(person_id: int):
    person = _person_or_404(person_id)
    form = WithdrawForm()
    try:
        services.withdraw(current_user, person, database_id(form.version.data) or -1)
    except DomainError as error:
        db.session.rollback()
        flash(error.message)
        return redirect(url_for("people.detail", person_id=person.id))
    db.session.commit()
    flash(gettext("Consent withdrawn: their contact details are erased and they are no longer linked to any concern."))
    return redirect(url_for("people.detail", person_id=person.id))


@bp.route("/<int:person_id>/interests", methods=["POST"])
@require("person.manage")
def add_interest(person_id: int):
    person = _person_or_404(person_id)
    campaign = _chosen_campaign(InterestForm().campaign_id.data)
    if campaign is None:
        flash(gettext("Choose a campaign."))
        return redirect(url_for("people.detail", person_id=person.id))
    try:
        services.add_interest(current_user, person, campaign)
    except DomainError as error:
        db.session.rollback()
        flash(error.message)
        return redirect(url_for("people.detail", person_id=person.id))
    db.session.commit()
    return redirect(url_for("people.detail", person_id=person.id))


def _pattern_key_or_404(value: str | None) -> PatternKey:
    key = PatternKey.parse(value or "")
    if key is None:
        abort(404)
    return key


def _call_list_page(*, key: PatternKey | None, campaign: Campaign | None, failed=None, status: int = 200):
    if campaign is not None:
        title, rows = campaign.title, services.campaign_call_list(campaign)
        calls = services.list_calls(campaign_id=campaign.id)
    else:
        title, rows = pattern_labels([str(key)]).get(str(key), str(key)), services.pattern_call_list(key)
        calls = services.list_calls(pattern_key=str(key))
    hidden = {"campaign_id": str(campaign.id)} if campaign else {"pattern_key": str(key)}
    forms = {row.person.id: CallForm(formdata=None, prefix=f"p{row.person.id}", **hidden) for row in rows}
    if failed is not None:
        forms[failed[0]] = failed[1]
    return (
        render_template(
            "people/call_list.html",
            title=title,
            rows=rows,
            calls=calls,
            campaign=campaign,
            pattern_key=None if campaign else str(key),
            forms=forms,
        ),
        status,
    )


@bp.route("/calls/pattern")
@require("person.read")
def pattern_calls():
    return _call_list_page(key=_pattern_key_or_404(request.args.get("key")), campaign=None)


@bp.route("/calls/campaign/<int:campaign_id>")
@require("person.read")
def campaign_calls(campaign_id: int):
    return _call_list_page(key=None, campaign=db.get_or_404(Campaign, campaign_id))


@bp.route("/<int:person_id>/calls", methods=["POST"])
@require("person.manage")
def log_call(person_id: int):
    """A call logged from a call list; each row's form has the person's prefix (several share a page)."""
    person = _person_or_404(person_id)
    form = CallForm(prefix=f"p{person.id}")
    campaign = _chosen_campaign(form.campaign_id.data)
    key = PatternKey.parse(form.pattern_key.data or "") if campaign is None else None
    if campaign is None and key is None:
        flash(gettext("A call belongs to a call list (a pattern or a campaign)."))
        return redirect(url_for("people.detail", person_id=person.id))
    try:
        services.log_call(
            current_user,
            person,
            {"outcome": form.outcome.data, "notes": form.notes.data},
            campaign=campaign,
            pattern_key=str(key) if key else None,
        )
    except DomainError as error:
        db.session.rollback()
        _show_errors(form, error)
        return _call_list_page(key=key, campaign=campaign, failed=(person.id, form), status=422)
    db.session.commit()
    flash(gettext("Call to %(label)s logged.", label=person.label))
    back = (
        url_for("people.campaign_calls", campaign_id=campaign.id)
        if campaign
        else url_for("people.pattern_calls", key=str(key))
    )
    return redirect(back + f"#person-{person.id}")


# --- Attendance, shared by campaign actions and convenings (convenings.routes) ----------------


def _people_from(form) -> dict[int, str]:
    out: dict[int, str] = {}
    for name, value in form.items():
        if name.startswith("person-") and (pid := database_id(name.removeprefix("person-"))):
            out[pid] = value
    return out


def attendance_page(
    *,
    title: str,
    back: str,
    action: CampaignAction | None = None,
    convening: Convening | None = None,
    with_sign_ups: bool = False,
):
    form = WithdrawForm()  # CSRF only
    errors: dict[str, list[str]] = {}
    current = ladder.roll(action=action, convening=convening)
    if request.method == "POST":
        people = _people_from(request.form)
        staff = {uid for v in request.form.getlist("staff") if (uid := database_id(v))}
        try:
            ladder.set_attendance(current_user, people, staff, action=action, convening=convening)
        except ValidationFailed as error:
            db.session.rollback()
            errors = error.errors
            current = ladder.Roll(people=people, staff=staff, signed_up=0, came_people=0, came_staff=0)
        else:
            db.session.commit()
            flash(gettext("Attendance saved."))
            return redirect(back)
    statuses = dict(ladder.STATUSES)
    if not with_sign_ups:
        statuses.pop("signed_up")
    return (
        render_template(
            "people/attendance.html",
            title=title,
            back=back,
            form=form,
            people=db.session.scalars(services.people_query()).all(),
            staff=staff_choices(),
            roll=current,
            statuses=statuses,
            errors=errors,
        ),
        422 if errors else 200,
    )


@bp.route("/attendance/action/<int:action_id>", methods=["GET", "POST"])
@require("person.manage")
def action_attendance(action_id: int):
    """Who came to a campaign action, and who spoke or led it: the ladder reads these rows."""
    action = db.get_or_404(CampaignAction, action_id)
    return attendance_page(
        action=action,
        title=f"{action.title} ({action.occurred_on.isoformat()})",
        back=url_for("campaigns.step", campaign_id=action.campaign_id, step="action"),
    )
