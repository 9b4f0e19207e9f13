from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from caseflow.models import TAG_CATEGORIES


class ThemeTagForm(FlaskForm):
    """Turn an emerging theme into a tag: the same fields as a new tag, plus the theme's version."""

    name = StringField("New tag's name", validators=[DataRequired("Give the tag a name."), Length(max=120)])
    slug = StringField(
        "Slug",
        validators=[
            Optional(),
            Length(max=60),
            Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", message="Lowercase letters, digits and hyphens only."),
        ],
        description="Made from the name if left empty.",
        render_kw={"autocomplete": "off"},
    )
    category = SelectField("Category", choices=[(c, c) for c in TAG_CATEGORIES], validate_choice=False)
    description = TextAreaField("Description", validators=[Length(max=1000)])
    version = HiddenField()


class ThemeDismissForm(FlaskForm):
    version = HiddenField()
