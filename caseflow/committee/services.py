"""Verbs and queries for the advisory committee. Services flush and audit; the caller commits.

Quorum: more than half of the members sitting on the meeting's date (their term covers it) are
present, and at least one of those present is a community member (a person, not staff). A vote
needs quorum among its voters too: more than half of the sitting members cast a vote (abstaining
counts as voting), only members present and sitting may vote, and at least one voter is a
community member. A proposal carries when more vote for than against.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext
from sqlalchemy import and_, or_, select

from caseflow.audit.services import record
from caseflow.dates import today
from caseflow.errors import DomainError, StaleVersion, ValidationFailed
from caseflow.extensions import db
from caseflow.governance import GATED_STEPS, forget, governance_on
from caseflow.models import (
    Campaign,
    CommitteeDecision,
    CommitteeMeeting,
    CommitteeMember,
    CommitteeSettings,
    CommitteeVote,
    MeetingPresence,
    PatternState,
    Person,
    User,
)
from caseflow.models.base import utcnow
from caseflow.models.committee import VOTES
from caseflow.patterns.keys import PatternKey
from caseflow.validation import clean_date


def _text(raw, name, errors, limit: int, required: str | None = None) -> str:
    value = raw.get(name)
    value = "" if value is None else value
    if not isinstance(value, str) or len(value) > limit or "\x00" in value:
        errors.setdefault(name, []).append(
            gettext("Use at most %(limit)s characters of plain text.", limit=format(limit, ","))
        )
        return ""
    value = value.strip()
    if required and not value:
        errors.setdefault(name, []).append(required)
    return value


def _id(raw, name) -> int | None:
    try:
        value = int(raw.get(name) or 0)
    except (TypeError, ValueError):
        return None
    return value if 0 < value < 2**31 else None


# --- Settings --------------------------------------------------------------------------------


def set_governance(actor, on: bool) -> None:
    row = db.session.get(CommitteeSettings, 1) or CommitteeSettings(id=1)
    row.governance_on, row.updated_by_id = bool(on), actor.id
    db.session.add(row)
    record("committee.governance", actor, object_type="committee_settings", object_id=1, on=bool(on))
    db.session.flush()
    forget()


# --- Members and terms -----------------------------------------------------------------------


def _sitting(day: date):
    return and_(
        CommitteeMember.term_start <= day, or_(CommitteeMember.term_end.is_(None), CommitteeMember.term_end >= day)
    )


def members() -> list[CommitteeMember]:
    return list(
        db.session.scalars(select(CommitteeMember).order_by(CommitteeMember.term_start.desc(), CommitteeMember.id))
    )


def sitting_members(day: date) -> list[CommitteeMember]:
    return list(db.session.scalars(select(CommitteeMember).where(_sitting(day)).order_by(CommitteeMember.id)))


def add_member(actor, raw) -> CommitteeMember:
    errors: dict[str, list[str]] = {}
    person_id, user_id = _id(raw, "person_id"), _id(raw, "user_id")
    if bool(person_id) == bool(user_id):
        errors["person_id"] = [gettext("Choose one community member or one member of staff.")]
    elif person_id:
        person = db.session.get(Person, person_id)
        if person is None or person.is_withdrawn:
            errors["person_id"] = [gettext("Choose a person who opted in.")]
    elif db.session.get(User, user_id) is None:
        errors["user_id"] = [gettext("Choose a member of staff.")]
    start = clean_date(raw, "term_start", errors, required=gettext("When does the term start?"))
    end = clean_date(raw, "term_end", errors)
    if start and end and end < start:
        errors["term_end"] = [gettext("A term ends after it starts.")]
    if not errors:
        who = CommitteeMember.person_id == person_id if person_id else CommitteeMember.user_id == user_id
        overlap = db.session.scalar(
            select(CommitteeMember.id).where(
                who,
                or_(CommitteeMember.term_end.is_(None), CommitteeMember.term_end >= start),
                CommitteeMember.term_start <= (end or date.max),
            )
        )
        if overlap:
            errors["term_start"] = [gettext("They already sit on the committee for part of this term.")]
    if errors:
        raise ValidationFailed(errors)
    member = CommitteeMember(person_id=person_id, user_id=user_id, term_start=start, term_end=end, added_by_id=actor.id)
    db.session.add(member)
    db.session.flush()
    record(
        "committee.member_add", actor, member, term_start=start.isoformat(), seat="community" if person_id else "staff"
    )
    return member


def end_term(actor, member: CommitteeMember, on: date | None = None) -> None:
    on = on or today()
    if member.term_end is not None and member.term_end <= on:
        raise DomainError(gettext("This term has already ended."))
    member.term_end = max(on, member.term_start)
    record("committee.member_end", actor, member, term_end=member.term_end.isoformat())
    db.session.flush()


# --- Meetings and quorum ---------------------------------------------------------------------


def create_meeting(actor, raw) -> CommitteeMeeting:
    errors: dict[str, list[str]] = {}
    held_on = clean_date(raw, "held_on", errors, required=gettext("When does the committee meet?"))
    minutes = _text(raw, "minutes", errors, 50_000)
    if errors:
        raise ValidationFailed(errors)
    meeting = CommitteeMeeting(held_on=held_on, minutes=minutes, created_by_id=actor.id)
    db.session.add(meeting)
    db.session.flush()
    record("committee.meeting_add", actor, meeting, held_on=held_on.isoformat())
    return meeting


def present_ids(meeting: CommitteeMeeting) -> set[int]:
    return set(db.session.scalars(select(MeetingPresence.member_id).where(MeetingPresence.meeting_id == meeting.id)))


def update_meeting(actor, meeting: CommitteeMeeting, minutes, present: set[int], version: int) -> None:
    if version != meeting.version:
        raise StaleVersion()
    errors: dict[str, list[str]] = {}
    minutes = _text({"minutes": minutes}, "minutes", errors, 50_000)
    sitting = {m.id for m in sitting_members(meeting.held_on)}
    if present - sitting:
        errors["present"] = [gettext("Only members whose term covers the meeting's date can be present.")]
    if errors:
        raise ValidationFailed(errors)
    before = present_ids(meeting)
    for member_id in before - present:
        db.session.delete(db.session.get(MeetingPresence, (meeting.id, member_id)))
    for member_id in present - before:
        db.session.add(MeetingPresence(meeting_id=meeting.id, member_id=member_id))
    meeting.minutes = minutes
    meeting.version += 1
    record("committee.meeting_update", actor, meeting, present=len(present))
    db.session.flush()


@dataclass
class Quorum:
    sitting: int
    present: int
    needed: int
    community_present: int

    @property
    def met(self) -> bool:
        return self.sitting > 0 and self.present >= self.needed and self.community_present >= 1

    @property
    def words(self) -> str:
        numbers = {"present": self.present, "sitting": self.sitting, "needed": self.needed}
        if self.met:
            return gettext(
                "%(present)s of %(sitting)s sitting members present; quorum is %(needed)s with at least one "
                "community member: quorum.",
                **numbers,
            )
        if self.present >= self.needed:
            return gettext(
                "%(present)s of %(sitting)s sitting members present; quorum is %(needed)s with at least one "
                "community member: no community member present, so no quorum.",
                **numbers,
            )
        return gettext(
            "%(present)s of %(sitting)s sitting members present; quorum is %(needed)s with at least one "
            "community member: no quorum.",
            **numbers,
        )


def _quorum(sitting: list[CommitteeMember], counted: set[int]) -> Quorum:
    return Quorum(
        sitting=len(sitting),
        present=sum(1 for m in sitting if m.id in counted),
        needed=len(sitting) // 2 + 1,
        community_present=sum(1 for m in sitting if m.id in counted and m.is_constituent),
    )


def quorum(meeting: CommitteeMeeting) -> Quorum:
    return _quorum(sitting_members(meeting.held_on), present_ids(meeting))


def meetings() -> list[CommitteeMeeting]:
    return list(db.session.scalars(select(CommitteeMeeting).order_by(CommitteeMeeting.held_on.desc())))


# --- Proposals and votes ---------------------------------------------------------------------


def propose(actor, raw) -> CommitteeDecision:
    """Put a question to the committee: patterns to become a campaign, a campaign entering a
    gated step, or anything else it should decide."""
    errors: dict[str, list[str]] = {}
    kind = raw.get("kind")
    title = _text(raw, "title", errors, 300)
    details = _text(raw, "details", errors, 10_000)
    keys: list[str] = []
    campaign = None
    step = None
    if kind == "promote":
        wanted = raw.get("pattern_keys") or []
        wanted = [wanted] if isinstance(wanted, str) else wanted
        parsed = [PatternKey.parse(k) if isinstance(k, str) else None for k in wanted]
        if not parsed or None in parsed:
            errors["pattern_keys"] = [gettext("Choose at least one pattern.")]
        else:
            keys = list(dict.fromkeys(str(p) for p in parsed))
            taken = db.session.scalars(
                select(PatternState.key).where(PatternState.key.in_(keys), PatternState.state == "promoted")
            ).all()
            if taken:
                errors["pattern_keys"] = [gettext("Already a campaign: %(taken)s.", taken=", ".join(taken))]
        if not title:
            errors.setdefault("title", []).append(gettext("Give the proposed campaign a title."))
    elif kind == "enter_step":
        campaign = db.session.get(Campaign, _id(raw, "campaign_id") or 0)
        step = raw.get("for_step")
        if campaign is None:
            errors["campaign_id"] = [gettext("Choose a campaign.")]
        if step not in GATED_STEPS:
            errors["for_step"] = [
                gettext("The committee approves entry to: %(gated_steps)s.", gated_steps=", ".join(GATED_STEPS))
            ]
        if campaign is not None and not title:
            title = f"{campaign.title}: enter {step}"
    elif kind == "general":
        if not title:
            errors.setdefault("title", []).append(gettext("What should the committee decide?"))
    else:
        errors["kind"] = [gettext("Choose what the committee is asked to decide.")]
    if errors:
        raise ValidationFailed(errors)
    decision = CommitteeDecision(
        kind=kind,
        title=title,
        details=details,
        pattern_keys=keys,
        campaign_id=campaign.id if campaign else None,
        for_step=step,
        proposed_by_id=actor.id,
    )
    db.session.add(decision)
    db.session.flush()
    record("committee.propose", actor, decision, kind=kind, pattern_keys=keys, campaign_id=decision.campaign_id)
    return decision


def votes(decision: CommitteeDecision) -> list[CommitteeVote]:
    return list(db.session.scalars(select(CommitteeVote).where(CommitteeVote.decision_id == decision.id)))


def decide(actor, decision: CommitteeDecision, meeting: CommitteeMeeting | None, cast: dict[int, str]):
    """Record each member's vote at a meeting with quorum; the majority decides. An approved
    promotion creates the campaign (the committee's authority, not the proposer's)."""
    if decision.status != "waiting":
        raise DomainError(
            gettext("This proposal was already decided: %(status_label)s.", status_label=decision.status_label.lower()),
            field="votes",
        )
    errors: dict[str, list[str]] = {}
    if meeting is None:
        raise ValidationFailed({"meeting_id": [gettext("Choose the meeting at which the committee voted.")]})
    cast = {mid: v for mid, v in cast.items() if v}
    if any(v not in VOTES for v in cast.values()):
        errors["votes"] = [gettext("Each vote is for, against or abstain.")]
    sitting = sitting_members(meeting.held_on)
    present = present_ids(meeting)
    allowed = {m.id for m in sitting if m.id in present}
    if set(cast) - allowed:
        errors["votes"] = [gettext("Only members present at the meeting, and sitting on its date, can vote.")]
    if errors:
        raise ValidationFailed(errors)
    at_meeting = _quorum(sitting, present)
    voting = _quorum(sitting, set(cast))
    if not at_meeting.met:
        raise ValidationFailed(
            {"meeting_id": [gettext("No quorum at this meeting: %(words)s", words=at_meeting.words)]}
        )
    if not voting.met:
        raise ValidationFailed(
            {
                "votes": [
                    gettext(
                        "Not enough votes for a decision: %(present)s cast, %(needed)s needed, with a community member.",
                        present=voting.present,
                        needed=voting.needed,
                    )
                ]
            }
        )
    for member_id, vote in cast.items():
        db.session.add(CommitteeVote(decision_id=decision.id, member_id=member_id, vote=vote))
    tally = {v: sum(1 for x in cast.values() if x == v) for v in VOTES}
    decision.status = "approved" if tally["for"] > tally["against"] else "rejected"
    decision.meeting_id, decision.decided_at, decision.recorded_by_id = meeting.id, utcnow(), actor.id
    db.session.flush()
    record("committee.decide", actor, decision, outcome=decision.status, **tally)
    if decision.kind == "promote" and decision.status == "approved":
        from caseflow.patterns.services import promote_patterns  # noqa: PLC0415 (patterns asks the gate)

        campaign = promote_patterns(actor, decision.pattern_keys, decision.title, decision.details, by_committee=True)
        decision.campaign_id = campaign.id
        db.session.flush()
    return decision


def proposals(status: str | None = None, campaign_id: int | None = None) -> list[CommitteeDecision]:
    query = select(CommitteeDecision).order_by(CommitteeDecision.proposed_at.desc(), CommitteeDecision.id.desc())
    if campaign_id is not None:
        query = query.where(CommitteeDecision.campaign_id == campaign_id)
    if status:
        query = query.where(CommitteeDecision.status == status)
    return list(db.session.scalars(query))


def is_governance_on() -> bool:
    return governance_on()
