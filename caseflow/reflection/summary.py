"""The quarterly reflection summary: a plain function from the database and a quarter to a
JSON-serialisable snapshot. A summary leaves the building (print, PDF, CSV, the API, the board):
every count of people by a characteristic is published through the disclosure policy's
"leaving" audience before it is stored, whoever builds or reads it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import case, distinct, func, select

from caseflow import dates
from caseflow.equity.disparity import equity_overview, use_rollups
from caseflow.equity.policy import Disclosure, Tally, leaving
from caseflow.extensions import db
from caseflow.measures.report import summary_section as measures_section
from caseflow.models import (
    CAMPAIGN_STATUSES,
    RACE_CATEGORIES,
    STEPS,
    Campaign,
    Concern,
    Convening,
    Program,
    RaceDay,
    Tag,
    User,
    concern_tags,
)
from caseflow.models.campaign_steps import CampaignAction, FollowUp, ReflectionReview, StepMove
from caseflow.patterns.engine import PatternSettings, disparity_for, leading_patterns
from caseflow.patterns.keys import PatternKey
from caseflow.people import ladder
from caseflow.reflection import self_assessment
from caseflow.reflection.quarters import Quarter

TOP = 5


@dataclass(frozen=True)
class Span:
    """The days a summary counts: a whole quarter, or an unfinished one "so far" (its first days up
    to today), compared with the same days of the quarter before. Reads like a Quarter (`start`, `end`)."""

    quarter: Quarter
    start: date
    end: date
    so_far: bool = False  # the quarter is not over: its last day counted is today, still running

    @classmethod
    def of(cls, q: Quarter, today: date) -> Span:
        return cls(q, q.start, min(q.end, today), so_far=today <= q.end)

    @property
    def label(self) -> str:
        return self.quarter.label

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Span:
        """The quarter before, cut to as many days as this span has (all of it for a whole quarter)."""
        before = self.quarter.previous()
        if not self.so_far:
            return Span(before, before.start, before.end)
        return Span(before, before.start, min(before.end, before.start + timedelta(days=self.days - 1)))


def _bounds(q) -> tuple[datetime, datetime]:
    """The days as UTC instants, from midnight to midnight in the organisation's time zone."""
    return dates.day_start(q.start), dates.day_start(q.end + timedelta(days=1))


def _in_quarter(column, q: Quarter):
    return (column >= q.start) & (column <= q.end)


def concern_totals(q: Quarter) -> dict:
    row = db.session.execute(
        select(
            func.count(Concern.id),
            func.count(distinct(Concern.client_key)),
            func.sum(case((Concern.source == "staff", 1), else_=0)),
            func.sum(case((Concern.wants_involvement.is_(True), 1), else_=0)),
        ).where(Concern.deleted_at.is_(None), _in_quarter(Concern.occurred_on, q))
    ).one()
    return {
        "concerns": int(row[0] or 0),
        "distinct_clients": int(row[1] or 0),
        "staff_observed": int(row[2] or 0),
        "wants_involvement": int(row[3] or 0),
    }


def _grouped(column, q: Quarter, *, join_tags: bool = False) -> list[tuple[str, int]]:
    query = select(column, func.count(distinct(Concern.id))).select_from(Concern)
    if join_tags:
        query = query.join(concern_tags, concern_tags.c.concern_id == Concern.id).join(
            Tag, Tag.id == concern_tags.c.tag_id
        )
    query = (
        query.where(Concern.deleted_at.is_(None), _in_quarter(Concern.occurred_on, q))
        .group_by(column)
        .order_by(func.count(distinct(Concern.id)).desc(), column)
    )
    return [(label, int(n)) for label, n in db.session.execute(query) if label is not None]


def _by_category(q: Quarter) -> list[tuple[str, int]]:
    """Concerns per tag category (a concern once per category, however many of its tags share it),
    from the race rollup's per-category totals (its `_total` row counts exactly that)."""
    if not use_rollups():
        return _grouped(Tag.category, q, join_tags=True)
    r, total = RaceDay, func.sum(RaceDay.concerns)
    query = (
        select(r.key, total)
        .where(r.scope == "category", r.code == "_total", r.day >= q.start, r.day <= q.end)
        .group_by(r.key)
        .having(total > 0)
        .order_by(total.desc(), r.key)
    )
    return [(label, int(n)) for label, n in db.session.execute(query)]


