"""The scheduled jobs: one registry (`JOBS`) that the scheduler, the CLI (`flask jobs ...`) and the
admin page (/admin/jobs) all read. Adding a job is one function here under `@scheduled(...)`.

Each job's work runs inside an app context, calls services and returns what it did; `run_job` commits
once and records a JobRun. A scheduled run is keyed by its slot (quarter, ISO week, day): a second
scheduler process firing the same slot cannot insert the same JobRun key, so it skips the work
instead of doing it twice."""

from __future__ import annotations

import inspect
import smtplib
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from email.message import EmailMessage

from flask import Flask, current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from caseflow import dates
from caseflow.extensions import db
from caseflow.models import Concern, JobRun, User, UserRole
from caseflow.models.base import utcnow
from caseflow.models.campaign_steps import FollowUp
from caseflow.notifications.services import notify, organizers
from caseflow.patterns.engine import PatternSettings, find_patterns
from caseflow.reflection.quarters import Quarter
from caseflow.reflection.services import ensure_summary
from caseflow.reflection.summary import today_quarter
from caseflow.suggestions.services import refresh_themes, train_and_store


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


# --- The registry ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    id: str
    work: Callable[..., dict | None]
    # CronTrigger fields in the organisation's time zone, or a function of the app's config giving them.
    cron: Mapping[str, object] | Callable[[Mapping], Mapping[str, object]]
    # The run key of a scheduled firing on a given day: one run per slot, however many schedulers.
    slot: Callable[[date], str]
    # What it does, for `jobs list` and the admin page; may name config keys: {NARRATIVE_RETENTION_DAYS}.
    description: str  # a lazy_gettext string: the reader's language

    def cron_fields(self, config: Mapping) -> Mapping[str, object]:
        return self.cron(config) if callable(self.cron) else self.cron

    def describe(self, config: Mapping) -> str:
        return str(self.description).format_map(config)

    @property
    def takes_quarter(self) -> bool:
        """`flask jobs run ID --quarter YYYY-Qn` passes the quarter to work that asks for one."""
        return "quarter" in inspect.signature(self.work).parameters


JOBS: dict[str, Job] = {}


def scheduled(job_id: str, *, cron, slot: Callable[[date], str], description: str):
    """Register the decorated function as the work of job `job_id` (see Job)."""

    def register(work: Callable[..., dict | None]) -> Callable[..., dict | None]:
        JOBS[job_id] = Job(job_id, work, cron, slot, description)
        return work

    return register


def run_scheduled(app: Flask, job_id: str) -> JobRun | None:
    """The scheduler's entry point: claim today's slot for the job and run it (None: already claimed)."""
    job = JOBS[job_id]
    with app.app_context():
        key = job.slot(dates.today())
    return run_job(app, job_id, key, job.work)


def run_now(app: Flask, job_id: str, **options) -> JobRun:
    """Run a job at once, outside its schedule (the CLI and the admin page's "Run now"): a manual run."""
    work = JOBS[job_id].work
    return run_job(app, job_id, None, (lambda: work(**options)) if options else work)


# Slots and schedules


def daily(day: date) -> str:
    return day.isoformat()


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def last_quarter(day: date) -> str:
    return today_quarter(day).previous().label


def quarter_starts(config: Mapping) -> dict[str, object]:
    """The first morning of each fiscal quarter."""
    first = config["FISCAL_YEAR_START_MONTH"]
    return {"month": ",".join(str((first - 1 + 3 * k) % 12 + 1) for k in range(4)), "day": 1, "hour": 6}


# --- The work of each job (call inside an app context) -----------------------------------------


@scheduled(
    "quarterly-summary",
    cron=quarter_starts,
    slot=last_quarter,
    description=_l("Builds last quarter's reflection summary on the first morning of a quarter"),
)
def quarterly_summary_work(quarter: Quarter | None = None) -> dict:
    q = quarter or today_quarter(dates.today()).previous()
    summary, created = ensure_summary(q)
    if created:
        directors = _users_with_role("director")
        notify(
            directors,
            "summary",
            _l("The reflection summary for %(quarter)s is ready for your review and sign-off.", quarter=q.label),
            f"/summaries/{q.label}",
            f"summary:{q.label}",
        )
    return {"quarter": q.label, "created": created}


