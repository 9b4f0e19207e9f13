from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from caseflow.i18n import CATEGORY_LABELS, choices
from caseflow.models import TAG_CATEGORIES

# The slug may be left empty: it is then made from the name (and app.js fills it in as the name is typed).
_slug = [
    Optional(),
    Length(max=60),
    Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", message=_l("Lowercase letters, digits and hyphens only.")),
]


class ProgramForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Give the program a name.")), Length(max=120)])
    slug = StringField(
        _l("Slug"),
        validators=_slug,
        description=_l("Short identifier used by the API and imports, e.g. housing. Made from the name if left empty."),
        render_kw={"data-slug-from": "program-name", "autocomplete": "off"},
    )


class TagForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Give the tag a name.")), Length(max=120)])
    slug = StringField(
        _l("Slug"),
        validators=_slug,
        description=_l("e.g. no-heat. Made from the name if left empty."),
        render_kw={"data-slug-from": "tag-name", "autocomplete": "off"},
    )
    category = SelectField(_l("Category"), choices=choices(CATEGORY_LABELS, TAG_CATEGORIES))
    description = TextAreaField(_l("Description"), validators=[Length(max=1000)])


class RenameForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    # The name in Spanish (caseflow.i18n.SUPPORTED_LOCALES); empty: Spanish pages show the name above.
    name_es = StringField(
        _l("Name in Spanish"),
        validators=[Length(max=120)],
        description=_l("Shown to people who use Caseflow in Spanish. Left empty, they see the name above."),
        render_kw={"lang": "es"},
    )
    category = SelectField(_l("Category"), choices=choices(CATEGORY_LABELS, TAG_CATEGORIES), validate_choice=False)
    active = BooleanField(_l("Active"))


class MergeForm(FlaskForm):
    source = SelectField(_l("Merge this tag…"), validate_choice=False)
    target = SelectField(_l("…into this tag"), validate_choice=False)
