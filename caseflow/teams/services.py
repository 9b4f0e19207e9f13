"""A campaign's team: members and the program each brings, with the follow-ups each owns.
Services flush and audit; the caller commits."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import case, func, select

from caseflow.audit.services import record
from caseflow.campaigns.services import staff_choices
from caseflow.dates import today
from caseflow.errors import DomainError, ValidationFailed
from caseflow.extensions import db
from caseflow.models import Campaign, CampaignMember, FollowUp, Program, User


def add_member(actor, campaign: Campaign, raw) -> CampaignMember:
    errors: dict[str, list[str]] = {}
    user = program = None
    try:
        user = db.session.get(User, int(raw.get("user_id") or 0))
    except (TypeError, ValueError, OverflowError):
        pass
    if user is None or user.id not in {u.id for u in staff_choices()}:
        errors["user_id"] = [gettext("Choose a member of staff.")]
    if raw.get("program_id"):
        try:
            program = db.session.get(Program, int(raw["program_id"]))
        except (TypeError, ValueError, OverflowError):
            program = None
        if program is None:
            errors["program_id"] = [gettext("Choose a program from the list.")]
    if not errors and db.session.get(CampaignMember, (campaign.id, user.id)) is not None:
        errors["user_id"] = [gettext("%(display_name)s is already on the team.", display_name=user.display_name)]
    if errors:
        raise ValidationFailed(errors)
    member = CampaignMember(
        campaign_id=campaign.id, user_id=user.id, program_id=program.id if program else None, added_by_id=actor.id
    )
    db.session.add(member)
    record("campaign.team_add", actor, campaign, user_id=user.id, program_id=member.program_id)
    db.session.flush()
    return member


def remove_member(actor, campaign: Campaign, user_id: int) -> None:
    member = db.session.get(CampaignMember, (campaign.id, user_id))
    if member is None:
        raise DomainError(gettext("Not on the team."), field="user_id")
    db.session.delete(member)
    record("campaign.team_remove", actor, campaign, user_id=user_id)
    db.session.flush()


@dataclass
class TeamRow:
    member: CampaignMember
    open_follow_ups: int
    overdue: int


def team(campaign: Campaign) -> list[TeamRow]:
    """Members with the open follow-ups each owns in this campaign: its own and its convenings'
    harvest, all of them campaign follow-ups."""
    now = today()
    members = db.session.scalars(
        select(CampaignMember).where(CampaignMember.campaign_id == campaign.id).order_by(CampaignMember.created_at)
    ).all()
    owned: dict[int, list[int]] = {}
    campaign_rows = (
        select(
            FollowUp.owner_id,
            func.count(),
            func.count(case((FollowUp.due_on < now, 1))),
        )
        .where(FollowUp.campaign_id == campaign.id, FollowUp.done_at.is_(None), FollowUp.owner_id.is_not(None))
        .group_by(FollowUp.owner_id)
    )
    # A convening's harvest follow-ups are the campaign's follow-ups too: one GROUP BY counts both.
    for owner_id, n, late in db.session.execute(campaign_rows):
        owned[owner_id] = [n, late]
    return [TeamRow(m, *owned.get(m.user_id, [0, 0])) for m in members]


def programs_spanned(rows: list[TeamRow]) -> list[str]:
    return sorted({r.member.program.name for r in rows if r.member.program})


def active_programs() -> list[Program]:
    return list(db.session.scalars(select(Program).where(Program.active.is_(True)).order_by(Program.name)))
