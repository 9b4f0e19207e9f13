"""/api/v1 for people (organizer scope), attendance and the committee's decisions.

A person's name and contact come back only to tokens whose user holds `person.contact_api`; no
answer ever links a person to a concern.
"""

from __future__ import annotations

from flask import jsonify

from caseflow.accounts.permissions import allowed_here, current_actor, require
from caseflow.api.blueprint import bp, json_body
from caseflow.committee import services as committee
from caseflow.dates import today
from caseflow.errors import StaleVersion, ValidationFailed
from caseflow.extensions import db
from caseflow.models import CampaignAction, CommitteeDecision, CommitteeMeeting, CommitteeMember, Convening, Person
from caseflow.models.committee import VOTES
from caseflow.people import ladder, services
from caseflow.people.services import CONTACT_FIELDS


def person_json(person: Person, rungs: ladder.Rungs | None = None) -> dict:
    rungs = rungs or ladder.Rungs()
    out = {
        "id": person.id,
        "language": person.language,
        "channel": person.channel,
        "source": person.source,
        "consent_on": person.consent_on.isoformat(),
        "withdrawn": person.is_withdrawn,
        "version": person.version,
        "ladder": {rung: (getattr(rungs, rung).isoformat() if getattr(rungs, rung) else None) for rung in ladder.RUNGS},
    }
    if allowed_here("person.contact_api"):
        out.update({field: getattr(person, field) for field in CONTACT_FIELDS})
    return out


def _person_or_404(person_id: int) -> Person:
    return db.get_or_404(Person, person_id)


@bp.get("/v1/people")
@require("person.api")
def people_list():
    people = db.session.scalars(services.people_query()).all()
    rungs = ladder.ladders([p.id for p in people])
    return jsonify(items=[person_json(p, rungs.get(p.id)) for p in people])


@bp.post("/v1/people")
@require("person.manage")
def people_create():
    body = json_body()
    raw = {k: body.get(k) for k in ("consent", "name", "phone", "email", "address", "language", "channel")}
    raw["consent"] = "yes" if body.get("consent") is True else ""
    for key in ("name", "phone", "email", "address", "language", "channel"):
        if raw[key] is not None and not isinstance(raw[key], str):
            raise ValidationFailed({key: ["Send text."]})
    campaign = None
    if body.get("campaign_id") is not None:
        from caseflow.models import Campaign

        value = body["campaign_id"]
        campaign = db.session.get(Campaign, value) if isinstance(value, int) and 0 < value < 2**31 else None
        if campaign is None:
            raise ValidationFailed({"campaign_id": ["No such campaign."]})
    person = services.add_person(current_actor(), services.parse_person(raw), campaign)
    db.session.commit()
    return jsonify(person_json(person)), 201


@bp.get("/v1/people/<int:person_id>")
@require("person.api")
def people_get(person_id: int):
    person = _person_or_404(person_id)
    return jsonify(person_json(person, ladder.ladder(person)))


@bp.post("/v1/people/<int:person_id>/withdraw")
@require("person.manage")
def people_withdraw(person_id: int):
    person = _person_or_404(person_id)
    body = json_body()
    version = body.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise ValidationFailed({"version": ["Send the person's version as an integer."]})
    if person.is_withdrawn:
        return jsonify(person_json(person))
    if version != person.version:
        raise StaleVersion()
    services.withdraw(current_actor(), person, version)
    db.session.commit()
    return jsonify(person_json(person))


# --- Attendance --------------------------------------------------------------------------------


def roll_json(roll: ladder.Roll) -> dict:
    return {
        "people": [{"person_id": pid, "status": status} for pid, status in sorted(roll.people.items()) if status],
        "staff": sorted(roll.staff),
        "signed_up": roll.signed_up,
        "people_came": roll.came_people,
        "staff_came": roll.came_staff,
    }


