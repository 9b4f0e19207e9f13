"""The concern's fields, declared once. Everything that lists them is derived from `FIELDS`:

- `services.parse_concern` reads each field by its `kind` and `ConcernInput` has one attribute per field;
- `services._apply` copies the `stored` fields onto the Concern (column of the same name);
- the quick-log / edit form mapping (`routes._form_raw`, `routes._fill`) and its "details" section;
- the CSV import columns and the export columns (`csvio`; their headers are fixed by INTERFACES.md);
- `concern_json` in the API and the OpenAPI `ConcernNew` / `Concern` schemas;
- the import page's column list.

A new field is then: its column (models/concern.py and a migration), its entry here, its form field
(forms.py) and where the form shows it (templates/concerns/_fields.html). A plain text, yes/no or
choice field needs no other change; `kind` names the parser in services.PARSERS.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l

from caseflow.models import AGE_BANDS, RACE_CODES, SOURCES, STAFF_SOURCES, Concern

NULLABLE_TEXT = {"type": "string", "nullable": True}


@dataclass(frozen=True)
class ConcernField:
    name: str
    kind: str  # "text", "bool", or a field of its own: "program", "tags", "date", "source", "race", "importance"
    schema: dict[str, Any]  # OpenAPI: the field in a concern the API receives
    out_schema: dict[str, Any] | None = None  # OpenAPI: the field in a stored concern (default: `schema`'s type)
    max_len: int = 0  # text: longest accepted
    required: bool = False
    always: bool = False  # a stored concern always has a value (required, or defaulted)
    choices: tuple[str, ...] = ()  # text: the accepted values
    pattern: re.Pattern | None = None  # text: the accepted shape ...
    hint: str = ""  # ... and what to say when it is not met
    stored: bool = True  # parse result set on the Concern attribute of the same name
    details: bool = False  # in the form's "Narrative, demographics and the client's voice"
    in_form: bool = True  # the quick-log / edit form has a field of this name
    hidden: bool = False  # never echoed or exported (the client reference is only hashed)
    restricted: bool = False  # shown only to who may read narratives (JSON, export)
    read: Callable[[Concern], Any] | None = field(default=None, repr=False)  # stored value as JSON

    def value(self, concern: Concern) -> Any:
        """The stored concern's value as JSON (dates ISO, tags and program as slugs)."""
        return self.read(concern) if self.read else getattr(concern, self.name)

    def cell(self, concern: Concern) -> Any:
        """The value as a CSV cell: lists joined by ';', yes/no, blank for none."""
        value = self.value(concern)
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, list):
            return ";".join(value)
        return "" if value is None else value

    def form_value(self, concern: Concern) -> Any:
        """The value as the edit form shows it (text fields as text; a hidden field starts blank)."""
        value = None if self.hidden else self.value(concern)
        if value is None:
            return ""
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @property
    def response_schema(self) -> dict[str, Any]:
        if self.out_schema is not None:
            return self.out_schema
        schema = {"type": self.schema["type"]}
        if schema["type"] == "array":
            schema["items"] = {"type": "string"}
        elif "format" in self.schema:
            schema["format"] = self.schema["format"]
        if not self.always and schema["type"] in ("string", "integer"):
            schema["nullable"] = True
        return schema


FIELDS: tuple[ConcernField, ...] = (
    ConcernField(
        "program",
        "program",
        {"type": "string", "description": "Program slug"},
        max_len=120,
        required=True,
        always=True,
        read=lambda c: c.program.slug,
    ),
    ConcernField(
        "tags",
        "tags",
        {"type": "array", "minItems": 1, "items": {"type": "string"}, "description": "Tag slugs"},
        required=True,
        always=True,
        in_form=False,  # chips plus typed names: the form reads them itself
        read=lambda c: [t.slug for t in c.tags],
    ),
    ConcernField(
        "summary", "text", {"type": "string", "minLength": 1, "maxLength": 500}, max_len=500, required=True, always=True
    ),
    ConcernField(
        "narrative",
        "text",
        {"type": "string", "maxLength": 20000},
        out_schema={**NULLABLE_TEXT, "description": "Only for the author, organizers and directors"},
        max_len=20000,
        details=True,
        restricted=True,
    ),
    ConcernField(
        "occurred_on",
        "date",
        {"type": "string", "format": "date", "description": "Not in the future; default today"},
        always=True,
        read=lambda c: c.occurred_on.isoformat(),
    ),
    ConcernField(
        "source",
        "source",
        {"type": "string", "enum": list(STAFF_SOURCES), "default": "client"},
        out_schema={"type": "string", "enum": list(SOURCES)},
        always=True,
    ),
    ConcernField(
        "client_ref",
        "text",
        {"type": "string", "maxLength": 200, "description": "Hashed at once; never stored or echoed"},
        max_len=200,
        stored=False,  # only its keyed hash is kept (services.client_key)
        hidden=True,
    ),
    ConcernField(
        "race_ethnicity",
        "race",
        {"type": "array", "items": {"type": "string", "enum": list(RACE_CODES)}},
        details=True,
    ),
    ConcernField("language", "text", {"type": "string", "maxLength": 40}, max_len=40, details=True),
    ConcernField(
        "age_band", "text", {"type": "string", "enum": list(AGE_BANDS)}, max_len=10, choices=AGE_BANDS, details=True
    ),
    ConcernField(
        "zip",
        "text",
        {"type": "string", "pattern": "^[0-9]{5}$"},
        max_len=10,
        pattern=re.compile(r"^[0-9]{5}$"),  # ASCII digits: a full-width ZIP would become a cell of its own
        hint=_l("Use a 5-digit ZIP code."),
        details=True,
    ),
    ConcernField("client_importance", "importance", {"type": "integer", "minimum": 1, "maximum": 5}, details=True),
    ConcernField("client_root_cause", "text", {"type": "string", "maxLength": 5000}, max_len=5000, details=True),
    ConcernField("wants_involvement", "bool", {"type": "boolean"}, details=True),
    ConcernField(
        "story_consent",
        "bool",
        {"type": "boolean", "description": "Client agrees their words may be quoted, de-identified"},
        stored=False,  # kept as the dates consent was given and revoked (services._apply)
        details=True,
        read=lambda c: c.has_story_consent,
    ),
    ConcernField(
        "external_id",
        "text",
        {"type": "string", "maxLength": 100, "description": "Repeats return the stored concern (200)"},
        max_len=100,
        stored=False,  # set when the concern is created; an edit keeps it unless it names a new one
        in_form=False,
    ),
)

BY_NAME = {f.name: f for f in FIELDS}
NAMES = tuple(BY_NAME)
REQUIRED = tuple(f.name for f in FIELDS if f.required)
# Stored in the concerns table's column of the same name (program, tags and races are rows elsewhere).
COLUMNS = tuple(f for f in FIELDS if f.stored and f.kind not in ("program", "tags", "race"))
FORM_FIELDS = tuple(f for f in FIELDS if f.in_form)
DETAIL_FIELDS = tuple(f for f in FIELDS if f.details)
