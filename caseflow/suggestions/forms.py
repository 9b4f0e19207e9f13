from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from caseflow.i18n import CATEGORY_LABELS, choices
from caseflow.models import TAG_CATEGORIES


class ThemeTagForm(FlaskForm):
    """Turn an emerging theme into a tag: the same fields as a new tag, plus the theme's version."""

    name = StringField(_l("New tag's name"), validators=[DataRequired(_l("Give the tag a name.")), Length(max=120)])
    slug = StringField(
        _l("Slug"),
        validators=[
            Optional(),
            Length(max=60),
            Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", message=_l("Lowercase letters, digits and hyphens only.")),
        ],
        description=_l("Made from the name if left empty."),
        render_kw={"autocomplete": "off"},
    )
    category = SelectField(_l("Category"), choices=choices(CATEGORY_LABELS, TAG_CATEGORIES), validate_choice=False)
    description = TextAreaField(_l("Description"), validators=[Length(max=1000)])
    version = HiddenField()


class ThemeDismissForm(FlaskForm):
    version = HiddenField()
