"""Builds the APScheduler instance. Production runs it as its own process
(`flask --app caseflow scheduler`); `make run` starts it inside the one-machine server
(`flask --app caseflow serve`). Web workers never start it."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import Flask

from caseflow import dates, jobs


def _quarter_months(start_month: int) -> str:
    return ",".join(str((start_month - 1 + 3 * k) % 12 + 1) for k in range(4))


def job_specs(app: Flask) -> list[dict]:
    tz = ZoneInfo(app.config["TIMEZONE"])
    return [
        {
            "id": "quarterly-summary",
            "func": jobs.quarterly_summary,
            "trigger": CronTrigger(
                month=_quarter_months(app.config["FISCAL_YEAR_START_MONTH"]), day=1, hour=6, timezone=tz
            ),
            "description": "Builds last quarter's reflection summary on the first morning of a quarter",
        },
        {
            "id": "weekly-digest",
            "func": jobs.weekly_digest,
            "trigger": CronTrigger(day_of_week="mon", hour=7, timezone=tz),
            "description": "Tells organizers about new and rising patterns (in-app; e-mail if SMTP is set)",
        },
        {
            "id": "followup-reminders",
            "func": jobs.followup_reminders,
            "trigger": CronTrigger(hour=7, minute=30, timezone=tz),
            "description": "Reminds owners of overdue follow-ups",
        },
        {
            "id": "retention-purge",
            "func": jobs.retention_purge,
            "trigger": CronTrigger(hour=3, timezone=tz),
            "description": f"Blanks narratives older than {app.config['NARRATIVE_RETENTION_DAYS']} days",
        },
    ]


def build_scheduler(app: Flask, scheduler_class: type[BaseScheduler] = BlockingScheduler) -> BaseScheduler:
    scheduler = scheduler_class(timezone=ZoneInfo(app.config["TIMEZONE"]))
    for spec in job_specs(app):
        scheduler.add_job(
            spec["func"],
            spec["trigger"],
            args=[app],
            id=spec["id"],
            name=spec["description"],
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=6 * 3600,
        )
    return scheduler


def describe_jobs(app: Flask) -> list[dict]:
    with app.app_context():
        now = dates.now().astimezone(dates.zone())
    return [
        {"id": s["id"], "description": s["description"], "next_run": s["trigger"].get_next_fire_time(None, now)}
        for s in job_specs(app)
    ]


def start_background(app: Flask) -> BackgroundScheduler:
    scheduler = build_scheduler(app, BackgroundScheduler)
    scheduler.start()
    return scheduler
