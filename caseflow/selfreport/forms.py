"""The public self-report form and the triage forms: fields, labels and CSRF; rules live in services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField

from caseflow.concerns.forms import MultiCheckboxField
from caseflow.models import AGE_BANDS

# The client's own choices, in the words of the census forms (the Spanish in the catalog follows the
# US Census Bureau's Spanish questionnaire). Codes are caseflow.models.concern.RACE_CODES.
RACE_CHOICES = [
    ("aian", _l("American Indian, Alaska Native, or Indigenous")),
    ("asian", _l("Asian or Asian American")),
    ("black", _l("Black, African American, or African")),
    ("hispanic", _l("Hispanic, Latino, or Spanish origin")),
    ("mena", _l("Middle Eastern or North African")),
    ("nhpi", _l("Native Hawaiian or Pacific Islander")),
    ("white", _l("White")),
    ("unknown", _l("I don't know")),
    ("refused", _l("I prefer not to answer")),
]
IMPORTANCE_CHOICES = [
    ("1", _l("1 – a little")),
    ("2", "2"),
    ("3", "3"),
    ("4", "4"),
    ("5", _l("5 – very much")),
]
AGE_CHOICES = [("", _l("I prefer not to say"))] + [
    (a, _l("65 or older") if a == "65-plus" else (_l("Under 18") if a == "under-18" else a)) for a in AGE_BANDS
]


class SelfReportForm(FlaskForm):
    what_happened = TextAreaField(
        _l("What is happening?"),
        description=_l("In your own words. Please do not write your name, address or phone number."),
        render_kw={"rows": 6},
    )
    importance = RadioField(
        _l("How important is this to you?"), choices=IMPORTANCE_CHOICES, validate_choice=False, default=""
    )
    wants_involvement = BooleanField(_l("I want to be involved in doing something about it"))
    race_ethnicity = MultiCheckboxField(
        _l("Race and ethnicity (optional; choose all that apply)"), choices=RACE_CHOICES, validate_choice=False
    )
    zip = StringField(
        _l("ZIP code (optional)"),
        description=_l("Five digits, for example 10027."),
        render_kw={"inputmode": "numeric", "maxlength": 5, "autocomplete": "off"},
    )
    age_band = SelectField(_l("Age (optional)"), choices=AGE_CHOICES, validate_choice=False)
    language = StringField(_l("Language you prefer (optional)"), render_kw={"autocomplete": "off"})
    consent_to_quote = BooleanField(
        _l("You may quote my words, without my name, to push for change. I can say no and still get help.")
    )
    # The honeypot: hidden from people (and screen readers); bots fill every field.
    website = StringField(_l("Leave this empty"), render_kw={"autocomplete": "off", "tabindex": "-1"})


class ConfirmForm(FlaskForm):
    program = SelectField(_l("Program"), validate_choice=False)
    tags = MultiCheckboxField(_l("Tags"), validate_choice=False)


class DeclineForm(FlaskForm):
    reason = TextAreaField(_l("Why is it declined?"), description=_l("Kept with the report and in the audit log."))
