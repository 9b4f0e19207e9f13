"""`flask --app caseflow tags train` and `tags themes`: thin commands over the services."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from caseflow.extensions import db

tags_cli = AppGroup("tags", help="Tag suggestions: train the model, find emerging themes.")


@tags_cli.command("train")
def train_cmd():
    """Train the tag model on the organisation's tagged concerns and store it as the next version."""
    from caseflow.suggestions.services import train_and_store

    result = train_and_store()
    db.session.commit()
    if not result.trained:
        click.echo(f"Not trained: {result.examples} examples over {result.tags} tags; {result.reason}.")
        return
    click.echo(
        f"Trained version {result.version} on {result.examples:,} examples over {result.tags} tags "
        f"in {result.seconds:.1f} s ({result.size_bytes / 1e6:.1f} MB stored)."
    )


@tags_cli.command("themes")
def themes_cmd():
    """Find this month's emerging themes now (the weekly job does the same)."""
    from caseflow.suggestions.services import refresh_themes

    themes = refresh_themes()
    db.session.commit()
    click.echo(f"{len(themes)} emerging theme{'s' if len(themes) != 1 else ''} found.")
