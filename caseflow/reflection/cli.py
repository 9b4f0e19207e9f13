"""`jobs run NAME`, `jobs list`, `scheduler` and `serve` (the one-machine server with its scheduler)."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from caseflow import jobs as job_functions
from caseflow.reflection.quarters import Quarter

jobs_cli = AppGroup("jobs", help="Run scheduled jobs now, or list them.")

WORK = job_functions.WORK


@jobs_cli.command("run")
@click.argument("name", type=click.Choice(sorted(WORK)))
@click.option("--quarter", default=None, help="For quarterly-summary: YYYY-Qn (default: last quarter).")
def jobs_run(name, quarter):
    """Run one job now (idempotent) and record it as a job run."""
    app = current_app._get_current_object()
    work = WORK[name]
    if name == "quarterly-summary" and quarter:
        q = Quarter.parse(quarter, app.config["FISCAL_YEAR_START_MONTH"])
        if q is None:
            raise click.BadParameter("use YYYY-Qn, e.g. 2026-Q3", param_hint="--quarter")
        run = job_functions.run_job(app, name, None, lambda: work(q))
    else:
        run = job_functions.run_job(app, name, None, work)
    click.echo(f"{name}: {run.status} {run.details or ''}")
    if run.status != "success":
        click.echo(run.error, err=True)
        raise SystemExit(1)


@jobs_cli.command("list")
def jobs_list():
    """The scheduled jobs and their next run."""
    from caseflow.scheduler import describe_jobs

    for job in describe_jobs(current_app):
        click.echo(f"{job['id']:<20} next {job['next_run']:%Y-%m-%d %H:%M %Z}  {job['description']}")


@click.command("scheduler")
def scheduler_cmd():
    """Run the APScheduler process in the foreground (production: one such process)."""
    from caseflow.scheduler import build_scheduler

    app = current_app._get_current_object()
    click.echo("Scheduler running; Ctrl-C to stop.")
    build_scheduler(app).start()


@click.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@click.option("--with-scheduler/--without-scheduler", default=True)
def serve_cmd(host, port, with_scheduler):
    """The one-machine server: the web app with the scheduler in the same process."""
    app = current_app._get_current_object()
    if with_scheduler:
        from caseflow.scheduler import start_background

        start_background(app)
    from werkzeug.serving import run_simple

    click.echo(f"Caseflow on http://{host}:{port}/ (scheduler {'on' if with_scheduler else 'off'}); Ctrl-C to stop.")
    run_simple(host, port, app, threaded=True, use_reloader=False)


def register(app: Flask) -> None:
    app.cli.add_command(jobs_cli)
    app.cli.add_command(scheduler_cmd)
    app.cli.add_command(serve_cmd)
