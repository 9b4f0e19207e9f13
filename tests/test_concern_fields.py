"""The concern's fields are declared once (caseflow/concerns/fields.py): this walks that list against
the form, the CSV import and export, the JSON the API answers and the OpenAPI document, so a field
added to the spec shows up everywhere, or this test says where it does not."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from caseflow.api.concerns import concern_json
from caseflow.api.openapi import SCHEMAS
from caseflow.concerns import csvio, fields
from caseflow.concerns.forms import ConcernForm
from caseflow.concerns.services import ConcernInput, parse_concern
from caseflow.models import Concern

# Fixed by INTERFACES.md and read by people's spreadsheets: the export's header, in this order.
EXPORT_HEADER = (
    "id,occurred_on,program,tags,summary,narrative,source,race_ethnicity,language,age_band,zip,"
    "client_importance,client_root_cause,wants_involvement,story_consent,external_id,author,created_at"
)
FULL = {
    "program": "legal",
    "tags": ["mold", "no-heat"],
    "summary": "Mold and no heat",
    "narrative": "Since October",
    "occurred_on": "2026-10-02",
    "source": "staff",
    "client_ref": "case 17",
    "race_ethnicity": ["asian", "hispanic"],
    "language": "Spanish",
    "age_band": "25-34",
    "zip": "11226",
    "client_importance": 4,
    "client_root_cause": "The landlord",
    "wants_involvement": True,
    "story_consent": True,
    "external_id": "cms-17",
}


def test_every_field_has_a_sample_value_here():
    assert set(FULL) == set(fields.NAMES)  # a new field: give it a value above


def test_the_form_has_exactly_the_spec_form_fields(app):
    with app.test_request_context():
        form = ConcernForm()
    own = {name for name in form._fields if name not in ("csrf_token", "tag_text", "version")}
    assert own == {f.name for f in fields.FORM_FIELDS}
    assert set(ConcernInput.__dataclass_fields__) == set(fields.NAMES)


def test_the_quick_log_page_renders_every_form_field(client, login_as, taxonomy):
    login_as("caseworker")
    html = client.get("/log").get_data(as_text=True)
    for f in fields.FORM_FIELDS:
        assert f'name="{f.name}"' in html, f.name


def test_csv_json_and_openapi_carry_every_field(client, login_as, make_concern, db):
    concern = make_concern(**FULL)
    stored = db.session.get(Concern, concern.id)
    for f in fields.FIELDS:
        if f.stored:
            assert hasattr(Concern, f.name), f.name

    # Import: every field is a column; export: the fixed header, every field but the hidden one.
    assert csvio.IMPORT_COLUMNS == fields.NAMES
    login_as("director")
    exported = client.get("/concerns/export.csv").get_data(as_text=True)
    assert exported.splitlines()[0] == EXPORT_HEADER
    row = next(csv.DictReader(io.StringIO(exported)))
    assert "client_ref" not in row and "case 17" not in exported
    # What is exported imports back as the same concern.
    again = parse_concern({k: v for k, v in row.items() if k in fields.NAMES})
    for name in fields.NAMES:
        if name != "client_ref":
            value = getattr(again, name)
            got = value.slug if name == "program" else sorted(t.slug for t in value) if name == "tags" else value
            assert str(got) == str(FULL[name]), name

    # ... and through the CSV importer (its set-based writer) stores the same fields.
    columns = [n for n in fields.NAMES if n in row]
    line = io.StringIO()
    csv.writer(line).writerows([columns, [row[n] if n != "external_id" else "cms-18" for n in columns]])
    report = csvio.import_concerns(stored.author, line.getvalue())
    assert report.ok and report.created == 1, list(report.lines())
    db.session.commit()
    copy = db.session.scalar(select(Concern).where(Concern.external_id == "cms-18"))
    differs = {"id", "external_id", "has_client_ref", "created_at", "version"}
    original = concern_json(stored, stored.author)
    assert {k: v for k, v in concern_json(copy, stored.author).items() if k not in differs} == {
        k: v for k, v in original.items() if k not in differs
    }

    # JSON and its OpenAPI schema: the same keys, for a reader who may see narratives.
    body = concern_json(stored, stored.author)
    assert set(body) == set(SCHEMAS["Concern"]["properties"])
    assert body["story_consent"] is True and body["occurred_on"] == "2026-10-02" and "client_ref" not in body
    assert set(SCHEMAS["ConcernNew"]["properties"]) == set(fields.NAMES)
    assert set(SCHEMAS["ConcernNew"]["required"]) == {"program", "tags", "summary"}
