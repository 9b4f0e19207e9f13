"""Verbs and queries for convenings and their harvest. Services flush and audit; the caller commits.

A harvest item is one takeaway, typed (policy change, staff training, community engagement,
internal practice), and turned into exactly one thing: a follow-up someone owns (with a due date,
done or not), a new tag in the taxonomy, or a new campaign.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, select, update

from caseflow import i18n, pdf
from caseflow.audit.services import record
from caseflow.campaigns.news import due_day, tell_follow_up_owner
from caseflow.campaigns.services import finish_follow_up
from caseflow.dates import today
from caseflow.errors import DomainError, StaleVersion, ValidationFailed
from caseflow.extensions import db
from caseflow.models import Campaign, Convening, FollowUp, HarvestItem, User
from caseflow.models.base import utcnow
from caseflow.models.convenings import HARVEST_KINDS, HARVEST_OUTCOMES
from caseflow.models.taxonomy import TAG_CATEGORIES
from caseflow.people import ladder
from caseflow.taxonomy.services import create_tag, slugify
from caseflow.validation import clean_date


def _text(raw, name, errors, *, limit: int, required: str | None = None) -> str:
    value = raw.get(name)
    value = "" if value is None else value
    if not isinstance(value, str) or "\x00" in value or len(value) > limit:
        errors.setdefault(name, []).append(
            gettext("Use at most %(limit)s characters of plain text.", limit=format(limit, ","))
        )
        return ""
    value = value.strip()
    if required and not value:
        errors.setdefault(name, []).append(required)
    return value


def _campaign(raw, errors) -> Campaign | None:
    value = raw.get("campaign_id")
    if value in (None, ""):
        return None
    try:
        campaign = db.session.get(Campaign, int(value))
    except (TypeError, ValueError, OverflowError):
        campaign = None
    if campaign is None:
        errors["campaign_id"] = [
            gettext("Choose a campaign from the list, or none for an organisation-wide convening.")
        ]
    return campaign


def _convening_fields(raw) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    data = {
        "title": _text(raw, "title", errors, limit=200, required=gettext("Give the convening a title.")),
        "held_on": clean_date(raw, "held_on", errors, required=gettext("When is it?")),
        "place": _text(raw, "place", errors, limit=200),
        "agenda": _text(raw, "agenda", errors, limit=10_000),
        "breakout_notes": _text(raw, "breakout_notes", errors, limit=20_000),
    }
    campaign = _campaign(raw, errors)
    if errors:
        raise ValidationFailed(errors)
    data["campaign_id"] = campaign.id if campaign else None
    return data


def create_convening(actor, raw) -> Convening:
    convening = Convening(created_by_id=actor.id, **_convening_fields(raw))
    db.session.add(convening)
    db.session.flush()
    record("convening.create", actor, convening, campaign_id=convening.campaign_id)
    return convening


def update_convening(actor, convening: Convening, raw, version: int) -> Convening:
    if version != convening.version:
        raise StaleVersion()
    data = _convening_fields(raw)
    changed = [k for k, v in data.items() if getattr(convening, k) != v]
    for key in changed:
        setattr(convening, key, data[key])
    if "campaign_id" in changed:  # its harvest's follow-ups move with it to the new campaign's list
        db.session.execute(
            update(FollowUp).where(FollowUp.convening_id == convening.id).values(campaign_id=convening.campaign_id)
        )
    if changed:
        convening.version += 1
        record("convening.update", actor, convening, fields=changed)
    db.session.flush()
    return convening


def add_harvest(actor, convening: Convening, raw) -> HarvestItem:
    errors: dict[str, list[str]] = {}
    kind = raw.get("kind")
    if kind not in HARVEST_KINDS:
        errors["kind"] = [gettext("Which kind of change is it?")]
    takeaway = _text(raw, "takeaway", errors, limit=2000, required=gettext("What did people take away?"))
    breakout = _text(raw, "breakout", errors, limit=120)
    if errors:
        raise ValidationFailed(errors)
    item = HarvestItem(
        convening_id=convening.id, kind=kind, takeaway=takeaway, breakout=breakout, created_by_id=actor.id
    )
    db.session.add(item)
    db.session.flush()
    record("harvest.add", actor, item, convening_id=convening.id, kind=kind)
    return item


def _undecided(item: HarvestItem) -> None:
    if item.becomes is not None:
        raise DomainError(
            gettext("This takeaway already became a %(becomes)s.", becomes=HARVEST_OUTCOMES[item.becomes].lower()),
            field="becomes",
        )


def to_follow_up(actor, item: HarvestItem, raw) -> HarvestItem:
    _undecided(item)
    errors: dict[str, list[str]] = {}
    owner = None
    try:
        owner = db.session.get(User, int(raw.get("owner_id") or 0))
    except (TypeError, ValueError, OverflowError):
        pass
    if owner is None or not owner.active:
        errors["owner_id"] = [gettext("Who will follow this up?")]
    due_on = clean_date(raw, "due_on", errors)
    if errors:
        raise ValidationFailed(errors)
    convening = db.session.get(Convening, item.convening_id)
    campaign = db.session.get(Campaign, convening.campaign_id) if convening.campaign_id else None
    if campaign is not None and campaign.is_closed:
        raise DomainError(
            gettext("The campaign is %(status)s: its follow-ups are read-only.", status=campaign.status),
            field="owner_id",
        )
    # A follow-up like any other: in the campaign's list (or, for an organisation-wide convening,
    # the convening's own), in its owner's inbox, and in the overdue reminders.
    follow_up = FollowUp(
        campaign_id=campaign.id if campaign else None,
        convening_id=convening.id,
        description=_shorten(item.takeaway, 500),
        owner_id=owner.id,
        due_on=due_on,
    )
    db.session.add(follow_up)
    db.session.flush()
    item.becomes, item.follow_up_id = "follow_up", follow_up.id
    record("harvest.follow_up", actor, item, owner_id=owner.id, due_on=due_on.isoformat() if due_on else "")
    if campaign is not None:
        campaign.updated_at = utcnow()  # a change to the campaign: its version moves
        record("campaign.follow_up.create", actor, campaign, follow_up_id=follow_up.id, owner_id=owner.id)
    db.session.flush()
    _tell_owner(actor, follow_up, convening)
    return item


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _tell_owner(actor, follow_up: FollowUp, convening: Convening) -> None:
    if follow_up.owner_id == actor.id:
        return
    what = {"title": convening.title, "what": follow_up.description}
    if follow_up.due_on:  # each owner reads it in their own language
        message = _l(
            "A follow-up from the convening “%(title)s” is yours, due %(day)s: %(what)s",
            day=due_day(follow_up),
            **what,
        )
    else:
        message = _l("A follow-up from the convening “%(title)s” is yours: %(what)s", **what)
    tell_follow_up_owner(follow_up, message)


def to_tag(actor, item: HarvestItem, raw) -> HarvestItem:
    _undecided(item)
    errors: dict[str, list[str]] = {}
    name = _text(raw, "name", errors, limit=100, required=gettext("Name the new tag."))
    category = raw.get("category")
    if category not in TAG_CATEGORIES:
        errors["category"] = [gettext("Choose one of: %(tag_categories)s.", tag_categories=", ".join(TAG_CATEGORIES))]
    if errors:
        raise ValidationFailed(errors)
    tag = create_tag(actor, slugify(name), name, category, description=item.takeaway[:1000])
    item.becomes, item.tag_id = "tag", tag.id
    record("harvest.tag", actor, item, tag_id=tag.id)
    db.session.flush()
    return item


def to_campaign(actor, item: HarvestItem, raw) -> HarvestItem:
    """A takeaway big enough to organize around: a campaign with no pattern yet (its evidence can
    come later), led by whoever turned it into one."""
    _undecided(item)
    errors: dict[str, list[str]] = {}
    title = _text(raw, "title", errors, limit=200, required=gettext("Give the campaign a title."))
    if errors:
        raise ValidationFailed(errors)
    campaign = Campaign(
        title=title, issue_statement=item.takeaway, lead_id=actor.id, created_by_id=actor.id, step="learning"
    )
    db.session.add(campaign)
    db.session.flush()
    record("campaign.create", actor, campaign, pattern_keys=[], from_convening=item.convening_id)
    for hook in current_app.extensions.get("caseflow.campaign_hooks", ()):
        hook("created", campaign)
    item.becomes, item.campaign_id = "campaign", campaign.id
    record("harvest.campaign", actor, item, campaign_id=campaign.id)
    db.session.flush()
    return item


def complete(actor, item: HarvestItem) -> HarvestItem:
    if item.becomes != "follow_up" or item.follow_up is None:
        raise DomainError(gettext("Only a follow-up can be marked done."), field="becomes")
    if item.follow_up.done_at is None:
        finish_follow_up(actor, item.follow_up)
        record("harvest.done", actor, item)
        db.session.flush()
    return item


# --- Queries ----------------------------------------------------------------------------------


def convenings() -> list[Convening]:
    return list(db.session.scalars(select(Convening).order_by(Convening.held_on.desc(), Convening.id.desc())))


def harvest(convening: Convening) -> list[HarvestItem]:
    return list(
        db.session.scalars(
            select(HarvestItem)
            .where(HarvestItem.convening_id == convening.id)
            .order_by(HarvestItem.kind, HarvestItem.id)
        )
    )


@dataclass
class Theme:
    kind: str
    label: str
    takeaways: int
    follow_ups: int
    done: int


@dataclass
class Report:
    convening: Convening
    themes: list[Theme]
    items: list[HarvestItem]
    signed_up: int
    people_came: int
    staff_came: int
    open_follow_ups: int
    overdue: int
    today: date


def report(convening: Convening) -> Report:
    """Themes (takeaways by kind, with their follow-ups and how many are done) counted in SQL."""
    now = today()
    follow_up = FollowUp.id.is_not(None)
    still_open = and_(follow_up, FollowUp.done_at.is_(None))
    rows = db.session.execute(
        select(
            HarvestItem.kind,
            func.count(),
            func.count(case((follow_up, 1))),
            func.count(case((and_(follow_up, FollowUp.done_at.is_not(None)), 1))),
            func.count(case((still_open, 1))),
            func.count(case((and_(still_open, FollowUp.due_on < now), 1))),
        )
        .outerjoin(FollowUp, FollowUp.id == HarvestItem.follow_up_id)
        .where(HarvestItem.convening_id == convening.id)
        .group_by(HarvestItem.kind)
    ).all()
    by_kind = {kind: counts for kind, *counts in rows}
    themes = [Theme(k, label, *by_kind[k][:3]) for k, label in HARVEST_KINDS.items() if k in by_kind]
    signed_up, people_came, staff_came = ladder.counts(convening_ids=[convening.id]).get(convening.id, (0, 0, 0))
    return Report(
        convening=convening,
        themes=themes,
        items=harvest(convening),
        signed_up=signed_up,
        people_came=people_came,
        staff_came=staff_came,
        open_follow_ups=sum(c[3] for c in by_kind.values()),
        overdue=sum(c[4] for c in by_kind.values()),
        today=now,
    )


def item_status(item: HarvestItem, on: date) -> str:
    if item.becomes == "follow_up":
        if item.done_at:
            return gettext("done")
        return gettext("overdue") if item.is_overdue(on) else gettext("open")
    if item.becomes == "tag":
        return gettext("new tag: %(name)s", name=item.tag.name) if item.tag else gettext("new tag")
    if item.becomes == "campaign":
        return gettext("campaign: %(title)s", title=item.campaign.title) if item.campaign else gettext("campaign")
    return gettext("not yet decided")


def report_pdf(data: Report, org_name: str) -> bytes:
    """The convening report for the board and partners: themes and action items, head-counts only
    (no names of people who came)."""
    c = data.convening
    doc = pdf.Document(title=gettext("Convening report: %(title)s", title=c.title), footer=f"{org_name} - {c.title}")
    doc.heading(f"{c.title}", size=16)
    where = " " + gettext("at %(place)s", place=c.place) if c.place else ""
    scope = (
        gettext("Campaign: %(title)s", title=c.campaign.title) if c.campaign else gettext("Organisation-wide convening")
    )
    doc.paragraph(f"{i18n.day(c.held_on)}{where}. {scope}.")
    doc.paragraph(
        gettext(
            "%(signed_up)s signed up; %(people)s community members and %(staff)s staff came. "
            "%(open)s follow-ups open, %(overdue)s overdue.",
            signed_up=data.signed_up,
            people=data.people_came,
            staff=data.staff_came,
            open=data.open_follow_ups,
            overdue=data.overdue,
        )
    )
    if c.agenda:
        doc.heading(gettext("Agenda"))
        doc.paragraph(c.agenda)
    doc.heading(gettext("Themes"))
    doc.table(
        [gettext("Theme"), gettext("Takeaways"), gettext("Follow-ups"), gettext("Done")],
        [[t.label, t.takeaways, t.follow_ups, t.done] for t in data.themes]
        or [[gettext("No takeaways yet"), "", "", ""]],
        [4, 1.3, 1.3, 1],
    )
    doc.heading(gettext("Action items"))
    doc.table(
        [gettext("Theme"), gettext("Takeaway"), gettext("Owner"), gettext("Due"), gettext("Status")],
        [
            [
                i.kind_label,
                i.takeaway,
                i.owner.display_name if i.owner else "",
                i18n.day(i.due_on) if i.due_on else "",
                item_status(i, data.today),
            ]
            for i in data.items
        ]
        or [["", gettext("No takeaways yet"), "", "", ""]],
        [1.6, 4, 1.6, 1.1, 1.8],
    )
    return doc.render()
