"""Forms for people and calls: fields and CSRF only; caseflow.people.services holds the rules."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField

from caseflow.models.people import CALL_OUTCOMES, CHANNELS


class PersonForm(FlaskForm):
    consent = BooleanField(
        "They agreed to be contacted about organizing",
        description="Ask first. Nothing is stored unless they say yes; they can withdraw at any time.",
    )
    name = StringField("Name they go by", render_kw={"autocomplete": "off"})
    phone = StringField("Phone", render_kw={"autocomplete": "off", "inputmode": "tel"})
    email = StringField("E-mail", render_kw={"autocomplete": "off", "inputmode": "email"})
    address = TextAreaField("Address", render_kw={"autocomplete": "off", "rows": 2})
    language = StringField("Preferred language", render_kw={"autocomplete": "off"})
    channel = SelectField("Best way to reach them", choices=list(CHANNELS.items()))
    campaign_id = SelectField("Wants to be involved in", choices=[], validate_choice=False)
    version = HiddenField()

    def raw(self) -> dict:
        return {name: f.data for name, f in self._fields.items() if name not in ("csrf_token", "version")}


class CallForm(FlaskForm):
    outcome = RadioField("How did it go?", choices=list(CALL_OUTCOMES.items()), validate_choice=False)
    notes = TextAreaField("Notes", render_kw={"rows": 2})
    campaign_id = HiddenField()
    pattern_key = HiddenField()


class InterestForm(FlaskForm):
    campaign_id = SelectField("Campaign", choices=[], validate_choice=False)


class WithdrawForm(FlaskForm):
    version = HiddenField()
