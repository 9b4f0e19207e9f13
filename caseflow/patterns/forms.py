from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class PromoteForm(FlaskForm):
    keys = SelectMultipleField(_l("Patterns"), validate_choice=False)
    title = StringField(
        _l("Campaign title"),
        validators=[DataRequired(_l("Give the campaign a title.")), Length(max=200)],
        description=_l("e.g. “Heat for every tenant in 11226”."),
    )
    issue_statement = TextAreaField(_l("Issue statement (optional)"), validators=[Length(max=5000)])


class PromoteConfirmForm(PromoteForm):
    """The confirm step: the same fields, checked again, and the mark that this is the confirmation."""

    keys = SelectMultipleField(_l("Patterns in this campaign"), validate_choice=False)
    confirmed = HiddenField(default="1")


class SnoozeForm(FlaskForm):
    key = HiddenField()
    until = DateField(_l("Snooze until"), validators=[DataRequired(_l("Choose a date."))])


class DismissForm(FlaskForm):
    key = HiddenField()
    reason = TextAreaField(
        _l("Why dismiss it?"),
        validators=[DataRequired(_l("Say in a sentence why.")), Length(max=1000)],
        description=_l("It comes back, marked, if it doubles."),
    )
