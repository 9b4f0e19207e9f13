"""`flask --app caseflow tags train` and `tags themes`: thin commands over the services."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from flask_babel import gettext, ngettext

from caseflow.extensions import db

tags_cli = AppGroup("tags", help="Tag suggestions: train the model, find emerging themes.")


@tags_cli.command("train")
def train_cmd():
    """Train the tag model on the organisation's tagged concerns and store it as the next version."""
    from caseflow.suggestions.services import train_and_store

    result = train_and_store()
    db.session.commit()
    if not result.trained:
        click.echo(
            gettext(
                "Not trained: %(examples)s examples over %(tags)s tags; %(reason)s.",
                examples=result.examples,
                tags=result.tags,
                reason=result.reason,
            )
        )
        return
    click.echo(
        gettext(
            "Trained version %(version)s on %(examples)s examples over %(tags)s tags in %(seconds)s s "
            "(%(size)s MB stored).",
            version=result.version,
            examples=f"{result.examples:,}",
            tags=result.tags,
            seconds=f"{result.seconds:.1f}",
            size=f"{result.size_bytes / 1e6:.1f}",
        )
    )


@tags_cli.command("themes")
def themes_cmd():
    """Find this month's emerging themes now (the weekly job does the same)."""
    from caseflow.suggestions.services import refresh_themes

    themes = refresh_themes()
    db.session.commit()
    click.echo(ngettext("%(num)d emerging theme found.", "%(num)d emerging themes found.", len(themes)))
