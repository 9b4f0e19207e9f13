"""Builds the APScheduler instance from the job registry (caseflow.jobs.JOBS). Production runs it
as its own process (`flask --app caseflow scheduler`); `make run` starts it inside the one-machine
server (`flask --app caseflow serve`). Web workers never start it."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import Flask

from caseflow import dates
from caseflow.jobs import JOBS, Job, run_scheduled


def trigger(app: Flask, job: Job) -> CronTrigger:
    return CronTrigger(**job.cron_fields(app.config), timezone=ZoneInfo(app.config["TIMEZONE"]))


def build_scheduler(app: Flask, scheduler_class: type[BaseScheduler] = BlockingScheduler) -> BaseScheduler:
    scheduler = scheduler_class(timezone=ZoneInfo(app.config["TIMEZONE"]))
    for job in JOBS.values():
        scheduler.add_job(
            run_scheduled,
            trigger(app, job),
            args=[app, job.id],
            id=job.id,
            name=job.describe(app.config),
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=6 * 3600,
        )
    return scheduler


def describe_jobs(app: Flask) -> list[dict]:
    """Each registered job with what it does and its next run (for `jobs list` and /admin/jobs)."""
    with app.app_context():
        now = dates.now().astimezone(dates.zone())
    return [
        {
            "id": job.id,
            "description": job.describe(app.config),
            "next_run": trigger(app, job).get_next_fire_time(None, now),
        }
        for job in JOBS.values()
    ]


def start_background(app: Flask) -> BackgroundScheduler:
    scheduler = build_scheduler(app, BackgroundScheduler)
    scheduler.start()
    return scheduler
