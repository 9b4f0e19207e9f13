"""The queries behind the campaign board and workspace: counts and lists in SQL (grouped, never
row by row), and the evidence a campaign stands on, through the disclosure policy."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext, ngettext
from sqlalchemy import and_, case, distinct, exists, extract, func, select

from caseflow import governance, i18n
from caseflow.campaigns.rules import ARTIFACTS
from caseflow.dates import today
from caseflow.equity.policy import Disclosure, Tally, for_viewer
from caseflow.equity.suppression import suppressed_label
from caseflow.extensions import db
from caseflow.models import (
    RACE_CODES,
    STEPS,
    Campaign,
    CampaignEvidence,
    Concern,
    ConcernRace,
    Program,
    User,
    UserRole,
)
from caseflow.models.campaign_steps import (
    STRATEGY_QUESTIONS,
    AdvisoryDecision,
    CampaignAction,
    CampaignMeasure,
    FollowUp,
    PowerActor,
    ReflectionReview,
    StepMove,
)
from caseflow.people import ladder


def advisory_approved(campaign: Campaign, step: str) -> bool:
    """The standing committee approved entering `step` by a recorded vote (caseflow.committee)."""
    return governance.step_approved(campaign, step)


def artifact(campaign: Campaign, kind: str):
    model, _ = ARTIFACTS[kind]
    return db.session.get(model, campaign.id)


def staff_choices() -> list[User]:
    """People a follow-up can be given to: active staff (not admins-only accounts)."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.active.is_(True),
                User.id.in_(select(UserRole.user_id).where(UserRole.role.in_(("organizer", "caseworker", "director")))),
            )
            .order_by(User.name, User.email)
        )
    )


def evidence_counts(campaign_ids: list[int]) -> dict[int, int]:
    """Live (not deleted) evidence per campaign, in one grouped query."""
    if not campaign_ids:
        return {}
    query = (
        select(CampaignEvidence.campaign_id, func.count())
        .join(Concern, Concern.id == CampaignEvidence.concern_id)
        .where(CampaignEvidence.campaign_id.in_(campaign_ids), Concern.deleted_at.is_(None))
        .group_by(CampaignEvidence.campaign_id)
    )
    return dict(db.session.execute(query).all())


def next_follow_ups(campaign_ids: list[int]) -> dict[int, date]:
    """The earliest due date of each campaign's open follow-ups, in one grouped query."""
    if not campaign_ids:
        return {}
    query = (
        select(FollowUp.campaign_id, func.min(FollowUp.due_on))
        .where(FollowUp.campaign_id.in_(campaign_ids), FollowUp.done_at.is_(None), FollowUp.due_on.is_not(None))
        .group_by(FollowUp.campaign_id)
    )
    return dict(db.session.execute(query).all())


@dataclass
class BoardRow:
    campaign: Campaign
    evidence: int
    next_due: date | None
    overdue: bool


def board() -> dict[str, Any]:
    """Open campaigns grouped by step, and the closed ones, with evidence and next follow-up due."""
    campaigns = list(db.session.scalars(select(Campaign).order_by(Campaign.updated_at.desc(), Campaign.id.desc())))
    ids = [c.id for c in campaigns]
    counts, due = evidence_counts(ids), next_follow_ups(ids)
    now = today()
    columns: dict[str, list[BoardRow]] = {s: [] for s in STEPS}
    closed: list[BoardRow] = []
    for c in campaigns:
        row = BoardRow(c, counts.get(c.id, 0), due.get(c.id), bool(due.get(c.id) and due[c.id] < now))
        (closed if c.is_closed else columns.setdefault(c.step, [])).append(row)
    keys = sorted({k for c in campaigns for k in c.pattern_keys})
    return {"columns": columns, "closed": closed, "pattern_keys": keys}


@dataclass
class StepState:
    step: str
    state: str  # "complete", "partial" or "empty"
    missing: list[str] = field(default_factory=list)
    summary: str = ""

    @property
    def label(self) -> str:
        return {"complete": gettext("Filled"), "partial": gettext("Partly filled"), "empty": gettext("Missing")}[
            self.state
        ]


def _counts(campaign: Campaign) -> dict[str, int]:
    def count(model, *where):
        return select(func.count()).select_from(model).where(model.campaign_id == campaign.id, *where).scalar_subquery()

    row = db.session.execute(
        select(
            count(PowerActor).label("actors"),
            count(PowerActor, PowerActor.kind == "target").label("targets"),
            count(CampaignMeasure).label("measures"),
            count(CampaignAction).label("actions"),
            count(FollowUp, FollowUp.done_at.is_(None)).label("open_follow_ups"),
            count(ReflectionReview).label("reviews"),
            count(AdvisoryDecision).label("decisions"),
        )
    ).one()
    return dict(row._mapping)


