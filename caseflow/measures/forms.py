"""Forms for measures: one per use case; the services check the values (forms, CSV and API alike)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, FileField, HiddenField, SelectField, StringField, TextAreaField

from caseflow.accounts.forms import MultiCheckboxField
from caseflow.models import DIMENSIONS, DIRECTIONS, FREQUENCIES

DATE = {"type": "date"}
DECIMAL = {"inputmode": "decimal", "autocomplete": "off"}


class _Raw(FlaskForm):
    def raw(self) -> dict:
        return {name: f.data for name, f in self._fields.items() if name != "csrf_token"}


class MeasureForm(_Raw):
    name = StringField(_l("Name"), description=_l("Required. e.g. Median days from heat complaint to inspection."))
    definition = TextAreaField(_l("Definition"), description=_l("What is counted, how, and what is left out."))
    unit = StringField(_l("Unit"), description=_l("e.g. days, %, households."))
    direction = SelectField(_l("Which way is better"), choices=list(DIRECTIONS.items()), validate_choice=False)
    data_source = StringField(_l("Data source"), description=_l("e.g. city 311 heat complaints; our concerns."))
    frequency = SelectField(
        _l("How often"), choices=list(FREQUENCIES.items()), default="quarterly", validate_choice=False
    )
    breakdowns = MultiCheckboxField(
        _l("Broken down by"),
        choices=list(DIMENSIONS.items()),
        validate_choice=False,
        description=_l("Groups each value can be entered for, to see whether gaps between them narrow."),
    )
    counts_people = BooleanField(_l("The values count people (counts are published with the small-cell rule)"))
    derived = SelectField(
        _l("Computed by Caseflow"), choices=[("", _l("No: values are entered"))], validate_choice=False
    )
    derived_param = StringField(_l("Pattern key (for concerns per month)"), description=_l("e.g. tag:no-heat"))


class ValueForm(_Raw):
    campaign = HiddenField()
    observed_on = StringField(_l("Date"), render_kw=DATE, description=_l("The day the value is for."))
    dimension = SelectField(_l("Breakdown"), choices=[("all", _l("Everyone"))], validate_choice=False)
    group = StringField(
        _l("Group"), description=_l("Blank for everyone; a code for a breakdown (e.g. black, 11226, es, 25-34).")
    )
    value = StringField(_l("Value"), render_kw=DECIMAL)
    numerator = StringField(_l("Numerator (for a rate)"), render_kw=DECIMAL)
    denominator = StringField(_l("Denominator (for a rate)"), render_kw=DECIMAL)
    source_note = StringField(_l("Source note"), description=_l("Where the number came from."))
    corrects = BooleanField(_l("This corrects the value already recorded (the old one stays in the history)"))
    revision = HiddenField()


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"), description=_l("UTF-8, with the header row described above. Up to 5 MB."))
    dry_run = BooleanField(_l("Dry run: check every row, write nothing"), default=True)