@scheduled(
    "weekly-digest",
    cron={"day_of_week": "mon", "hour": 7},
    slot=iso_week,
    description=_l("Tells organizers about new and rising patterns (in-app; e-mail if SMTP is set)"),
)
def weekly_digest_work() -> dict:
    settings = PatternSettings.from_config()
    quarter = today_quarter(settings.as_of).label
    rising = [
        p for p in find_patterns(settings, with_examples=0) if p.state == "new" and (p.trend is None or p.trend >= 0.5)
    ]
    people = organizers()
    sent = 0
    for p in sorted(rising, key=lambda p: -p.count)[:20]:
        message = (
            _l("Rising pattern: %(title)s — %(num)d concerns, new.", title=p.title, num=p.count)
            if p.trend is None
            else _l(
                "Rising pattern: %(title)s — %(num)d concerns, up %(growth)d%%.",
                title=p.title,
                num=p.count,
                growth=round(p.trend * 100),
            )
        )
        sent += notify(
            people,
            "digest",
            message,
            f"/patterns/detail?key={p.key}",
            f"digest:{p.key}:{quarter}",
        )
    if sent and current_app.config.get("MAIL_SERVER"):
        _email(
            people,
            _l("Caseflow: new and rising patterns"),
            lambda: "\n".join(gettext("- %(title)s: %(num)d concerns", title=p.title, num=p.count) for p in rising),
        )
    return {"rising": len(rising), "notifications": sent}


@scheduled(
    "followup-reminders",
    cron={"hour": 7, "minute": 30},
    slot=daily,
    description=_l("Reminds owners of overdue follow-ups"),
)
def followup_reminders_work() -> dict:

    today = dates.today()
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
            _l("Overdue since %(day)s: %(what)s", day=due_on.isoformat(), what=description),
            f"/follow-ups/{follow_up_id}",  # opens for the owner, whatever their role
            f"follow_up:{follow_up_id}:{today.isoformat()}",
        )
    return {"overdue": len(overdue), "notifications": sent}


@scheduled(
    "retention-purge",
    cron={"hour": 3},
    slot=daily,
    description=_l("Blanks narratives older than {NARRATIVE_RETENTION_DAYS} days"),
)
def retention_purge_work() -> dict:
    """Blank narratives older than the retention period; every structured field stays."""
    cutoff = dates.today() - timedelta(days=current_app.config["NARRATIVE_RETENTION_DAYS"])
    result = db.session.execute(
        update(Concern)
        .where(Concern.narrative.is_not(None), Concern.occurred_on < cutoff)
        .values(narrative=None, narrative_purged_at=utcnow(), version=Concern.version + 1)
        .execution_options(synchronize_session=False)
    )
    return {"cutoff": cutoff.isoformat(), "purged": result.rowcount}


@scheduled(
    "tag-model",
    cron={"hour": 2, "minute": 30},
    slot=daily,
    description=_l("Retrains the tag suggestions on the organisation's tagged concerns"),
)
def tag_model_work() -> dict:
    r = train_and_store()
    return {"trained": r.trained, "version": r.version, "examples": r.examples, "seconds": round(r.seconds, 1)}


@scheduled(
    "emerging-themes",
    cron={"day_of_week": "mon", "hour": 6, "minute": 30},
    slot=iso_week,
    description=_l("Groups last month's concerns that fit no tag into emerging themes for organizers"),
)
def emerging_themes_work() -> dict:
    return {"themes": len(refresh_themes())}


def _users_with_role(role: str) -> list[int]:
    return list(
        db.session.scalars(
            select(User.id).join(UserRole, UserRole.user_id == User.id).where(UserRole.role == role, User.active)
        )
    )


def _email(user_ids: list[int], subject, body: Callable[[], str]) -> None:
    """One e-mail per language: each recipient reads the subject (lazy_gettext) and the body (made by
    `body()` while their language is on) in their own setting, else the organisation's default."""
    from flask_babel import force_locale

    from caseflow.i18n import SUPPORTED_LOCALES, default_locale

    cfg = current_app.config
    by_locale: dict[str, list[str]] = {}
    for email, locale in db.session.execute(select(User.email, User.locale).where(User.id.in_(user_ids))):
        by_locale.setdefault(locale if locale in SUPPORTED_LOCALES else default_locale(), []).append(email)
    for locale, recipients in sorted(by_locale.items()):
        with force_locale(locale):
            message = EmailMessage()
            message["Subject"], message["From"], message["To"] = (
                str(subject),
                cfg.get("MAIL_FROM", "caseflow@localhost"),
                ", ".join(recipients),
            )
            message.set_content(body())
        with smtplib.SMTP(cfg["MAIL_SERVER"], int(cfg.get("MAIL_PORT", 25)), timeout=10) as smtp:
            smtp.send_message(message)
