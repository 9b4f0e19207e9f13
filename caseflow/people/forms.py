"""Forms for people and calls: fields and CSRF only; caseflow.people.services holds the rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField

from caseflow.models.people import CALL_OUTCOMES, CHANNELS


class PersonForm(FlaskForm):
    consent = BooleanField(
        _l("They agreed to be contacted about organizing"),
        description=_l("Ask first. Nothing is stored unless they say yes; they can withdraw at any time."),
    )
    name = StringField(_l("Name they go by"), render_kw={"autocomplete": "off"})
    phone = StringField(_l("Phone"), render_kw={"autocomplete": "off", "inputmode": "tel"})
    email = StringField(_l("E-mail"), render_kw={"autocomplete": "off", "inputmode": "email"})
    address = TextAreaField(_l("Address"), render_kw={"autocomplete": "off", "rows": 2})
    language = StringField(_l("Preferred language"), render_kw={"autocomplete": "off"})
    channel = SelectField(_l("Best way to reach them"), choices=list(CHANNELS.items()))
    campaign_id = SelectField(_l("Wants to be involved in"), choices=[], validate_choice=False)
    version = HiddenField()

    def raw(self) -> dict:
        return {name: f.data for name, f in self._fields.items() if name not in ("csrf_token", "version")}


class CallForm(FlaskForm):
    outcome = RadioField(_l("How did it go?"), choices=list(CALL_OUTCOMES.items()), validate_choice=False)
    notes = TextAreaField(_l("Notes"), render_kw={"rows": 2})
    campaign_id = HiddenField()
    pattern_key = HiddenField()


class InterestForm(FlaskForm):
    campaign_id = SelectField(_l("Campaign"), choices=[], validate_choice=False)


class WithdrawForm(FlaskForm):
    version = HiddenField()
