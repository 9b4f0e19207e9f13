"""`flask --app caseflow import concerns FILE.csv [--dry-run] [--as EMAIL]`."""

from __future__ import annotations

import time

import click
from flask import Flask
from flask.cli import AppGroup
from flask_babel import gettext
from sqlalchemy import select

from caseflow.accounts.permissions import can
from caseflow.concerns.csvio import run_import
from caseflow.extensions import db
from caseflow.models import User

import_cli = AppGroup("import", help="Import data from files.")


@import_cli.command("concerns")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check every row and report; write nothing.")
@click.option(
    "--as", "as_email", default=None, help="Author of the imported concerns (default: the first admin or organizer)."
)
def import_concerns_cmd(path, dry_run, as_email):
    """Import concerns from CSV: all rows or none, with a per-row error report."""
    if as_email:
        actor = db.session.scalar(select(User).where(User.email == as_email.strip().lower()))
    else:
        actor = next((u for u in db.session.scalars(select(User).order_by(User.id)) if can("concern.import", u)), None)
    if actor is None:
        click.echo(gettext("No user to record as the importer; create one or pass --as EMAIL."), err=True)
        raise SystemExit(2)
    with open(path, "rb") as handle:
        data = handle.read()
    report = run_import(actor.id, data, dry_run=dry_run, progress=Progress())
    for line in report.lines():
        click.echo(line, err=not report.ok)
    if report.ok:
        click.echo(report.timing(), err=True)
    raise SystemExit(0 if report.ok else 1)


class Progress:
    """A one-line progress report on standard error: rows written, rows per second, time left."""

    def __init__(self) -> None:
        self.started = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = done / elapsed
        left = (total - done) / rate if rate else 0
        end = "\n" if done >= total else ""
        click.echo(f"\r{done:,} / {total:,} rows written · {rate:,.0f} rows/s · {left:,.0f} s left", nl=False, err=True)
        if end:
            click.echo("", err=True)


def register(app: Flask) -> None:
    app.cli.add_command(import_cli)