def _roll_from(body: dict, with_sign_ups: bool) -> tuple[dict[int, str], set[int]]:
    people, staff = body.get("people", []), body.get("staff", [])
    errors: dict[str, list[str]] = {}
    statuses = set(ladder.STATUSES) - {""} - (set() if with_sign_ups else {"signed_up"})
    out: dict[int, str] = {}
    if not isinstance(people, list) or not all(
        isinstance(p, dict)
        and isinstance(p.get("person_id"), int)
        and not isinstance(p.get("person_id"), bool)
        and p.get("status") in statuses
        for p in people
    ):
        errors["people"] = [f"A list of {{person_id, status}}; status one of {', '.join(sorted(statuses))}."]
    else:
        out = {p["person_id"]: p["status"] for p in people}
    if not isinstance(staff, list) or not all(isinstance(s, int) and not isinstance(s, bool) for s in staff):
        errors["staff"] = ["A list of staff user ids."]
    if errors:
        raise ValidationFailed(errors)
    return out, set(staff)


@bp.get("/v1/convenings/<int:convening_id>/attendance")
@require("convening.read")
def convening_attendance(convening_id: int):
    return jsonify(roll_json(ladder.roll(convening=db.get_or_404(Convening, convening_id))))


@bp.post("/v1/convenings/<int:convening_id>/attendance")
@require("convening.manage")
def convening_attendance_set(convening_id: int):
    convening = db.get_or_404(Convening, convening_id)
    people, staff = _roll_from(json_body(), with_sign_ups=True)
    roll = ladder.set_attendance(current_actor(), people, staff, convening=convening)
    db.session.commit()
    return jsonify(roll_json(roll))


@bp.get("/v1/actions/<int:action_id>/attendance")
@require("person.read")
def action_attendance(action_id: int):
    return jsonify(roll_json(ladder.roll(action=db.get_or_404(CampaignAction, action_id))))


@bp.post("/v1/actions/<int:action_id>/attendance")
@require("person.manage")
def action_attendance_set(action_id: int):
    action = db.get_or_404(CampaignAction, action_id)
    people, staff = _roll_from(json_body(), with_sign_ups=False)
    roll = ladder.set_attendance(current_actor(), people, staff, action=action)
    db.session.commit()
    return jsonify(roll_json(roll))


# --- The committee's decisions -----------------------------------------------------------------


def decision_json(decision: CommitteeDecision) -> dict:
    votes = committee.votes(decision)
    return {
        "meeting_id": decision.meeting_id,
        "decided_at": decision.decided_at.isoformat(timespec="seconds") if decision.decided_at else None,
        "votes_cast": sorted(({"member_id": v.member_id, "vote": v.vote} for v in votes), key=lambda v: v["member_id"]),
        "id": decision.id,
        "kind": decision.kind,
        "title": decision.title,
        "details": decision.details,
        "status": decision.status,
        "pattern_keys": list(decision.pattern_keys or []),
        "campaign_id": decision.campaign_id,
        "for_step": decision.for_step,
        "meeting_on": decision.meeting.held_on.isoformat() if decision.meeting else None,
        "votes": {v: sum(1 for x in votes if x.vote == v) for v in ("for", "against", "abstain")},
    }


@bp.get("/v1/committee/decisions")
@require("committee.read")
def committee_decisions():
    return jsonify(items=[decision_json(d) for d in committee.proposals()])


@bp.post("/v1/committee/proposals")
@require("committee.manage")
def committee_propose():
    body = json_body()
    raw = {k: body.get(k) for k in ("kind", "title", "details", "pattern_keys", "campaign_id", "for_step")}
    if raw["pattern_keys"] is not None and not (
        isinstance(raw["pattern_keys"], list) and all(isinstance(k, str) for k in raw["pattern_keys"])
    ):
        raise ValidationFailed({"pattern_keys": ["A list of pattern keys."]})
    if raw["campaign_id"] is not None and (
        isinstance(raw["campaign_id"], bool) or not isinstance(raw["campaign_id"], int)
    ):
        raise ValidationFailed({"campaign_id": ["A campaign id."]})
    decision = committee.propose(current_actor(), raw)
    db.session.commit()
    return jsonify(decision_json(decision)), 201