def _by_program(q: Quarter) -> list[tuple[str, int]]:
    """Concerns per program: counted per program id over the quarter's live concerns (an index holds
    them), then named."""
    per_program = (
        select(Concern.program_id.label("program_id"), func.count().label("n"))
        .where(Concern.deleted_at.is_(None), _in_quarter(Concern.occurred_on, q))
        .group_by(Concern.program_id)
        .subquery("per_program")
    )
    total = func.sum(per_program.c.n)
    query = (
        select(Program.name, total)
        .join(per_program, per_program.c.program_id == Program.id)
        .group_by(Program.name)
        .order_by(total.desc(), Program.name)
    )
    return [(label, int(n)) for label, n in db.session.execute(query) if label is not None]


def _zips(q: Quarter) -> list[tuple[str, Tally]]:
    """Concerns per ZIP in the quarter with their record-key sums: counts of people by place."""
    # `zip || ''` (the same text): read from the live concerns' index by date, the quarter's rows
    # only, where SQLite would walk the ZIP index across every ZIP's dates and then the table.
    place = (Concern.zip + "").label("zip")
    query = (
        select(place, func.count(), func.sum(Concern.record_key))
        .where(Concern.deleted_at.is_(None), place.is_not(None), _in_quarter(Concern.occurred_on, q))
        .group_by(place)
    )
    return [(z, Tally(int(n), int(k or 0))) for z, n, k in db.session.execute(query)]


def _series(pairs: list[tuple[str, Tally]], disclosure: Disclosure) -> list[dict]:
    """A published breakdown, largest shown value first and the hidden ones by name (no order that
    depends on a hidden value); an entry published as 0 is left out, as an empty one would be."""
    cells, _ = disclosure.series(dict(pairs))
    order = sorted(
        (label for label, _ in pairs if cells[label].value > 0),
        key=lambda label: (cells[label].shown() is None, -(cells[label].shown() or 0), str(label)),
    )
    return [{"label": label, "count": cells[label].shown(), "display": cells[label].display()} for label in order]


def _plain(pairs: list[tuple[str, int]]) -> list[dict]:
    return [{"label": label, "count": n, "display": f"{n:,}"} for label, n in pairs]


def _patterns(q: Quarter, disclosure: Disclosure) -> dict:
    settings = PatternSettings.from_config(as_of=q.end, window_days=(q.end - q.start).days + 1)
    # The largest patterns, and the fastest rising: only these are counted to the last client.
    leading = leading_patterns(
        settings,
        disclosure,
        {
            "top": (lambda p: True, lambda p: (-p.count, p.key)),
            "rising": (lambda p: p.trend is not None and p.trend > 0, lambda p: (-(p.trend or 0), -p.count, p.key)),
        },
        TOP,
    )
    top, rising = leading["top"], leading["rising"]
    disparities = []
    for p in top:
        gap = disparity_for(PatternKey.parse(p.key), q.start, q.end, disclosure)
        for row in gap.rows:
            if row.flagged:
                disparities.append(
                    {
                        "pattern": p.title,
                        "key": p.key,
                        "group": row.label,
                        "group_code": row.code,
                        "rate_ratio": row.ratio,
                        "in_pattern": row.in_pattern.display(),
                        "overall": row.overall.display(),
                    }
                )

    def brief(p) -> dict:
        return {
            "key": p.key,
            "title": p.title,
            "count": p.shown("count"),
            "distinct_clients": p.display("distinct_clients"),
            "previous_count": p.display("previous_count"),
            "trend": None if p.trend is None else round(p.trend, 3),
            "programs": p.programs,
            "cross_program": p.cross_program,
            "wants_involvement": p.display("wants_involvement"),
        }

    return {"top": [brief(p) for p in top], "rising": [brief(p) for p in rising], "disparities": disparities}


