"""Attendance at actions and convenings, and the leadership ladder read from it.

Rungs (each with the date it was first reached): attended → spoke or testified → led an action →
committee member. Leading counts as speaking up too, so the dates never go down the ladder. A
campaign's "new leaders" are the people whose first time speaking or leading was at one of its
actions or convenings: counted here, in SQL, never typed.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, delete, func, select

from caseflow.audit.services import record
from caseflow.equity.perturbation import MODULUS
from caseflow.equity.policy import Tally
from caseflow.errors import ValidationFailed
from caseflow.extensions import db
from caseflow.models import Attendance, CampaignAction, CommitteeMember, Convening, Person, User
from caseflow.models.convenings import ATTENDANCE_ROLES

STATUSES = {"": _l("—"), "signed_up": _l("Signed up"), **{k: v for k, v in ATTENDANCE_ROLES.items()}}
RUNGS = {
    "attended": _l("Attended"),
    "spoke": _l("Spoke or testified"),
    "led": _l("Led an action"),
    "committee": _l("Committee member"),
}
STEPPED_UP = ("spoke", "led")


@dataclass
class Rungs:
    attended: date | None = None
    spoke: date | None = None
    led: date | None = None
    committee: date | None = None

    @property
    def highest(self) -> str | None:
        for rung in ("committee", "led", "spoke", "attended"):
            if getattr(self, rung):
                return rung
        return None

    def items(self) -> list[tuple[str, str, date | None]]:
        return [(rung, label, getattr(self, rung)) for rung, label in RUNGS.items()]


def _came():
    """Every attendance of a person that happened, with its day and campaign (an action's, or a
    convening's when it has one)."""
    return (
        select(
            Attendance.id,
            Attendance.person_id,
            Attendance.role,
            Attendance.action_id,
            Attendance.convening_id,
            func.coalesce(CampaignAction.occurred_on, Convening.held_on).label("day"),
            func.coalesce(CampaignAction.campaign_id, Convening.campaign_id).label("campaign_id"),
        )
        .outerjoin(CampaignAction, CampaignAction.id == Attendance.action_id)
        .outerjoin(Convening, Convening.id == Attendance.convening_id)
        .where(Attendance.attended.is_(True), Attendance.person_id.is_not(None))
    )


def ladders(person_ids: Iterable[int] | None = None) -> dict[int, Rungs]:
    came = _came().subquery()
    rows = select(
        came.c.person_id,
        func.min(came.c.day),
        func.min(case((came.c.role.in_(STEPPED_UP), came.c.day))),
        func.min(case((came.c.role == "led", came.c.day))),
    ).group_by(came.c.person_id)
    committee = select(CommitteeMember.person_id, func.min(CommitteeMember.term_start)).where(
        CommitteeMember.person_id.is_not(None)
    )
    if person_ids is not None:
        person_ids = list(person_ids)
        rows = rows.where(came.c.person_id.in_(person_ids))
        committee = committee.where(CommitteeMember.person_id.in_(person_ids))
    out = {pid: Rungs(a, s, led) for pid, a, s, led in db.session.execute(rows)}
    for pid, since in db.session.execute(committee.group_by(CommitteeMember.person_id)):
        out.setdefault(pid, Rungs()).committee = since
    return out


def ladder(person: Person) -> Rungs:
    return ladders([person.id]).get(person.id, Rungs())


def _first_step_up():
    """Each person's first time speaking or leading: the one row that made them a new leader."""
    came = _came().where(Attendance.role.in_(STEPPED_UP)).subquery()
    ranked = select(
        came,
        func.row_number().over(partition_by=came.c.person_id, order_by=(came.c.day, came.c.id)).label("rank"),
    ).subquery()
    return select(ranked).where(ranked.c.rank == 1).subquery()


def new_leaders_by_campaign(campaign_ids: Iterable[int]) -> dict[int, int]:
    first = _first_step_up()
    rows = (
        select(first.c.campaign_id, func.count())
        .where(first.c.campaign_id.in_(list(campaign_ids)))
        .group_by(first.c.campaign_id)
    )
    return {cid: n for cid, n in db.session.execute(rows)}


def new_leaders_by_action(action_ids: Iterable[int]) -> dict[int, int]:
    first = _first_step_up()
    rows = (
        select(first.c.action_id, func.count())
        .where(first.c.action_id.in_(list(action_ids)))
        .group_by(first.c.action_id)
    )
    return {aid: n for aid, n in db.session.execute(rows)}


def new_leaders_between(start: date, end: date) -> int:
    return new_leaders_tally(start, end).count


def person_record_key(person_id: int) -> int:
    """A person's record key for the cell key method (caseflow.equity.perturbation): the first
    byte of a keyed hash of their id, so the same people always publish the same count."""
    secret = str(current_app.config["CASEFLOW_CLIENT_KEY"]).encode()
    return hmac.new(secret, f"person|{person_id}".encode(), hashlib.sha256).digest()[0] % MODULUS


def _tally(person_ids) -> Tally:
    return Tally(len(person_ids), sum(person_record_key(pid) for pid in person_ids))


def new_leaders_tally(start: date, end: date) -> Tally:
    """The people who first spoke, testified or led between two days (inclusive), as a count of
    people with its record keys: anything that publishes it goes through the disclosure policy."""
    first = _first_step_up()
    return _tally(
        db.session.scalars(select(first.c.person_id).where(and_(first.c.day >= start, first.c.day <= end))).all()
    )


def campaign_new_leaders_tally(campaign_id: int) -> Tally:
    """A campaign's new leaders as a count of people with its record keys (for protected viewers)."""
    first = _first_step_up()
    return _tally(db.session.scalars(select(first.c.person_id).where(first.c.campaign_id == campaign_id)).all())


# --- Recording who came ----------------------------------------------------------------------


@dataclass
class Roll:
    """An event's attendance as a form shows it: each person's status, and the staff who came."""

    people: dict[int, str]
    staff: set[int]
    signed_up: int
    came_people: int
    came_staff: int


def _event_filter(action: CampaignAction | None, convening: Convening | None):
    return Attendance.action_id == action.id if action is not None else Attendance.convening_id == convening.id


def roll(*, action: CampaignAction | None = None, convening: Convening | None = None) -> Roll:
    rows = db.session.scalars(select(Attendance).where(_event_filter(action, convening))).all()
    people = {r.person_id: (r.role if r.attended else "signed_up" if r.signed_up else "") for r in rows if r.person_id}
    staff = {r.user_id for r in rows if r.user_id and r.attended}
    return Roll(
        people=people,
        staff=staff,
        signed_up=sum(1 for r in rows if r.person_id and r.signed_up),
        came_people=sum(1 for r in rows if r.person_id and r.attended),
        came_staff=len(staff),
    )


def counts(*, convening_ids: Iterable[int]) -> dict[int, tuple[int, int, int]]:
    """(signed up, people who came, staff who came) per convening, in one GROUP BY."""
    rows = (
        select(
            Attendance.convening_id,
            func.count(case((and_(Attendance.person_id.is_not(None), Attendance.signed_up.is_(True)), 1))),
            func.count(case((and_(Attendance.person_id.is_not(None), Attendance.attended.is_(True)), 1))),
            func.count(case((and_(Attendance.user_id.is_not(None), Attendance.attended.is_(True)), 1))),
        )
        .where(Attendance.convening_id.in_(list(convening_ids)))
        .group_by(Attendance.convening_id)
    )
    return {cid: (s, p, u) for cid, s, p, u in db.session.execute(rows)}


def set_attendance(
    actor,
    people: Mapping[int, str],
    staff: Iterable[int],
    *,
    action: CampaignAction | None = None,
    convening: Convening | None = None,
) -> Roll:
    """Replace an event's attendance with the form's: each person's status, and the staff who came.
    People who withdrew keep their (anonymous) row: it is history, and no longer theirs to edit."""
    errors: dict[str, list[str]] = {}
    bad = sorted({s for s in people.values() if s not in STATUSES})
    if bad:
        errors["people"] = [gettext("Unknown status: %(bad)s.", bad=", ".join(map(str, bad[:5])))]
    staff = set(staff)
    wanted = {pid for pid, s in people.items() if s}
    known = set(db.session.scalars(select(Person.id).where(Person.id.in_(wanted), Person.withdrawn_on.is_(None))))
    if wanted - known:
        errors["people"] = [gettext("Someone on the list is not a person who opted in (or withdrew).")]
    if staff and len(set(db.session.scalars(select(User.id).where(User.id.in_(staff), User.active.is_(True))))) != len(
        staff
    ):
        errors["staff"] = [gettext("Choose staff from the list.")]
    if errors:
        raise ValidationFailed(errors)

    event = _event_filter(action, convening)
    existing = {
        r.person_id: r for r in db.session.scalars(select(Attendance).where(event, Attendance.person_id.is_not(None)))
    }
    withdrawn = set(
        db.session.scalars(select(Person.id).where(Person.id.in_(list(existing)), Person.withdrawn_on.is_not(None)))
    )
    for pid, row in existing.items():
        if pid not in withdrawn and not people.get(pid):
            db.session.delete(row)
    ids = {"action_id": action.id if action else None, "convening_id": convening.id if convening else None}
    for pid in known:
        status = people[pid]
        row = existing.get(pid) or Attendance(person_id=pid, recorded_by_id=actor.id, **ids)
        db.session.add(row)
        if status == "signed_up":
            row.signed_up, row.attended, row.role = True, False, "attended"
        else:
            row.signed_up = bool(row.signed_up)
            row.attended, row.role = True, status
    db.session.execute(
        delete(Attendance).where(event, Attendance.user_id.is_not(None), Attendance.user_id.not_in(staff))
    )
    have = set(db.session.scalars(select(Attendance.user_id).where(event, Attendance.user_id.is_not(None))))
    for uid in staff - have:
        db.session.add(Attendance(user_id=uid, attended=True, recorded_by_id=actor.id, **ids))
    db.session.flush()
    result = roll(action=action, convening=convening)
    record(
        "attendance.record",
        actor,
        action or convening,
        signed_up=result.signed_up,
        people_came=result.came_people,
        staff_came=result.came_staff,
    )
    return result
