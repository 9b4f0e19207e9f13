"""Scheduled job functions. Each opens an app context, calls services, commits once, and records a
JobRun. A run is keyed by its slot (quarter, ISO week, day): a second scheduler process firing the
same slot cannot insert the same JobRun key, so it skips the work instead of doing it twice."""

from __future__ import annotations

import smtplib
import traceback
from collections.abc import Callable
from datetime import timedelta
from email.message import EmailMessage

from flask import Flask, current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from caseflow.extensions import db
from caseflow.models import Concern, JobRun, User
from caseflow.models.base import utcnow


def run_job(app: Flask, job_id: str, run_key: str | None, work: Callable[[], dict | None]) -> JobRun | None:
    """Run `work` once for this slot; None when another process already claimed the slot."""
    with app.app_context():
        run = JobRun(job_id=job_id, run_key=run_key, status="running")
        db.session.add(run)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            app.logger.info("job %s %s already ran or is running elsewhere; skipped", job_id, run_key)
            return None
        run_id = run.id
        try:
            details = work() or {}
        except Exception as error:  # a failing job is recorded, and the next one still runs
            db.session.rollback()
            run = db.session.get(JobRun, run_id)
            run.status = "failed"
            run.error = f"{type(error).__name__}: {error}\n{traceback.format_exc(limit=5)}"[:4000]
            app.logger.exception("job %s failed", job_id)
        else:
            run = db.session.get(JobRun, run_id)
            run.status = "success"
            run.details = details
        run.finished_at = utcnow()
        db.session.commit()
        db.session.refresh(run)
        db.session.expunge(run)
        return run


def _today():
    from caseflow.dates import today

    return today()


# --- The work of each job (call inside an app context) -----------------------------------------


def quarterly_summary_work(quarter=None) -> dict:
    from caseflow.notifications.services import notify
    from caseflow.reflection.services import ensure_summary
    from caseflow.reflection.summary import today_quarter

    q = quarter or today_quarter(_today()).previous()
    summary, created = ensure_summary(q)
    if created:
        directors = _users_with_role("director")
        notify(
            directors,
            "summary",
            f"The reflection summary for {q.label} is ready for your review and sign-off.",
            f"/summaries/{q.label}",
            f"summary:{q.label}",
        )
    return {"quarter": q.label, "created": created}


def weekly_digest_work() -> dict:
    from caseflow.notifications.services import notify, organizers
    from caseflow.patterns.engine import PatternSettings, find_patterns
    from caseflow.reflection.summary import today_quarter

    settings = PatternSettings.from_config()
    quarter = today_quarter(settings.as_of).label
    rising = [
        p for p in find_patterns(settings, with_examples=0) if p.state == "new" and (p.trend is None or p.trend >= 0.5)
    ]
    people = organizers()
    sent = 0
    for p in sorted(rising, key=lambda p: -p.count)[:20]:
        growth = "new" if p.trend is None else f"up {round(p.trend * 100)}%"
        sent += notify(
            people,
            "digest",
            f"Rising pattern: {p.title} — {p.count} concerns, {growth}.",
            f"/patterns/detail?key={p.key}",
            f"digest:{p.key}:{quarter}",
        )
    if sent and current_app.config.get("MAIL_SERVER"):
        _email(
            people, "Caseflow: new and rising patterns", "\n".join(f"- {p.title}: {p.count} concerns" for p in rising)
        )
    return {"rising": len(rising), "notifications": sent}


def followup_reminders_work() -> dict:
    from caseflow.models.campaign_steps import FollowUp
    from caseflow.notifications.services import notify

    today = _today()
    overdue = db.session.execute(
        select(FollowUp.id, FollowUp.owner_id, FollowUp.description, FollowUp.due_on, FollowUp.campaign_id).where(
            FollowUp.done_at.is_(None), FollowUp.due_on < today, FollowUp.owner_id.is_not(None)
        )
    ).all()
    sent = 0
    for follow_up_id, owner_id, description, due_on, _campaign_id in overdue:
        sent += notify(
            [owner_id],
            "follow_up",
            f"Overdue since {due_on.isoformat()}: {description}",
            f"/follow-ups/{follow_up_id}",  # opens for the owner, whatever their role
            f"follow_up:{follow_up_id}:{today.isoformat()}",
        )
    return {"overdue": len(overdue), "notifications": sent}


def retention_purge_work() -> dict:
    """Blank narratives older than the retention period; every structured field stays."""
    cutoff = _today() - timedelta(days=current_app.config["NARRATIVE_RETENTION_DAYS"])
    result = db.session.execute(
        update(Concern)
        .where(Concern.narrative.is_not(None), Concern.occurred_on < cutoff)
        .values(narrative=None, narrative_purged_at=utcnow(), version=Concern.version + 1)
        .execution_options(synchronize_session=False)
    )
    return {"cutoff": cutoff.isoformat(), "purged": result.rowcount}


def _users_with_role(role: str) -> list[int]:
    from caseflow.models import UserRole

    return list(
        db.session.scalars(
            select(User.id).join(UserRole, UserRole.user_id == User.id).where(UserRole.role == role, User.active)
        )
    )


def _email(user_ids: list[int], subject: str, body: str) -> None:
    cfg = current_app.config
    recipients = list(db.session.scalars(select(User.email).where(User.id.in_(user_ids))))
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = (
        subject,
        cfg.get("MAIL_FROM", "caseflow@localhost"),
        ", ".join(recipients),
    )
    message.set_content(body)
    with smtplib.SMTP(cfg["MAIL_SERVER"], int(cfg.get("MAIL_PORT", 25)), timeout=10) as smtp:
        smtp.send_message(message)


# The work of each job by its id: the one table the CLI (`jobs run`), the admin page's "Run now"
# and the scheduler's entry points below share.
WORK: dict[str, Callable[[], dict]] = {
    "quarterly-summary": quarterly_summary_work,
    "weekly-digest": weekly_digest_work,
    "followup-reminders": followup_reminders_work,
    "retention-purge": retention_purge_work,
}


# --- Module-level entry points for APScheduler (each claims its slot) -------------------------


def quarterly_summary(app: Flask) -> JobRun | None:
    with app.app_context():
        from caseflow.reflection.summary import today_quarter

        label = today_quarter(_today()).previous().label
    return run_job(app, "quarterly-summary", label, quarterly_summary_work)


def weekly_digest(app: Flask) -> JobRun | None:
    with app.app_context():
        year, week, _ = _today().isocalendar()
    return run_job(app, "weekly-digest", f"{year}-W{week:02d}", weekly_digest_work)


def followup_reminders(app: Flask) -> JobRun | None:
    with app.app_context():
        key = _today().isoformat()
    return run_job(app, "followup-reminders", key, followup_reminders_work)


def retention_purge(app: Flask) -> JobRun | None:
    with app.app_context():
        key = _today().isoformat()
    return run_job(app, "retention-purge", key, retention_purge_work)
