"""Summary verbs: build (once per quarter, again while it is a draft), comment, sign off (which
rebuilds it from the data as it is then, and locks it; only once the quarter is over)."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import gettext
from sqlalchemy import select

from caseflow import dates
from caseflow.audit.services import record
from caseflow.errors import DomainError, StaleVersion
from caseflow.extensions import db
from caseflow.models import QuarterlySummary
from caseflow.reflection.quarters import Quarter
from caseflow.reflection.summary import build_summary
from caseflow.validation import ascii_int


class SummaryLocked(DomainError):
    status = 409

    def __init__(self):
        super().__init__("This summary is signed off and can no longer change.", field="commentary")


class QuarterNotOver(DomainError):
    status = 409

    def __init__(self, q: Quarter):
        super().__init__(
            f"{q.label} is not over yet: it can be signed off from {(q.end + timedelta(days=1)).isoformat()}, "
            "when its summary is complete.",
            field="sign_off",
        )


def get_summary(label: str) -> QuarterlySummary | None:
    return db.session.scalar(select(QuarterlySummary).where(QuarterlySummary.quarter == label))


def quarter_of(summary: QuarterlySummary) -> Quarter:
    return Quarter.parse(summary.quarter, current_app.config["FISCAL_YEAR_START_MONTH"])


def is_over(q: Quarter) -> bool:
    return dates.today() > q.end


def sign_off_refusal(summary: QuarterlySummary) -> str | None:
    """Why this summary cannot be signed off now, or None when it can (views and templates ask this)."""
    if summary.is_signed_off:
        return SummaryLocked().message
    q = quarter_of(summary)
    return None if is_over(q) else QuarterNotOver(q).message


def rebuild(summary: QuarterlySummary, actor=None) -> None:
    """Count the draft again from the data as it is now (a signed-off summary never changes)."""
    if summary.is_signed_off:
        raise SummaryLocked()
    summary.data = build_summary(quarter_of(summary))
    summary.built_at = dates.now()
    db.session.flush()
    record("summary.rebuild", actor, summary, quarter=summary.quarter, actor_label="" if actor else "scheduler")


def ensure_summary(q: Quarter, actor=None) -> tuple[QuarterlySummary, bool]:
    """The quarter's summary, built now if it does not exist yet. Running it again changes nothing,
    except that a draft counted "so far" while the quarter ran is counted again once it is over."""
    existing = get_summary(q.label)
    if existing is not None:
        if not existing.is_signed_off and existing.data.get("so_far") and is_over(q):
            rebuild(existing, actor)
        return existing, False
    summary = QuarterlySummary(quarter=q.label, data=build_summary(q), built_at=dates.now())
    db.session.add(summary)
    db.session.flush()
    record("summary.build", actor, summary, quarter=q.label, actor_label="" if actor else "scheduler")
    return summary, True


def _check(summary: QuarterlySummary, version) -> None:
    if summary.is_signed_off:
        raise SummaryLocked()
    stale = ascii_int(version) != summary.version
    if stale:
        raise StaleVersion(
            gettext(
                "Someone else saved this summary while you were writing. Your text is kept below; review and save again."
            )
        )


def set_commentary(actor, summary: QuarterlySummary, text: str, version) -> None:
    _check(summary, version)
    text = text or ""
    if len(text) > 20000 or "\x00" in text:
        raise DomainError(gettext("Use at most 20,000 characters."), field="commentary")
    summary.commentary = text
    db.session.flush()
    record("summary.commentary", actor, summary, quarter=summary.quarter)


def sign_off(actor, summary: QuarterlySummary, version) -> None:
    """Only after the quarter ends; the summary is counted again first, so what is signed is what
    the data says at the moment of signing (a snapshot taken earlier may have missed late entries)."""
    _check(summary, version)
    q = quarter_of(summary)
    if not is_over(q):
        raise QuarterNotOver(q)
    summary.data = build_summary(q)
    summary.built_at = dates.now()
    summary.signed_off_by_id = actor.id
    summary.signed_off_at = summary.built_at
    db.session.flush()
    record("summary.sign_off", actor, summary, quarter=summary.quarter, built_at=summary.built_at.isoformat())