def _campaigns(q: Quarter) -> dict:
    start, end = _bounds(q)
    by_step = dict(
        db.session.execute(
            select(Campaign.step, func.count())
            .where(Campaign.created_at < end, Campaign.status.in_(["active", "paused"]))
            .group_by(Campaign.step)
        ).all()
    )
    by_status = dict(
        db.session.execute(
            select(Campaign.status, func.count()).where(Campaign.created_at < end).group_by(Campaign.status)
        ).all()
    )
    moves = db.session.execute(
        select(Campaign.title, StepMove.from_step, StepMove.to_step, StepMove.note, StepMove.at)
        .join(Campaign, Campaign.id == StepMove.campaign_id)
        .where(StepMove.at >= start, StepMove.at < end)
        .order_by(StepMove.at)
    ).all()
    order = {s: i for i, s in enumerate(STEPS)}
    return {
        "by_step": [{"step": s, "count": int(by_step.get(s, 0))} for s in STEPS],
        "by_status": [{"status": s, "count": int(by_status.get(s, 0))} for s in CAMPAIGN_STATUSES],
        "moves": [
            {
                "campaign": title,
                "from": f,
                "to": t,
                "direction": "back" if order.get(t, 0) < order.get(f, 0) else "forward",
                "note": note,
                "on": dates.local_date(at).isoformat(),
            }
            for title, f, t, note, at in moves
        ],
    }


def _actions(q: Quarter, disclosure: Disclosure) -> dict:
    in_q = _in_quarter(CampaignAction.occurred_on, q)
    totals = db.session.execute(
        select(
            func.count(CampaignAction.id),
            func.coalesce(func.sum(CampaignAction.staff_participants), 0),
            func.coalesce(func.sum(CampaignAction.constituent_participants), 0),
        ).where(in_q)
    ).one()
    kinds = db.session.execute(
        select(CampaignAction.kind, func.count())
        .where(in_q)
        .group_by(CampaignAction.kind)
        .order_by(func.count().desc())
    ).all()
    # New leaders are people, counted from the ladder (who first spoke, testified or led in these
    # days), never typed; published through the disclosure policy like any count of people.
    leaders = disclosure.cell(ladder.new_leaders_tally(q.start, q.end))
    return {
        "actions": int(totals[0]),
        "staff_participants": int(totals[1]),
        "constituent_participants": int(totals[2]),
        "new_leaders": leaders.shown(),
        "new_leaders_display": leaders.display(),
        "by_kind": [{"kind": k, "count": int(n)} for k, n in kinds],
    }


def _reviews(q: Quarter) -> list[dict]:
    start, end = _bounds(q)
    rows = db.session.execute(
        select(
            Campaign.title,
            ReflectionReview.decision,
            ReflectionReview.revisit_step,
            ReflectionReview.close_as,
            ReflectionReview.learned,
        )
        .join(Campaign, Campaign.id == ReflectionReview.campaign_id)
        .where(ReflectionReview.created_at >= start, ReflectionReview.created_at < end)
        .order_by(ReflectionReview.created_at)
    ).all()
    return [
        {"campaign": t, "decision": d, "revisit_step": r, "close_as": c, "learned": learned}
        for t, d, r, c, learned in rows
    ]


def _overdue(q) -> dict:
    """Follow-ups overdue at the end of the span: due before its last day was over and not done by
    then (done later still counts: it was overdue at quarter end). For a quarter still running, the
    end is today, and an item due today is not overdue yet."""
    cutoff = q.end if getattr(q, "so_far", False) else q.end + timedelta(days=1)
    end = dates.day_start(cutoff)
    overdue = (FollowUp.due_on < cutoff) & (FollowUp.done_at.is_(None) | (FollowUp.done_at >= end))
    count = db.session.scalar(select(func.count()).select_from(FollowUp).where(overdue))
    rows = db.session.execute(
        select(
            FollowUp.description, FollowUp.due_on, func.coalesce(Campaign.title, Convening.title), User.name, User.email
        )
        .outerjoin(Campaign, Campaign.id == FollowUp.campaign_id)
        .outerjoin(Convening, Convening.id == FollowUp.convening_id)
        .outerjoin(User, User.id == FollowUp.owner_id)
        .where(overdue)
        .order_by(FollowUp.due_on, FollowUp.id)
        .limit(50)
    ).all()
    return {
        "count": int(count),
        "items": [
            {"description": d, "due_on": due.isoformat(), "campaign": t, "owner": name or email or "—"}
            for d, due, t, name, email in rows
        ],
    }


