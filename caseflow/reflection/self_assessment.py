"""The self-assessment continuum: how far case-to-cause practice is woven into the organisation.

Items are in our own words, grouped as normalize (a shared analysis), organize (structures and
partners) and operationalize (data and practice), plus the six steps of the process.

Everyone on the staff answers, once a quarter, by name or anonymously. Anonymous means unlinkable:
the response carries no user and no time finer than its quarter, and no audit entry dates it; that
the person answered (and on which day) is kept apart, without the answers. Averages show only from
MIN_RESPONSES responses up, overall and per role, so no one's ratings can be read off a mean.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from caseflow import dates
from caseflow.audit.services import record
from caseflow.errors import DomainError, ValidationFailed
from caseflow.extensions import db
from caseflow.models import SelfAssessmentAnswer, SelfAssessmentDay, SelfAssessmentResponse, SelfAssessmentTaker
from caseflow.reflection.quarters import Quarter
from caseflow.validation import ascii_int

MIN_RESPONSES = 3
ROLE_ORDER = ("director", "organizer", "caseworker", "admin")  # a person with several roles answers as the first
ROLE_LABELS = {
    "director": _l("Directors"),
    "organizer": _l("Organizers"),
    "caseworker": _l("Caseworkers"),
    "admin": _l("Admins"),
}

LEVELS = {0: _l("Not started"), 1: _l("Beginning"), 2: _l("Developing"), 3: _l("Integrated")}

ITEMS: list[tuple[str, Any, Any]] = [
    # (key, group, statement)
    (
        "step_learning",
        _l("The six steps"),
        _l("We analyse the issues clients bring, with data and with clients' own views of the causes."),
    ),
    ("step_awareness", _l("The six steps"), _l("We map who holds power over an issue and where they stand.")),
    ("step_vision", _l("The six steps"), _l("We write, with constituents, what the world could be like.")),
    (
        "step_strategy",
        _l("The six steps"),
        _l("Our plans build constituents' power, with goals, targets and measures."),
    ),
    ("step_action", _l("The six steps"), _l("We take organizing action while keeping service quality up.")),
    ("step_reflection", _l("The six steps"), _l("We evaluate the change we sought, not only our services.")),
    (
        "shared_analysis",
        _l("Normalize"),
        _l("Staff at every level share an analysis of why clients face these problems."),
    ),
    ("justice_in_roles", _l("Normalize"), _l("Justice goals appear in job descriptions and supervision.")),
    ("advisory_authority", _l("Organize"), _l("A constituent advisory committee has real authority over campaigns.")),
    ("cross_program", _l("Organize"), _l("Programs organize together on issues that cross their boundaries.")),
    ("constituent_leadership", _l("Organize"), _l("Clients step into leadership and are supported to lead.")),
    (
        "case_to_cause_funnel",
        _l("Operationalize"),
        _l("Concerns from casework reliably reach organizing, and staff hear what came of them."),
    ),
    ("equity_lens", _l("Operationalize"), _l("We disaggregate our data by race and act on the disparities we find.")),
]
ITEM_KEYS = [key for key, _, _ in ITEMS]
# Chart labels: short enough to be drawn whole (the statements are in the tables).
SHORT = {
    "step_learning": _l("1 Learning"),
    "step_awareness": _l("2 Awareness"),
    "step_vision": _l("3 Vision"),
    "step_strategy": _l("4 Strategy"),
    "step_action": _l("5 Action"),
    "step_reflection": _l("6 Reflection"),
    "shared_analysis": _l("Shared analysis"),
    "justice_in_roles": _l("Justice in job roles"),
    "advisory_authority": _l("Advisory authority"),
    "cross_program": _l("Cross-program work"),
    "constituent_leadership": _l("Client leadership"),
    "case_to_cause_funnel": _l("Case-to-cause funnel"),
    "equity_lens": _l("Racial-equity lens"),
}


def _day(on) -> str:
    from caseflow.i18n import day

    return day(on)


class AlreadyAnswered(DomainError):
    status = 409

    def __init__(self, quarter: str, on):
        super().__init__(
            gettext("You answered for %(quarter)s on %(day)s; one answer per quarter.", quarter=quarter, day=_day(on)),
            field="anonymous",
        )


def role_of(actor) -> str | None:
    return next((r for r in ROLE_ORDER if actor.has_role(r)), None)


def taken(actor, quarter: str) -> SelfAssessmentTaker | None:
    return db.session.get(SelfAssessmentTaker, (actor.id, quarter))


def last_answered(actor) -> SelfAssessmentTaker | None:
    """When this person last answered (any quarter), without saying what they answered."""
    return db.session.scalar(
        select(SelfAssessmentTaker)
        .where(SelfAssessmentTaker.user_id == actor.id)
        .order_by(SelfAssessmentTaker.answered_on.desc(), SelfAssessmentTaker.quarter.desc())
        .limit(1)
    )


def submit(actor, quarter: str, ratings: dict[str, object], *, anonymous: bool) -> SelfAssessmentResponse:
    errors: dict[str, list[str]] = {}
    clean: dict[str, int] = {}
    for key in ITEM_KEYS:
        value = ratings.get(key)
        rating = ascii_int(value)
        if rating not in LEVELS:
            errors[key] = [gettext("Choose where we are on the continuum.")]
        else:
            clean[key] = rating
    if errors:
        raise ValidationFailed(errors)
    before = taken(actor, quarter)
    if before is not None:
        raise AlreadyAnswered(quarter, before.answered_on)
    role = role_of(actor)
    response = SelfAssessmentResponse(
        quarter=quarter, user_id=None if anonymous else actor.id, is_director=role == "director", role=role
    )
    if anonymous:
        q = Quarter.parse(quarter, current_app.config["FISCAL_YEAR_START_MONTH"])
        response.submitted_at = dates.day_start(q.start) if q else dates.day_start(dates.today())
    response.answers = [SelfAssessmentAnswer(item=k, rating=v) for k, v in clean.items()]
    db.session.add_all([response, SelfAssessmentTaker(user_id=actor.id, quarter=quarter, answered_on=dates.today())])
    db.session.flush()
    if anonymous:
        # No audit entry names or times an anonymous answer (that would link it to its author); the
        # trail keeps how many came in each day.
        _count_anonymous(dates.today())
    else:
        record("self_assessment.submit", actor, object_type="self_assessment", object_id=quarter)
    return response


def _count_anonymous(day) -> None:
    row = db.session.get(SelfAssessmentDay, day)
    if row is None:
        db.session.add(SelfAssessmentDay(day=day, anonymous=1))
    else:
        row.anonymous = SelfAssessmentDay.anonymous + 1  # an UPDATE … SET anonymous = anonymous + 1
    db.session.flush()


def anonymous_per_day(since, until) -> list[tuple]:
    """(day, anonymous answers) between the two dates: the audit trail of anonymous answers."""
    return db.session.execute(
        select(SelfAssessmentDay.day, SelfAssessmentDay.anonymous)
        .where(SelfAssessmentDay.day >= since, SelfAssessmentDay.day <= until)
        .order_by(SelfAssessmentDay.day)
    ).all()


def averages(quarters: list[str], role: str | None = None) -> dict[str, dict[str, float]]:
    """{quarter: {item: mean rating}} for the quarters given (of one role's responses when given):
    one grouped query; a quarter with fewer than MIN_RESPONSES responses has no averages."""
    query = (
        select(
            SelfAssessmentResponse.quarter,
            SelfAssessmentAnswer.item,
            func.avg(SelfAssessmentAnswer.rating),
            func.count(SelfAssessmentAnswer.rating),
        )
        .join(SelfAssessmentAnswer, SelfAssessmentAnswer.response_id == SelfAssessmentResponse.id)
        .where(SelfAssessmentResponse.quarter.in_(quarters))
        .group_by(SelfAssessmentResponse.quarter, SelfAssessmentAnswer.item)
    )
    if role is not None:
        query = query.where(SelfAssessmentResponse.role == role)
    out: dict[str, dict[str, float]] = {q: {} for q in quarters}
    for quarter, item, mean, n in db.session.execute(query):
        if n >= MIN_RESPONSES:
            out[quarter][item] = round(float(mean), 2)
    return out


def respondents(quarter: str, role: str | None = None) -> int:
    query = select(func.count()).select_from(SelfAssessmentResponse).where(SelfAssessmentResponse.quarter == quarter)
    if role is not None:
        query = query.where(SelfAssessmentResponse.role == role)
    return db.session.scalar(query)


def by_role(quarter: str) -> list[dict]:
    """Each role's response count and overall average for the quarter (the average only from
    MIN_RESPONSES responses of that role up)."""
    counts = dict(
        db.session.execute(
            select(SelfAssessmentResponse.role, func.count())
            .where(SelfAssessmentResponse.quarter == quarter)
            .group_by(SelfAssessmentResponse.role)
        ).all()
    )
    rows = []
    for role in ROLE_ORDER:
        n = int(counts.get(role, 0))
        means = averages([quarter], role)[quarter] if n >= MIN_RESPONSES else {}
        rows.append(
            {
                "role": role,
                "label": ROLE_LABELS[role],
                "responses": n,
                "average": round(sum(means.values()) / len(means), 2) if means else None,
                "items": means,
            }
        )
    return rows
