from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import Length

from caseflow.reflection.self_assessment import ITEMS, LEVELS


class CommentaryForm(FlaskForm):
    commentary = TextAreaField(
        _l("Director's commentary"),
        validators=[Length(max=20000)],
        description=_l("What changed, what it means, what the board should know."),
    )
    version = HiddenField()


class SignOffForm(FlaskForm):
    version = HiddenField()


class BuildForm(FlaskForm):
    quarter = StringField(_l("Quarter"), description=_l("Like 2026-Q3."), validators=[Length(max=7)])


def self_assessment_form(formdata=None):
    """One radio group per item, built from the item list."""

    class SelfAssessmentForm(FlaskForm):
        anonymous = BooleanField(_l("Answer anonymously: nothing links these ratings to you"))

    for key, _group, statement in ITEMS:
        setattr(
            SelfAssessmentForm,
            key,
            RadioField(statement, choices=[(str(k), v) for k, v in LEVELS.items()], validate_choice=False),
        )
    return SelfAssessmentForm(formdata=formdata) if formdata is not None else SelfAssessmentForm()
