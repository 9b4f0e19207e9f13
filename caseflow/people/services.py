"""Verbs and queries for opted-in people. Services flush and audit; the caller commits.

Who may see what (the permissions in caseflow.accounts.permissions):
- `person.consent` (caseworkers, organizers): record a client's consent and contact on a concern
  they can read; they never see the person afterwards.
- `person.read` (organizers, directors): people, their contact details and call lists.
- `person.manage` (organizers): add people, edit, withdraw consent, log calls.
- the link between a person and a concern is shown only with record access (`concern.read_all`).
Audit entries name the fields that changed, never their values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext
from sqlalchemy import Select, delete, func, select, update

from caseflow.accounts.permissions import can
from caseflow.audit.services import record
from caseflow.dates import today
from caseflow.errors import DomainError, StaleVersion, ValidationFailed
from caseflow.extensions import db
from caseflow.models import Campaign, CampaignEvidence, Concern
from caseflow.models.people import CALL_OUTCOMES, CHANNELS, CallLog, Person, PersonConcern, PersonInterest
from caseflow.patterns.keys import PatternKey

CONTACT_FIELDS = ("name", "phone", "email", "address")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,}$")
_PHONE = re.compile(r"^[0-9+()./\- ]{7,30}$")
LIMITS = {"name": 120, "phone": 30, "email": 254, "address": 300, "language": 40}


@dataclass
class PersonInput:
    name: str
    phone: str | None
    email: str | None
    address: str | None
    language: str | None
    channel: str


def _text(raw: dict, name: str, errors: dict[str, list[str]]) -> str | None:
    value = str(raw.get(name) or "").strip()
    if len(value) > LIMITS[name]:
        errors.setdefault(name, []).append(gettext("At most %(limit)s characters.", limit=LIMITS[name]))
    return value or None


def parse_person(raw: dict, *, consent_required: bool = True) -> PersonInput:
    """Validate a person's details as typed in a form or sent to the API; raise with every field's error."""
    errors: dict[str, list[str]] = {}
    if consent_required and raw.get("consent") not in (True, "y", "yes", "true", "on", "1"):
        errors["consent"] = [gettext("Ask first: a person is recorded only when they agree to be contacted.")]
    name = _text(raw, "name", errors)
    phone = _text(raw, "phone", errors)
    email = _text(raw, "email", errors)
    address = _text(raw, "address", errors)
    language = _text(raw, "language", errors)
    channel = str(raw.get("channel") or "phone")
    if not name:
        errors.setdefault("name", []).append(gettext("How should we address them? A first name is enough."))
    if phone and not _PHONE.match(phone):
        errors.setdefault("phone", []).append(gettext("Digits, spaces and + ( ) - only, 7 to 30 characters."))
    if email and not _EMAIL.match(email):
        errors.setdefault("email", []).append(gettext("That does not look like an e-mail address."))
    if channel not in CHANNELS:
        errors["channel"] = [gettext("One of: %(channels)s.", channels=", ".join(CHANNELS))]
    else:
        needed = {"phone": phone, "sms": phone, "email": email, "mail": address}.get(channel, "given")
        if not needed:
            field = {"phone": "phone", "sms": "phone", "email": "email", "mail": "address"}[channel]
            errors.setdefault(field, []).append(
                gettext("Needed to reach them by %(channel)s.", channel=CHANNELS[channel].lower())
            )
    if errors:
        raise ValidationFailed(errors)
    return PersonInput(name or "", phone, email, address, language, channel)


def _fill(person: Person, data: PersonInput) -> list[str]:
    changed = []
    for field in (*CONTACT_FIELDS, "language", "channel"):
        value = getattr(data, field)
        if getattr(person, field) != value:
            setattr(person, field, value)
            changed.append(field)
    return changed


# --- Verbs ------------------------------------------------------------------------------------


def person_for_concern(concern: Concern) -> Person | None:
    return db.session.scalar(
        select(Person)
        .join(PersonConcern, PersonConcern.person_id == Person.id)
        .where(PersonConcern.concern_id == concern.id)
    )


def record_consent(actor, concern: Concern, data: PersonInput) -> Person:
    """The client of `concern` agreed to be contacted: a person with their contact, linked to it."""
    if not concern.wants_involvement:
        raise DomainError(gettext("This concern does not say the client wants to be involved."), field="consent")
    if person_for_concern(concern) is not None:
        raise DomainError(gettext("Consent and contact are already recorded for this concern."), field="consent")
    person = Person(source="concern", consent_on=today(), consent_by_id=actor.id)
    _fill(person, data)
    db.session.add(person)
    db.session.flush()
    db.session.add(PersonConcern(person_id=person.id, concern_id=concern.id))
    record("person.consent", actor, person, source="concern", fields=_given(data))
    db.session.flush()
    return person


def add_person(actor, data: PersonInput, campaign: Campaign | None = None) -> Person:
    """An organizer records someone who agreed to be involved (at a meeting, a door, a convening)."""
    person = Person(source="organizer", consent_on=today(), consent_by_id=actor.id)
    _fill(person, data)
    db.session.add(person)
    db.session.flush()
    if campaign is not None:
        db.session.add(PersonInterest(person_id=person.id, campaign_id=campaign.id))
    record("person.consent", actor, person, source="organizer", fields=_given(data))
    db.session.flush()
    return person


def _given(data: PersonInput) -> list[str]:
    return [f for f in (*CONTACT_FIELDS, "language", "channel") if getattr(data, f)]


def update_person(actor, person: Person, data: PersonInput, version: int) -> Person:
    if person.is_withdrawn:
        raise DomainError(gettext("This person withdrew their consent; their record cannot be edited."))
    if version != person.version:
        raise StaleVersion()
    changed = _fill(person, data)
    if changed:
        person.version += 1
        record("person.update", actor, person, fields=changed)
    db.session.flush()
    return person


def add_interest(actor, person: Person, campaign: Campaign) -> None:
    if person.is_withdrawn:
        raise DomainError(gettext("This person withdrew their consent."))
    exists = db.session.get(PersonInterest, (person.id, campaign.id))
    if exists is None:
        db.session.add(PersonInterest(person_id=person.id, campaign_id=campaign.id))
        record("person.interest", actor, person, campaign_id=campaign.id)
        db.session.flush()


def withdraw(actor, person: Person, version: int) -> Person:
    """Consent withdrawn: contact details and call notes erased, every link to a concern or a
    campaign removed. The row stays (as "Person #id") so head-counts of past events still add up."""
    if person.is_withdrawn:
        return person
    if version != person.version:
        raise StaleVersion()
    concerns = db.session.execute(delete(PersonConcern).where(PersonConcern.person_id == person.id)).rowcount
    interests = db.session.execute(delete(PersonInterest).where(PersonInterest.person_id == person.id)).rowcount
    db.session.execute(update(CallLog).where(CallLog.person_id == person.id).values(notes=""))
    for field in CONTACT_FIELDS:
        setattr(person, field, None)
    person.withdrawn_on = today()
    person.version += 1
    record("person.withdraw", actor, person, unlinked_concerns=concerns, unlinked_campaigns=interests)
    db.session.flush()
    return person


def log_call(actor, person: Person, raw: dict, *, campaign: Campaign | None, pattern_key: str | None) -> CallLog:
    errors: dict[str, list[str]] = {}
    outcome = str(raw.get("outcome") or "")
    notes = str(raw.get("notes") or "").strip()
    if outcome not in CALL_OUTCOMES:
        errors["outcome"] = [gettext("Choose how the call went.")]
    if len(notes) > 2000:
        errors["notes"] = [gettext("At most 2000 characters.")]
    if person.is_withdrawn:
        errors["outcome"] = [gettext("This person withdrew their consent: do not contact them.")]
    if errors:
        raise ValidationFailed(errors)
    call = CallLog(
        person_id=person.id,
        campaign_id=campaign.id if campaign else None,
        pattern_key=pattern_key,
        outcome=outcome,
        notes=notes,
        caller_id=actor.id,
    )
    db.session.add(call)
    record("person.call", actor, person, outcome=outcome, campaign_id=call.campaign_id, pattern=pattern_key or "")
    db.session.flush()
    return call


# --- Queries ----------------------------------------------------------------------------------


def people_query(q: str = "", include_withdrawn: bool = False) -> Select:
    query = select(Person).order_by(Person.id.desc())
    if not include_withdrawn:
        query = query.where(Person.withdrawn_on.is_(None))
    return query


def linked_concerns(viewer, person: Person) -> list[Concern]:
    """The concerns a person's consent came from: only for viewers with record access."""
    if not can("concern.read_all", viewer):
        return []
    return list(
        db.session.scalars(
            select(Concern)
            .join(PersonConcern, PersonConcern.concern_id == Concern.id)
            .where(PersonConcern.person_id == person.id, Concern.deleted_at.is_(None))
            .order_by(Concern.occurred_on.desc())
        )
    )


