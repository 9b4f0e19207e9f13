from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from caseflow.models import TAG_CATEGORIES

# The slug may be left empty: it is then made from the name (and app.js fills it in as the name is typed).
_slug = [
    Optional(),
    Length(max=60),
    Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", message="Lowercase letters, digits and hyphens only."),
]


class ProgramForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Give the program a name."), Length(max=120)])
    slug = StringField(
        "Slug",
        validators=_slug,
        description="Short identifier used by the API and imports, e.g. housing. Made from the name if left empty.",
        render_kw={"data-slug-from": "program-name", "autocomplete": "off"},
    )


class TagForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Give the tag a name."), Length(max=120)])
    slug = StringField(
        "Slug",
        validators=_slug,
        description="e.g. no-heat. Made from the name if left empty.",
        render_kw={"data-slug-from": "tag-name", "autocomplete": "off"},
    )
    category = SelectField("Category", choices=[(c, c) for c in TAG_CATEGORIES])
    description = TextAreaField("Description", validators=[Length(max=1000)])


class RenameForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    category = SelectField("Category", choices=[(c, c) for c in TAG_CATEGORIES], validate_choice=False)
    active = BooleanField("Active")


class MergeForm(FlaskForm):
    source = SelectField("Merge this tag…", validate_choice=False)
    target = SelectField("…into this tag", validate_choice=False)
