"""Forms for convenings and their harvest: fields and CSRF; caseflow.convenings.services holds the rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField

from caseflow import i18n
from caseflow.models.convenings import HARVEST_KINDS
from caseflow.models.taxonomy import TAG_CATEGORIES

DATE = {"type": "date"}


class ConveningForm(FlaskForm):
    title = StringField(_l("Title"))
    held_on = StringField(_l("Date"), render_kw=DATE)
    place = StringField(_l("Place"))
    campaign_id = SelectField(_l("Campaign"), choices=[], validate_choice=False)
    agenda = TextAreaField(_l("Agenda"), render_kw={"rows": 5})
    breakout_notes = TextAreaField(_l("Breakout notes"), render_kw={"rows": 6})
    version = HiddenField()

    def raw(self) -> dict:
        return {name: f.data for name, f in self._fields.items() if name not in ("csrf_token", "version")}


class HarvestForm(FlaskForm):
    kind = SelectField(
        _l("Kind of change"), choices=[("", _l("Choose…")), *HARVEST_KINDS.items()], validate_choice=False
    )
    takeaway = TextAreaField(_l("Takeaway"), render_kw={"rows": 2})
    breakout = StringField(_l("From breakout (optional)"))


class FollowUpForm(FlaskForm):
    owner_id = SelectField(_l("Owner"), choices=[], validate_choice=False)
    due_on = StringField(_l("Due"), render_kw=DATE)


class TagForm(FlaskForm):
    name = StringField(_l("New tag"))
    category = SelectField(
        _l("Category"), choices=i18n.choices(i18n.CATEGORY_LABELS, TAG_CATEGORIES), validate_choice=False
    )


class CampaignForm(FlaskForm):
    title = StringField(_l("Campaign title"))


class PlainForm(FlaskForm):
    """CSRF only: a button, or a form whose fields are read as a list (attendance)."""
