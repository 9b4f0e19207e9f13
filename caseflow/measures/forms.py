"""Forms for measures: one per use case; the services check the values (forms, CSV and API alike)."""

from __future__ import annotations

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
    name = StringField("Name", description="Required. e.g. Median days from heat complaint to inspection.")
    definition = TextAreaField("Definition", description="What is counted, how, and what is left out.")
    unit = StringField("Unit", description="e.g. days, %, households.")
    direction = SelectField("Which way is better", choices=list(DIRECTIONS.items()), validate_choice=False)
    data_source = StringField("Data source", description="e.g. city 311 heat complaints; our concerns.")
    frequency = SelectField("How often", choices=list(FREQUENCIES.items()), default="quarterly", validate_choice=False)
    breakdowns = MultiCheckboxField(
        "Broken down by",
        choices=list(DIMENSIONS.items()),
        validate_choice=False,
        description="Groups each value can be entered for, to see whether gaps between them narrow.",
    )
    counts_people = BooleanField("The values count people (counts are published with the small-cell rule)")
    derived = SelectField("Computed by Caseflow", choices=[("", "No: values are entered")], validate_choice=False)
    derived_param = StringField("Pattern key (for concerns per month)", description="e.g. tag:no-heat")


class ValueForm(_Raw):
    campaign = HiddenField()
    observed_on = StringField("Date", render_kw=DATE, description="The day the value is for.")
    dimension = SelectField("Breakdown", choices=[("all", "Everyone")], validate_choice=False)
    group = StringField(
        "Group", description="Blank for everyone; a code for a breakdown (e.g. black, 11226, es, 25-34)."
    )
    value = StringField("Value", render_kw=DECIMAL)
    numerator = StringField("Numerator (for a rate)", render_kw=DECIMAL)
    denominator = StringField("Denominator (for a rate)", render_kw=DECIMAL)
    source_note = StringField("Source note", description="Where the number came from.")
    corrects = BooleanField("This corrects the value already recorded (the old one stays in the history)")
    revision = HiddenField()


class ImportForm(FlaskForm):
    file = FileField("CSV file", description="UTF-8, with the header row described above. Up to 5 MB.")
    dry_run = BooleanField("Dry run: check every row, write nothing", default=True)