@bp.get("/v1/committee/decisions/<int:decision_id>")
@require("committee.read")
def committee_decision(decision_id: int):
    return jsonify(decision_json(db.get_or_404(CommitteeDecision, decision_id)))


def _ids(body: dict, name: str, message: str) -> list[int]:
    value = body.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise ValidationFailed({name: [message]})
    return value


@bp.post("/v1/committee/decisions/<int:decision_id>/votes")
@require("committee.manage")
def committee_vote(decision_id: int):
    """Record each member's vote (for, against, abstain) at a meeting: refused (422, nothing
    written) without quorum at the meeting or among the voters, or from a member not present."""
    decision = db.get_or_404(CommitteeDecision, decision_id)
    body = json_body()
    errors: dict[str, list[str]] = {}
    meeting_id = body.get("meeting_id")
    meeting = None
    if isinstance(meeting_id, bool) or not isinstance(meeting_id, int):
        errors["meeting_id"] = ["The id of the meeting at which the committee voted."]
    else:
        meeting = db.session.get(CommitteeMeeting, meeting_id) if 0 < meeting_id < 2**31 else None
        if meeting is None:
            errors["meeting_id"] = ["No such meeting."]
    votes = body.get("votes")
    cast: dict[int, str] = {}
    if not isinstance(votes, list) or not all(
        isinstance(v, dict)
        and isinstance(v.get("member_id"), int)
        and not isinstance(v.get("member_id"), bool)
        and v.get("vote") in VOTES
        for v in votes
    ):
        errors["votes"] = ["A list of {member_id, vote}; vote one of for, against, abstain."]
    else:
        cast = {v["member_id"]: v["vote"] for v in votes}
        if len(cast) != len(votes):
            errors["votes"] = ["One vote per member."]
    if errors:
        raise ValidationFailed(errors)
    committee.decide(current_actor(), decision, meeting, cast)
    db.session.commit()
    return jsonify(decision_json(decision))


def member_json(member: CommitteeMember, on) -> dict:
    return {
        "id": member.id,
        "seat": "community" if member.is_constituent else "staff",
        "person_id": member.person_id,
        "user": member.user.email if member.user_id and member.user else None,
        "term_start": member.term_start.isoformat(),
        "term_end": member.term_end.isoformat() if member.term_end else None,
        "sitting": member.sits_on(on),
    }


@bp.get("/v1/committee/members")
@require("committee.read")
def committee_members():
    on = today()
    return jsonify(items=[member_json(m, on) for m in committee.members()])


def meeting_json(meeting: CommitteeMeeting) -> dict:
    q = committee.quorum(meeting)
    return {
        "id": meeting.id,
        "held_on": meeting.held_on.isoformat(),
        "minutes": meeting.minutes,
        "version": meeting.version,
        "present": sorted(committee.present_ids(meeting)),
        "quorum": {
            "sitting": q.sitting,
            "present": q.present,
            "needed": q.needed,
            "community_present": q.community_present,
            "met": q.met,
        },
    }


@bp.get("/v1/committee/meetings")
@require("committee.read")
def committee_meetings():
    return jsonify(items=[meeting_json(m) for m in committee.meetings()])


@bp.post("/v1/committee/meetings")
@require("committee.manage")
def committee_meeting_create():
    """A meeting with its minutes and the members present (sitting on its date)."""
    body = json_body()
    present = _ids(body, "present", "A list of committee member ids.")
    raw = {"held_on": body.get("held_on"), "minutes": body.get("minutes") or ""}
    if raw["held_on"] is not None and not isinstance(raw["held_on"], str):
        raise ValidationFailed({"held_on": ["A date, YYYY-MM-DD."]})
    meeting = committee.create_meeting(current_actor(), raw)
    if present:
        committee.update_meeting(current_actor(), meeting, meeting.minutes, set(present), meeting.version)
    db.session.commit()
    return jsonify(meeting_json(meeting)), 201
