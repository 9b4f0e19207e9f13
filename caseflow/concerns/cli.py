"""`flask --app caseflow import concerns FILE.csv [--dry-run] [--as EMAIL]`."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from caseflow.accounts.permissions import can
from caseflow.concerns.csvio import import_concerns
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
        click.echo("No user to record as the importer; create one or pass --as EMAIL.", err=True)
        raise SystemExit(2)
    with open(path, "rb") as handle:
        report = import_concerns(actor, handle.read(), dry_run=dry_run)
    for line in report.lines():
        click.echo(line, err=not report.ok)
    if report.ok and not dry_run:
        db.session.commit()
    else:
        db.session.rollback()
    raise SystemExit(0 if report.ok else 1)


def register(app: Flask) -> None:
    app.cli.add_command(import_cli)
