from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Regexp

from caseflow.models import TAG_CATEGORIES

_slug = [
    DataRequired(),
    Length(max=60),
    Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", message="Lowercase letters, digits and hyphens only."),
]


class ProgramForm(FlaskForm):
    slug = StringField(
        "Slug", validators=_slug, description="Short identifier used by the API and imports, e.g. housing."
    )
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])


class TagForm(FlaskForm):
    slug = StringField("Slug", validators=_slug, description="e.g. no-heat")
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    category = SelectField("Category", choices=[(c, c) for c in TAG_CATEGORIES])
    description = TextAreaField("Description", validators=[Length(max=1000)])


class RenameForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    category = SelectField("Category", choices=[(c, c) for c in TAG_CATEGORIES], validate_choice=False)
    active = BooleanField("Active")


class MergeForm(FlaskForm):
    source = SelectField("Merge this tag…", validate_choice=False)
    target = SelectField("…into this tag", validate_choice=False)
