"""One job registry: the scheduler, `flask jobs` and /admin/jobs all read caseflow.jobs.JOBS, so a
job added there (one function, one decorator) is scheduled, listed, runnable and shown everywhere."""

from __future__ import annotations

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import select

from caseflow import dates, jobs
from caseflow.cli import jobs_run
from caseflow.models import JobRun
from caseflow.scheduler import build_scheduler

FIXED = ["quarterly-summary", "weekly-digest", "followup-reminders", "retention-purge"]


@pytest.fixture
def extra_job():
    """A job declared the way a new one would be: only in caseflow/jobs.py."""
    calls = []

    @jobs.scheduled("test-extra", cron={"hour": 4, "minute": 15}, slot=jobs.daily, description="Counts {ORG_NAME}")
    def extra_work() -> dict:
        calls.append(1)
        return {"counted": len(calls)}

    try:
        yield calls
    finally:
        jobs.JOBS.pop("test-extra")


def test_the_jobs_interfaces_md_names_are_registered_with_their_schedules(app):
    assert list(jobs.JOBS)[:4] == FIXED
    assert set(jobs_run.params[0].type.choices) == set(jobs.JOBS)  # `flask jobs run NAME`
    out = app.test_cli_runner().invoke(args=["jobs", "list"]).output.splitlines()
    assert [line.split()[0] for line in out] == list(jobs.JOBS)
    assert "Blanks narratives older than 730 days" in out[3] and " 03:00 " in out[3]


def test_a_job_added_to_the_registry_is_scheduled_listed_and_runnable_everywhere(app, db, client, login_as, extra_job):
    scheduler = build_scheduler(app, BackgroundScheduler)
    scheduled = scheduler.get_job("test-extra")
    assert scheduled.name == f"Counts {app.config['ORG_NAME']}" and scheduled.args == (app, "test-extra")
    assert {j.id for j in scheduler.get_jobs()} == set(jobs.JOBS)

    listed = app.test_cli_runner().invoke(args=["jobs", "list"]).output
    assert "test-extra" in listed and "04:15" in listed

    login_as("admin")
    assert 'action="/admin/jobs/test-extra/run"' in client.get("/admin/jobs").get_data(as_text=True)
    assert client.post("/admin/jobs/test-extra/run").status_code == 302
    # The scheduler's entry point claims the day's slot once.
    assert jobs.run_scheduled(app, "test-extra").status == "success"
    assert jobs.run_scheduled(app, "test-extra") is None
    runs = db.session.scalars(select(JobRun.run_key).where(JobRun.job_id == "test-extra").order_by(JobRun.id)).all()
    with app.app_context():
        assert runs == [None, dates.today().isoformat()]  # "Run now" is manual; the scheduler's run has a slot
    assert len(extra_job) == 2
