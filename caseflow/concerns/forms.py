"""Forms render fields and carry CSRF; the rules live in services.parse_concern (one for every way in)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.widgets import CheckboxInput, ListWidget

from caseflow.i18n import AGE_LABELS, RACE_LABELS, SOURCE_LABELS, choices
from caseflow.models import AGE_BANDS, RACE_CODES, SOURCES


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


IMPORTANCE = [("", _l("Not asked")), ("1", _l("1 – a little")), ("2", "2"), ("3", "3"), ("4", "4")] + [
    ("5", _l("5 – very much"))
]


class ConcernForm(FlaskForm):
    program = SelectField(_l("Program"), validate_choice=False)
    tag_text = StringField(
        _l("Tags"),
        description=_l("Type to find a tag; separate several with a semicolon."),
    )
    summary = StringField(_l("Summary"), description=_l("One line, in plain words: what happened?"))
    occurred_on = StringField(_l("Date it happened"), render_kw={"type": "date"})
    source = RadioField(
        _l("Source"),
        choices=choices(SOURCE_LABELS, [c for c in SOURCES if c != "self"]),
        default="client",
        validate_choice=False,
    )
    client_ref = StringField(
        _l("Client reference"),
        description=_l(
            "Optional: your case number or initials. It is hashed at once and never stored, so repeat concerns can be counted."
        ),
        render_kw={"autocomplete": "off"},
    )
    narrative = TextAreaField(_l("Narrative"), description=_l("Details; visible to you and organizers only."))
    race_ethnicity = MultiCheckboxField(
        _l("Race and ethnicity (self-reported; choose all that apply)"),
        choices=choices(RACE_LABELS, list(RACE_CODES)),
        validate_choice=False,
    )
    language = StringField(_l("Preferred language"), render_kw={"list": "languages", "autocomplete": "off"})
    age_band = SelectField(
        _l("Age"),
        choices=[("", _l("Not asked"))] + [(a, AGE_LABELS.get(a, a)) for a in AGE_BANDS],
        validate_choice=False,
    )
    zip = StringField(_l("ZIP code"), render_kw={"inputmode": "numeric", "maxlength": 5, "autocomplete": "off"})
    client_importance = RadioField(
        _l("How much does this matter to the client?"), choices=IMPORTANCE, default="", validate_choice=False
    )
    client_root_cause = TextAreaField(
        _l("The client's view of the root cause"), description=_l("In the client's own words.")
    )
    wants_involvement = BooleanField(
        _l("The client wants to be involved in doing something about it (may be contacted)")
    )
    story_consent = BooleanField(
        _l(
            "The client agrees their words may be quoted, de-identified, in advocacy (separate from consent to services)"
        )
    )
    version = HiddenField()


class DeleteForm(FlaskForm):
    reason = TextAreaField(
        _l("Why is this concern being deleted?"), description=_l("Kept in the record and the audit log.")
    )


class RetractForm(FlaskForm):
    reason = TextAreaField(
        _l("Why are you retracting it?"),
        description=_l("Kept with the record; the concern leaves lists, patterns and exports."),
    )


class DeletionRequestForm(FlaskForm):
    reason = TextAreaField(_l("Why should it be deleted?"), description=_l("A director reads this and decides."))


class ClientSearchForm(FlaskForm):
    client_ref = StringField(
        _l("Client reference"),
        description=_l("Your case number or initials, as you typed them when logging. Hashed to search; never stored."),
        render_kw={"autocomplete": "off"},
    )


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"), description=_l("UTF-8, with the header row described in the README. Up to 5 MB."))
    dry_run = BooleanField(_l("Dry run: check every row, write nothing"), default=True)
