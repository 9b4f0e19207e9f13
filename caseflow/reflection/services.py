"""Summary verbs: build (once per quarter), comment, sign off (which locks)."""

from __future__ import annotations

from sqlalchemy import select

from caseflow.audit.services import record
from caseflow.errors import DomainError, StaleVersion
from caseflow.extensions import db
from caseflow.models import QuarterlySummary
from caseflow.models.base import utcnow
from caseflow.reflection.quarters import Quarter
from caseflow.reflection.summary import build_summary


class SummaryLocked(DomainError):
    status = 409

    def __init__(self):
        super().__init__("This summary is signed off and can no longer change.", field="commentary")


def get_summary(label: str) -> QuarterlySummary | None:
    return db.session.scalar(select(QuarterlySummary).where(QuarterlySummary.quarter == label))


def ensure_summary(q: Quarter, actor=None) -> tuple[QuarterlySummary, bool]:
    """The quarter's summary, built now if it does not exist yet. Running it again changes nothing."""
    existing = get_summary(q.label)
    if existing is not None:
        return existing, False
    summary = QuarterlySummary(quarter=q.label, data=build_summary(q))
    db.session.add(summary)
    db.session.flush()
    record("summary.build", actor, summary, quarter=q.label, actor_label="" if actor else "scheduler")
    return summary, True


def _check(summary: QuarterlySummary, version) -> None:
    if summary.is_signed_off:
        raise SummaryLocked()
    try:
        stale = int(version) != summary.version
    except (TypeError, ValueError):
        stale = True
    if stale:
        raise StaleVersion(
            "Someone else saved this summary while you were writing. Your text is kept below; review and save again."
        )


def set_commentary(actor, summary: QuarterlySummary, text: str, version) -> None:
    _check(summary, version)
    text = text or ""
    if len(text) > 20000 or "\x00" in text:
        raise DomainError("Use at most 20,000 characters.", field="commentary")
    summary.commentary = text
    db.session.flush()
    record("summary.commentary", actor, summary, quarter=summary.quarter)


def sign_off(actor, summary: QuarterlySummary, version) -> None:
    _check(summary, version)
    summary.signed_off_by_id = actor.id
    summary.signed_off_at = utcnow()
    db.session.flush()
    record("summary.sign_off", actor, summary, quarter=summary.quarter)
