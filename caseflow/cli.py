"""Thin click commands that call services (INTERFACES.md, "Command line"): users, seed-demo, clock,
the jobs (`jobs run`, `jobs list`), the `scheduler` process and the one-machine `serve`."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_babel import gettext
from sqlalchemy import func, select

from caseflow import jobs
from caseflow.accounts import services as accounts
from caseflow.errors import ValidationFailed
from caseflow.extensions import db
from caseflow.models import ROLES, User
from caseflow.reflection.quarters import Quarter
from caseflow.scheduler import build_scheduler, describe_jobs, start_background

users_cli = AppGroup("users", help="Manage users and API tokens.")
jobs_cli = AppGroup("jobs", help="Run scheduled jobs now, or list them.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(ROLES))
@click.option("--name", default="")
@click.option("--password", default=None, help="Prompted for when omitted.")
@click.option("--service", is_flag=True, help="A service account: API tokens only, cannot log in, no password.")
def users_create(email, roles, name, password, service):
    if password is None and not service:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = accounts.create_user(None, email, roles, password or "", name, service=service)
    except ValidationFailed as e:
        for field, messages in e.errors.items():
            click.echo(f"{field}: {' '.join(messages)}", err=True)
        raise SystemExit(1) from None
    db.session.commit()
    click.echo(
        gettext("Created %(email)s (%(roles)s).", email=user.email, roles=", ".join(sorted(user.roles))), err=True
    )


@users_cli.command("token")
@click.option("--email", required=True)
@click.option("--name", default="API token")
@click.option(
    "--scope", "scopes", multiple=True, help="Repeat for each scope; default: every scope the user's roles can use."
)
@click.option("--days", type=click.IntRange(1, 365), default=None, help="Lifetime; default CASEFLOW_TOKEN_DAYS (90).")
def users_token(email, name, scopes, days):
    """Make an API token for that user (any user: the command line is the server's operator) and
    print only the token on stdout."""
    user = accounts.find_user(email)
    if user is None:
        click.echo(gettext("No user %(email)s.", email=email), err=True)
        raise SystemExit(1)
    try:
        _, secret = accounts.create_token(None, user, name, scopes=scopes or None, days=days)
    except ValidationFailed as e:
        for field, messages in e.errors.items():
            click.echo(f"{field}: {' '.join(messages)}", err=True)
        raise SystemExit(1) from None
    db.session.commit()
    click.echo(secret)


@users_cli.command("mfa-enrol")
@click.option("--email", required=True)
def users_mfa_enrol(email):
    """Set up two-step login for that user now and print only the authenticator key (base32) on
    stdout: for enrolling someone in person, and for the browser journeys' shared users."""
    from caseflow.accounts import mfa

    user = accounts.find_user(email)
    if user is None:
        click.echo(gettext("No user %(email)s.", email=email), err=True)
        raise SystemExit(1)
    secret = mfa.enrol_now(None, user)
    db.session.commit()
    click.echo(secret)


@click.command("seed-demo")
@click.option("--force", is_flag=True, help="Load even when data exists (adds to it).")
@click.option("--if-empty", is_flag=True, help="Load only into an empty database; never an error.")
@click.option("--concerns", "concern_count", default=3000, show_default=True)
def seed_demo(force, if_empty, concern_count):
    """Load a realistic demo organisation."""
    from flask import current_app

    from caseflow.demo import DEMO_PASSWORD, USERS, seed

    if current_app.config["ENV_NAME"] == "production":
        # The demo logins and their password are published in the README.
        click.echo(gettext("seed-demo refuses to run in production."), err=True)
        raise SystemExit(1)
    has_data = db.session.scalar(select(func.count()).select_from(User)) > 0
    if has_data and not force:
        if not if_empty:
            click.echo(gettext("The database already holds data; use --force to add the demo anyway."), err=True)
            raise SystemExit(1)
        click.echo(gettext("The database already holds data; demo not loaded."))
    else:
        seed(concern_count=concern_count)
        db.session.commit()
        click.echo(gettext("Demo organisation loaded."))
    click.echo(gettext("Demo logins (password for each: %(password)s):", password=DEMO_PASSWORD))
    for email, name, roles in USERS:
        click.echo(f"  {', '.join(roles):<12} {email}  ({name})")


@click.command("clock")
def clock():
    """The app's clock as JSON: now (UTC), today and the time zone. Tests and the benchmark read
    "today" here, never from the machine: between midnight UTC and midnight in the organisation's
    zone the two differ."""
    import json

    from caseflow import dates

    now = dates.now()
    click.echo(json.dumps({"now": now.isoformat(), "today": dates.today().isoformat(), "timezone": str(dates.zone())}))


@jobs_cli.command("run")
@click.argument("name", type=click.Choice(sorted(jobs.JOBS)))
@click.option("--quarter", default=None, help="For quarterly-summary: YYYY-Qn (default: last quarter).")
def jobs_run(name, quarter):
    """Run one job now (idempotent) and record it as a job run."""
    app = current_app._get_current_object()
    options = {}
    if quarter and jobs.JOBS[name].takes_quarter:
        options["quarter"] = Quarter.parse(quarter, app.config["FISCAL_YEAR_START_MONTH"])
        if options["quarter"] is None:
            raise click.BadParameter("use YYYY-Qn, e.g. 2026-Q3", param_hint="--quarter")
    run = jobs.run_now(app, name, **options)
    click.echo(f"{name}: {run.status} {run.details or ''}")
    if run.status != "success":
        click.echo(run.error, err=True)
        raise SystemExit(1)


@jobs_cli.command("list")
def jobs_list():
    """The scheduled jobs and their next run."""
    for job in describe_jobs(current_app):
        click.echo(f"{job['id']:<20} next {job['next_run']:%Y-%m-%d %H:%M %Z}  {job['description']}")


@click.command("scheduler")
def scheduler_cmd():
    """Run the APScheduler process in the foreground (production: one such process)."""
    click.echo(gettext("Scheduler running; Ctrl-C to stop."))
    build_scheduler(current_app._get_current_object()).start()


@click.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@click.option("--with-scheduler/--without-scheduler", default=True)
def serve_cmd(host, port, with_scheduler):
    """The one-machine server: the web app with the scheduler in the same process."""
    from werkzeug.serving import run_simple

    app = current_app._get_current_object()
    if with_scheduler:
        start_background(app)
    click.echo(f"Caseflow on http://{host}:{port}/ (scheduler {'on' if with_scheduler else 'off'}); Ctrl-C to stop.")
    run_simple(host, port, app, threaded=True, use_reloader=False)


def register(app: Flask) -> None:
    from caseflow.backup import backup_cli
    from caseflow.concerns.cli import register as register_import
    from caseflow.patterns.rollup import patterns_cli
    from caseflow.suggestions.cli import tags_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(seed_demo)
    app.cli.add_command(clock)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(scheduler_cmd)
    app.cli.add_command(serve_cmd)
    register_import(app)
    app.cli.add_command(backup_cli)
    app.cli.add_command(patterns_cli)
    app.cli.add_command(tags_cli)