def _assessment(q: Quarter) -> dict:
    labels = [q.label, q.previous().label]
    means = self_assessment.averages(labels)
    items = []
    for key, group, statement in self_assessment.ITEMS:
        now, before = means[q.label].get(key), means[q.previous().label].get(key)
        items.append(
            {
                "item": key,
                "group": str(group),
                "statement": str(statement),
                "this": now,
                "previous": before,
                "change": None if now is None or before is None else round(now - before, 2),
            }
        )
    return {"respondents": self_assessment.respondents(q.label), "items": items}


def _compared(key: str, label: str, this, before, *, shown: tuple[str, str] | None = None) -> dict:
    """One row of the comparison. A count published as "<11" has no number (None), and then no change."""
    this_shown, before_shown = shown or (f"{this:,}", f"{before:,}")
    change = None if this is None or before is None else this - before
    return {
        "key": key,
        "label": label,
        "this": this,
        "previous": before,
        "change": change,
        "this_display": this_shown,
        "previous_display": before_shown,
    }


def build_summary(q: Quarter, today: date | None = None) -> dict:
    """The snapshot for quarter `q`, with the previous quarter alongside for comparison. A quarter
    not over yet is counted "so far" (to today) against the same days of the quarter before."""
    disclosure = leaving()
    min_cell = disclosure.min_cell
    q = Span.of(q, today or dates.today())
    prev = q.previous()
    now_totals, prev_totals = concern_totals(q), concern_totals(prev)
    actions, prev_actions = _actions(q, disclosure), _actions(prev, disclosure)
    overview = equity_overview(q.start, q.end, disclosure)
    comparison = []
    for key, label, this, before in [
        ("concerns", "Concerns logged", now_totals["concerns"], prev_totals["concerns"]),
        (
            "distinct_clients",
            "Distinct clients (with a reference)",
            now_totals["distinct_clients"],
            prev_totals["distinct_clients"],
        ),
        (
            "wants_involvement",
            "Clients wanting to get involved",
            now_totals["wants_involvement"],
            prev_totals["wants_involvement"],
        ),
        ("actions", "Organizing actions", actions["actions"], prev_actions["actions"]),
        (
            "constituent_participants",
            "Constituent participants",
            actions["constituent_participants"],
            prev_actions["constituent_participants"],
        ),
    ]:
        comparison.append(_compared(key, label, this, before))
    leaders = ("new_leaders", "New constituent leaders", actions["new_leaders"], prev_actions["new_leaders"])
    comparison.append(_compared(*leaders, shown=(actions["new_leaders_display"], prev_actions["new_leaders_display"])))
    return {
        "quarter": q.label,
        "start": q.start.isoformat(),
        "end": q.quarter.end.isoformat(),
        "so_far": q.so_far,
        "counted_to": q.end.isoformat(),
        "previous_quarter": prev.label,
        "previous_start": prev.start.isoformat(),
        "previous_end": prev.end.isoformat(),
        "built_at": dates.now().isoformat(),
        "min_cell": min_cell,
        "suppression_note": disclosure.note,
        "totals": now_totals,
        "comparison": comparison,
        "by_category": _plain(_by_category(q)),
        "by_program": _plain(_by_program(q)),
        "by_zip": _series(_zips(q), disclosure)[:25],
        "equity": {
            "groups": [{"code": c, "label": RACE_CATEGORIES[c]} for c in overview.table.col_keys],
            "rows": [{"category": r["row"], "cells": r["cells"]} for r in overview.table.as_rows()],
            "not_collected_share": {
                k: (None if v is None else round(v, 3)) for k, v in overview.not_collected_share.items()
            },
        },
        "patterns": _patterns(q, disclosure),
        "campaigns": _campaigns(q),
        "actions": actions,
        "reviews": _reviews(q),
        "overdue_follow_ups": _overdue(q),
        "self_assessment": _assessment(q),
        "measures": measures_section(q.end, q.quarter.previous().end),
    }


def today_quarter(today: date) -> Quarter:
    return Quarter.containing(today, current_app.config["FISCAL_YEAR_START_MONTH"])