def step_states(campaign: Campaign) -> dict[str, StepState]:
    """What each step holds and what is still missing, for the tabs across the top."""
    n = _counts(campaign)
    learning, vision, strategy = (artifact(campaign, k) for k in ("learning", "vision", "strategy"))
    states = {}

    def state(step, essential: bool, missing: list[str], summary: str) -> None:
        kind = "empty" if not essential else "partial" if missing else "complete"
        states[step] = StepState(step, kind, missing, summary)

    labels = {
        "problem_statement": gettext("problem statement"),
        "affected": gettext("who is affected"),
        "root_causes": gettext("root causes"),
        "data_sources": gettext("data sources"),
        "constituent_views": gettext("constituents' views"),
    }
    state(
        "learning",
        bool(learning and learning.problem_statement),
        [label for name, label in labels.items() if not (learning and getattr(learning, name))],
        "",
    )
    state(
        "awareness",
        n["actors"] > 0,
        ([gettext("actors on the power map")] if not n["actors"] else [])
        + ([gettext("a decision-maker (target)")] if not n["targets"] else []),
        ngettext("%(num)s actor", "%(num)s actors", n["actors"]),
    )
    state(
        "vision",
        bool(vision and vision.statement),
        ([gettext("vision statement")] if not (vision and vision.statement) else [])
        + ([gettext("co-authors")] if not (vision and vision.co_authors) else [])
        + ([gettext("constituent co-authors")] if not (vision and vision.constituent_co_authors) else []),
        "",
    )
    strategy_missing = []
    if not (strategy and any((strategy.goal_long, strategy.goal_intermediate, strategy.goal_short))):
        strategy_missing.append(gettext("goals"))
    for name, label in (
        ("demands", gettext("demands")),
        ("primary_targets", gettext("targets")),
        ("tactics", gettext("tactics")),
        ("timeline", gettext("timeline")),
    ):
        if not (strategy and getattr(strategy, name)):
            strategy_missing.append(label)
    if not n["measures"]:
        strategy_missing.append(gettext("measures"))
    answered = sum(1 for q in STRATEGY_QUESTIONS if strategy and getattr(strategy, q))
    if answered < len(STRATEGY_QUESTIONS):
        strategy_missing.append(
            gettext("practice questions (%(num)s of %(total)s answered)", num=answered, total=len(STRATEGY_QUESTIONS))
        )
    state(
        "strategy",
        strategy is not None,
        strategy_missing,
        ngettext("%(num)s measure", "%(num)s measures", n["measures"]),
    )
    state(
        "action",
        n["actions"] > 0,
        [gettext("actions")] if not n["actions"] else [],
        gettext("%(num)s actions, %(open)s open follow-ups", num=n["actions"], open=n["open_follow_ups"]),
    )
    state(
        "reflection",
        n["reviews"] > 0,
        [gettext("a reflection review")] if not n["reviews"] else [],
        ngettext("%(num)s review", "%(num)s reviews", n["reviews"]),
    )
    return states


def history(campaign: Campaign) -> list[StepMove]:
    return list(
        db.session.scalars(
            select(StepMove).where(StepMove.campaign_id == campaign.id).order_by(StepMove.at.desc(), StepMove.id.desc())
        )
    )


def _rows(model, campaign: Campaign, *order):
    return list(db.session.scalars(select(model).where(model.campaign_id == campaign.id).order_by(*order)))


def actors(campaign: Campaign) -> list[PowerActor]:
    return _rows(PowerActor, campaign, PowerActor.influence.desc(), PowerActor.position, PowerActor.id)


def measures(campaign: Campaign) -> list[CampaignMeasure]:
    return _rows(CampaignMeasure, campaign, CampaignMeasure.id)


def actions(campaign: Campaign) -> list[CampaignAction]:
    return _rows(CampaignAction, campaign, CampaignAction.occurred_on.desc(), CampaignAction.id.desc())


def follow_ups(campaign: Campaign) -> list[FollowUp]:
    # Open items first, soonest due first (no due date last); then done ones.
    return _rows(
        FollowUp,
        campaign,
        FollowUp.done_at.is_not(None),
        FollowUp.due_on.is_(None),
        FollowUp.due_on,
        FollowUp.id,
    )


def decisions(campaign: Campaign) -> list[AdvisoryDecision]:
    return _rows(AdvisoryDecision, campaign, AdvisoryDecision.decided_on.desc(), AdvisoryDecision.id.desc())


def reviews(campaign: Campaign) -> list[ReflectionReview]:
    return _rows(ReflectionReview, campaign, ReflectionReview.period_end.desc(), ReflectionReview.id.desc())


def participation(campaign: Campaign) -> dict[str, int]:
    row = db.session.execute(
        select(
            func.count(CampaignAction.id),
            func.coalesce(func.sum(CampaignAction.staff_participants), 0),
            func.coalesce(func.sum(CampaignAction.constituent_participants), 0),
        ).where(CampaignAction.campaign_id == campaign.id)
    ).one()
    out = dict(zip(("actions", "staff", "constituents"), (int(v) for v in row), strict=True))
    # New leaders are read from the ladder (who first spoke or led at this campaign's actions and
    # convenings), never typed.
    out["new_leaders"] = ladder.new_leaders_by_campaign([campaign.id]).get(campaign.id, 0)
    return out