def interests(person: Person) -> list[Campaign]:
    return list(
        db.session.scalars(
            select(Campaign)
            .join(PersonInterest, PersonInterest.campaign_id == Campaign.id)
            .where(PersonInterest.person_id == person.id)
            .order_by(Campaign.title)
        )
    )


def calls_for(person: Person) -> list[CallLog]:
    return list(
        db.session.scalars(
            select(CallLog).where(CallLog.person_id == person.id).order_by(CallLog.called_at.desc(), CallLog.id.desc())
        )
    )


@dataclass
class CallListRow:
    person: Person
    calls: int
    last_outcome: str | None
    last_called_at: datetime | None

    @property
    def last_outcome_label(self) -> str:
        return str(CALL_OUTCOMES.get(self.last_outcome or "", gettext("Not called yet")))


def _call_list(person_ids: Select, *, campaign_id: int | None, pattern_key: str | None) -> list[CallListRow]:
    """The people in `person_ids` who have not withdrawn, with how often this list called them and
    the last outcome (a window function picks each person's latest call, in SQL)."""
    scope = CallLog.campaign_id == campaign_id if campaign_id is not None else CallLog.pattern_key == pattern_key
    ranked = (
        select(
            CallLog.person_id,
            CallLog.outcome,
            CallLog.called_at,
            func.count().over(partition_by=CallLog.person_id).label("calls"),
            func.row_number()
            .over(partition_by=CallLog.person_id, order_by=(CallLog.called_at.desc(), CallLog.id.desc()))
            .label("rank"),
        )
        .where(scope)
        .subquery()
    )
    rows = db.session.execute(
        select(Person, ranked.c.calls, ranked.c.outcome, ranked.c.called_at)
        .outerjoin(ranked, (ranked.c.person_id == Person.id) & (ranked.c.rank == 1))
        .where(Person.id.in_(person_ids), Person.withdrawn_on.is_(None))
        .order_by(Person.language.is_(None), Person.language, Person.channel, Person.id)
    ).all()
    return [CallListRow(p, calls or 0, outcome, at) for p, calls, outcome, at in rows]


