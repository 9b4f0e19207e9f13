from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class PromoteForm(FlaskForm):
    keys = SelectMultipleField("Patterns", validate_choice=False)
    title = StringField(
        "Campaign title",
        validators=[DataRequired("Give the campaign a title."), Length(max=200)],
        description="e.g. “Heat for every tenant in 11226”.",
    )
    issue_statement = TextAreaField("Issue statement (optional)", validators=[Length(max=5000)])


class PromoteConfirmForm(PromoteForm):
    """The confirm step: the same fields, checked again, and the mark that this is the confirmation."""

    keys = SelectMultipleField("Patterns in this campaign", validate_choice=False)
    confirmed = HiddenField(default="1")


class SnoozeForm(FlaskForm):
    key = HiddenField()
    until = DateField("Snooze until", validators=[DataRequired("Choose a date.")])


class DismissForm(FlaskForm):
    key = HiddenField()
    reason = TextAreaField(
        "Why dismiss it?",
        validators=[DataRequired("Say in a sentence why."), Length(max=1000)],
        description="It comes back, marked, if it doubles.",
    )
