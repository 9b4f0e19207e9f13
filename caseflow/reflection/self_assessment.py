"""The self-assessment continuum: how far case-to-cause practice is woven into the organisation.

Items are in our own words, grouped as normalize (a shared analysis), organize (structures and
partners) and operationalize (data and practice), plus the six steps of the process.
"""

from __future__ import annotations

from sqlalchemy import func, select

from caseflow.audit.services import record
from caseflow.errors import ValidationFailed
from caseflow.extensions import db
from caseflow.models import SelfAssessmentAnswer, SelfAssessmentResponse

LEVELS = {0: "Not started", 1: "Beginning", 2: "Developing", 3: "Integrated"}

ITEMS: list[tuple[str, str, str]] = [
    # (key, group, statement)
    (
        "step_learning",
        "The six steps",
        "We analyse the issues clients bring, with data and with clients' own views of the causes.",
    ),
    ("step_awareness", "The six steps", "We map who holds power over an issue and where they stand."),
    ("step_vision", "The six steps", "We write, with constituents, what the world could be like."),
    ("step_strategy", "The six steps", "Our plans build constituents' power, with goals, targets and measures."),
    ("step_action", "The six steps", "We take organizing action while keeping service quality up."),
    ("step_reflection", "The six steps", "We evaluate the change we sought, not only our services."),
    ("shared_analysis", "Normalize", "Staff at every level share an analysis of why clients face these problems."),
    ("justice_in_roles", "Normalize", "Justice goals appear in job descriptions and supervision."),
    ("advisory_authority", "Organize", "A constituent advisory committee has real authority over campaigns."),
    ("cross_program", "Organize", "Programs organize together on issues that cross their boundaries."),
    ("constituent_leadership", "Organize", "Clients step into leadership and are supported to lead."),
    (
        "case_to_cause_funnel",
        "Operationalize",
        "Concerns from casework reliably reach organizing, and staff hear what came of them.",
    ),
    ("equity_lens", "Operationalize", "We disaggregate our data by race and act on the disparities we find."),
]
ITEM_KEYS = [key for key, _, _ in ITEMS]


def submit(actor, quarter: str, ratings: dict[str, object], *, anonymous: bool) -> SelfAssessmentResponse:
    errors: dict[str, list[str]] = {}
    clean: dict[str, int] = {}
    for key in ITEM_KEYS:
        value = ratings.get(key)
        try:
            rating = int(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            rating = -1
        if rating not in LEVELS:
            errors[key] = ["Choose where we are on the continuum."]
        else:
            clean[key] = rating
    if errors:
        raise ValidationFailed(errors)
    is_director = actor.has_role("director")
    response = SelfAssessmentResponse(quarter=quarter, user_id=None if anonymous else actor.id, is_director=is_director)
    response.answers = [SelfAssessmentAnswer(item=k, rating=v) for k, v in clean.items()]
    db.session.add(response)
    db.session.flush()
    record("self_assessment.submit", actor, object_type="self_assessment", object_id=quarter)
    return response


def averages(quarters: list[str]) -> dict[str, dict[str, float]]:
    """{quarter: {item: mean rating}} for the quarters given: one grouped query."""
    rows = db.session.execute(
        select(SelfAssessmentResponse.quarter, SelfAssessmentAnswer.item, func.avg(SelfAssessmentAnswer.rating))
        .join(SelfAssessmentAnswer, SelfAssessmentAnswer.response_id == SelfAssessmentResponse.id)
        .where(SelfAssessmentResponse.quarter.in_(quarters))
        .group_by(SelfAssessmentResponse.quarter, SelfAssessmentAnswer.item)
    )
    out: dict[str, dict[str, float]] = {q: {} for q in quarters}
    for quarter, item, mean in rows:
        out[quarter][item] = round(float(mean), 2)
    return out


def respondents(quarter: str) -> int:
    return db.session.scalar(
        select(func.count()).select_from(SelfAssessmentResponse).where(SelfAssessmentResponse.quarter == quarter)
    )