# --- Evidence: SQL aggregates over the linked concerns ---------------------------------------


@dataclass
class Evidence:
    total: int
    distinct_clients: int
    want_involvement: int
    average_importance: float | None
    months: list[tuple[str, int]]
    programs: list[tuple[str, int]]
    race: list[tuple[str, Any]]  # (label, Cell)
    race_any_suppressed: bool
    min_cell: int
    views: list[dict[str, Any]]
    views_total: int
    note: str = ""
    internal: bool = False  # exact counts (record access)

    @property
    def label(self) -> str:
        return suppressed_label(self.min_cell)


def _month_starts(end: date, n: int) -> list[date]:
    out, y, m = [], end.year, end.month
    for _ in range(n):
        out.append(date(y, m, 1))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def evidence(campaign: Campaign, months: int = 12, disclosure: Disclosure | None = None) -> Evidence:
    """The linked concerns as the Learning step shows them: totals, monthly counts, counts by
    program, race/ethnicity (through the disclosure policy: exact for organizers and directors,
    published for anyone else) and the root-cause views of clients who consented."""
    disclosure = disclosure or for_viewer()
    base = and_(CampaignEvidence.campaign_id == campaign.id, Concern.deleted_at.is_(None))

    def over_evidence(*columns):
        return select(*columns).select_from(CampaignEvidence).join(Concern, Concern.id == CampaignEvidence.concern_id)

    total, clients, involved, importance = db.session.execute(
        over_evidence(
            func.count(Concern.id),
            func.count(distinct(Concern.client_key)),
            func.coalesce(func.sum(case((Concern.wants_involvement.is_(True), 1), else_=0)), 0),
            func.avg(Concern.client_importance),
        ).where(base)
    ).one()

    starts = _month_starts(today(), months)
    year, month = extract("year", Concern.occurred_on), extract("month", Concern.occurred_on)
    by_month = {
        (int(y), int(m)): n
        for y, m, n in db.session.execute(
            over_evidence(year, month, func.count()).where(base, Concern.occurred_on >= starts[0]).group_by(year, month)
        )
    }
    month_rows = [(s.strftime("%b %Y"), by_month.get((s.year, s.month), 0)) for s in starts]

    programs = [
        (name, n)
        for name, n in db.session.execute(
            over_evidence(Program.name, func.count())
            .join(Program, Program.id == Concern.program_id)
            .where(base)
            .group_by(Program.name)
            .order_by(func.count().desc(), Program.name)
        )
    ]

    race_counts = {
        code: Tally(int(n), int(k or 0))
        for code, n, k in db.session.execute(
            over_evidence(ConcernRace.code, func.count(), func.sum(Concern.record_key))
            .join(ConcernRace, ConcernRace.concern_id == Concern.id)
            .where(base)
            .group_by(ConcernRace.code)
        )
    }
    answered = exists().where(ConcernRace.concern_id == Concern.id)
    blank_n, blank_keys, all_keys = db.session.execute(
        over_evidence(
            func.coalesce(func.sum(case((~answered, 1), else_=0)), 0),
            func.coalesce(func.sum(case((~answered, Concern.record_key), else_=0)), 0),
            func.coalesce(func.sum(Concern.record_key), 0),
        ).where(base)
    ).one()
    min_cell = disclosure.min_cell
    series = {i18n.label(i18n.RACE_LABELS, code): race_counts.get(code, Tally()) for code in RACE_CODES}
    series[gettext("No answer recorded")] = Tally(int(blank_n), int(blank_keys))
    cells, _ = disclosure.series(series, Tally(int(total), int(all_keys)))

    consent = and_(
        base,
        Concern.story_consent_on.is_not(None),
        Concern.story_consent_revoked_on.is_(None),
        Concern.client_root_cause.is_not(None),
        Concern.client_root_cause != "",
    )
    views_total = db.session.scalar(over_evidence(func.count()).where(consent))
    views = [
        {"occurred_on": d, "program": p, "text": t, "importance": i}
        for d, p, t, i in db.session.execute(
            over_evidence(Concern.occurred_on, Program.name, Concern.client_root_cause, Concern.client_importance)
            .join(Program, Program.id == Concern.program_id)
            .where(consent)
            .order_by(Concern.occurred_on.desc(), Concern.id.desc())
            .limit(25)
        )
    ]
    return Evidence(
        total=total,
        distinct_clients=clients,
        want_involvement=int(involved or 0),
        average_importance=round(float(importance), 1) if importance is not None else None,
        months=month_rows,
        programs=programs,
        race=list(cells.items()),
        race_any_suppressed=any(c.suppressed for c in cells.values()),
        min_cell=min_cell,
        views=views,
        views_total=views_total,
        note=disclosure.note,
        internal=disclosure.exact,
    )