def pattern_people(key: PatternKey) -> Select:
    """People whose consent came from a concern this pattern covers."""
    return select(PersonConcern.person_id).where(PersonConcern.concern_id.in_(key.matching_concern_ids()))


def campaign_people(campaign: Campaign) -> Select:
    """People who asked to be involved in a campaign: signed up for it, or consented on its evidence."""
    from_evidence = (
        select(PersonConcern.person_id)
        .join(CampaignEvidence, CampaignEvidence.concern_id == PersonConcern.concern_id)
        .where(CampaignEvidence.campaign_id == campaign.id)
    )
    signed_up = select(PersonInterest.person_id).where(PersonInterest.campaign_id == campaign.id)
    return from_evidence.union(signed_up)


def pattern_call_list(key: PatternKey) -> list[CallListRow]:
    return _call_list(pattern_people(key), campaign_id=None, pattern_key=str(key))


def campaign_call_list(campaign: Campaign) -> list[CallListRow]:
    return _call_list(campaign_people(campaign), campaign_id=campaign.id, pattern_key=None)


def list_calls(*, campaign_id: int | None = None, pattern_key: str | None = None, limit: int = 100) -> list[CallLog]:
    query = select(CallLog).order_by(CallLog.called_at.desc(), CallLog.id.desc()).limit(limit)
    if campaign_id is not None:
        query = query.where(CallLog.campaign_id == campaign_id)
    else:
        query = query.where(CallLog.pattern_key == pattern_key)
    return list(db.session.scalars(query))


def campaign_choices() -> list[Campaign]:
    return list(db.session.scalars(select(Campaign).order_by(Campaign.title)))


def consent_day(person: Person) -> date:
    return person.consent_on
