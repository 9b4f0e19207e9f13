"""Forms for convenings and their harvest: fields and CSRF; caseflow.convenings.services holds the rules."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField

from caseflow.models.convenings import HARVEST_KINDS
from caseflow.models.taxonomy import TAG_CATEGORIES

DATE = {"type": "date"}


class ConveningForm(FlaskForm):
    title = StringField("Title")
    held_on = StringField("Date", render_kw=DATE)
    place = StringField("Place")
    campaign_id = SelectField("Campaign", choices=[], validate_choice=False)
    agenda = TextAreaField("Agenda", render_kw={"rows": 5})
    breakout_notes = TextAreaField("Breakout notes", render_kw={"rows": 6})
    version = HiddenField()

    def raw(self) -> dict:
        return {name: f.data for name, f in self._fields.items() if name not in ("csrf_token", "version")}


class HarvestForm(FlaskForm):
    kind = SelectField("Kind of change", choices=[("", "Choose…"), *HARVEST_KINDS.items()], validate_choice=False)
    takeaway = TextAreaField("Takeaway", render_kw={"rows": 2})
    breakout = StringField("From breakout (optional)")


class FollowUpForm(FlaskForm):
    owner_id = SelectField("Owner", choices=[], validate_choice=False)
    due_on = StringField("Due", render_kw=DATE)


class TagForm(FlaskForm):
    name = StringField("New tag")
    category = SelectField("Category", choices=[(c, c) for c in TAG_CATEGORIES], validate_choice=False)


class CampaignForm(FlaskForm):
    title = StringField("Campaign title")


class PlainForm(FlaskForm):
    """CSRF only: a button, or a form whose fields are read as a list (attendance)."""
