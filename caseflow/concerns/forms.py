"""Forms render fields and carry CSRF; the rules live in services.parse_concern (one for every way in)."""

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

from caseflow.models import AGE_BANDS, RACE_CODES, SOURCES


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


IMPORTANCE = [("", "Not asked")] + [
    (str(i), label) for i, label in enumerate(["1 – a little", "2", "3", "4", "5 – very much"], start=1)
]


class ConcernForm(FlaskForm):
    program = SelectField("Program", validate_choice=False)
    tag_text = StringField(
        "Tags",
        description="Type to find a tag; separate several with a semicolon.",
    )
    summary = StringField("Summary", description="One line, in plain words: what happened?")
    occurred_on = StringField("Date it happened", render_kw={"type": "date"})
    source = RadioField(
        "Source", choices=[c for c in SOURCES.items() if c[0] != "self"], default="client", validate_choice=False
    )
    client_ref = StringField(
        "Client reference",
        description="Optional: your case number or initials. It is hashed at once and never stored, so repeat concerns can be counted.",
        render_kw={"autocomplete": "off"},
    )
    narrative = TextAreaField("Narrative", description="Details; visible to you and organizers only.")
    race_ethnicity = MultiCheckboxField(
        "Race and ethnicity (self-reported; choose all that apply)",
        choices=list(RACE_CODES.items()),
        validate_choice=False,
    )
    language = StringField("Preferred language", render_kw={"list": "languages", "autocomplete": "off"})
    age_band = SelectField(
        "Age", choices=[("", "Not asked")] + [(a, a.replace("-plus", "+")) for a in AGE_BANDS], validate_choice=False
    )
    zip = StringField("ZIP code", render_kw={"inputmode": "numeric", "maxlength": 5, "autocomplete": "off"})
    client_importance = RadioField(
        "How much does this matter to the client?", choices=IMPORTANCE, default="", validate_choice=False
    )
    client_root_cause = TextAreaField("The client's view of the root cause", description="In the client's own words.")
    wants_involvement = BooleanField("The client wants to be involved in doing something about it (may be contacted)")
    story_consent = BooleanField(
        "The client agrees their words may be quoted, de-identified, in advocacy (separate from consent to services)"
    )
    version = HiddenField()


class DeleteForm(FlaskForm):
    reason = TextAreaField("Why is this concern being deleted?", description="Kept in the record and the audit log.")


class RetractForm(FlaskForm):
    reason = TextAreaField(
        "Why are you retracting it?",
        description="Kept with the record; the concern leaves lists, patterns and exports.",
    )


class DeletionRequestForm(FlaskForm):
    reason = TextAreaField("Why should it be deleted?", description="A director reads this and decides.")


class ClientSearchForm(FlaskForm):
    client_ref = StringField(
        "Client reference",
        description="Your case number or initials, as you typed them when logging. Hashed to search; never stored.",
        render_kw={"autocomplete": "off"},
    )


class ImportForm(FlaskForm):
    file = FileField("CSV file", description="UTF-8, with the header row described in the README. Up to 5 MB.")
    dry_run = BooleanField("Dry run: check every row, write nothing", default=True)
