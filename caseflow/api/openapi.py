"""The OpenAPI 3 document for /api/v1, served at /api/openapi.json and validated in the tests."""

from __future__ import annotations

from flask import jsonify

from caseflow.accounts.permissions import public
from caseflow.api.blueprint import bp
from caseflow.concerns import fields as concern_fields
from caseflow.patterns.facets import FACETS, GROUPINGS

ERRORS = {
    "type": "object",
    "required": ["errors"],
    "properties": {
        "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}
    },
}


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}},
    }


COMMON_ERRORS = {
    "401": _error("Missing, invalid or revoked token"),
    "403": _error("The token's user lacks the permission"),
}
WRITE_ERRORS = {
    **COMMON_ERRORS,
    "400": _error("Malformed JSON"),
    "422": _error("Invalid fields; nothing was written"),
}

SLUG = {"type": "string", "pattern": "^[a-z0-9]+(?:-[a-z0-9]+)*$", "minLength": 1, "maxLength": 60}

SCHEMAS: dict[str, dict] = {
    "Errors": ERRORS,
    "Program": {
        "type": "object",
        "required": ["slug", "name", "active"],
        "properties": {"slug": {"type": "string"}, "name": {"type": "string"}, "active": {"type": "boolean"}},
    },
    "ProgramNew": {
        "type": "object",
        "required": ["slug", "name"],
        "properties": {"slug": SLUG, "name": {"type": "string", "minLength": 1, "maxLength": 120}},
    },
    "Tag": {
        "type": "object",
        "required": ["slug", "name", "category", "active"],
        "properties": {
            "slug": {"type": "string"},
            "name": {"type": "string"},
            "category": {"type": "string"},
            "active": {"type": "boolean"},
        },
    },
    "TagNew": {
        "type": "object",
        "required": ["slug", "name", "category"],
        "properties": {
            "slug": SLUG,
            "name": {"type": "string", "minLength": 1, "maxLength": 120},
            "category": {"type": "string"},
            "description": {"type": "string", "maxLength": 1000},
        },
    },
}

NULLABLE_TEXT = {"type": "string", "nullable": True}

# The concern as the API receives it and as it answers, from the one field list (concerns/fields.py).
SCHEMAS["ConcernNew"] = {
    "type": "object",
    "required": list(concern_fields.REQUIRED),
    "properties": {f.name: f.schema for f in concern_fields.FIELDS},
}
SCHEMAS["Concern"] = {
    "type": "object",
    "required": ["id", *(f.name for f in concern_fields.FIELDS if f.always), "version"],
    "properties": {
        "id": {"type": "integer"},
        **{f.name: f.response_schema for f in concern_fields.FIELDS if not f.hidden},
        "has_client_ref": {"type": "boolean"},
        "author": {"type": "string"},
        "version": {"type": "integer"},
        "created_at": {"type": "string", "format": "date-time"},
    },
}
SCHEMAS["ConcernPage"] = {
    "type": "object",
    "required": ["items", "page", "pages", "total"],
    "properties": {
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/Concern"}},
        "page": {"type": "integer"},
        "pages": {"type": "integer"},
        "total": {"type": "integer"},
    },
}

PATHS: dict[str, dict] = {}


def _list_of(ref: str) -> dict:
    return {
        "type": "object",
        "required": ["items"],
        "properties": {"items": {"type": "array", "items": {"$ref": f"#/components/schemas/{ref}"}}},
    }


def _json(schema: dict, description: str = "OK") -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _body(ref: str) -> dict:
    return {"required": True, "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


for kind, ref in (("programs", "Program"), ("tags", "Tag")):
    PATHS[f"/api/v1/{kind}"] = {
        "get": {
            "summary": f"List {kind}",
            "operationId": f"list_{kind}",
            "responses": {"200": _json(_list_of(ref)), **COMMON_ERRORS},
        },
        "post": {
            "summary": f"Create a {kind[:-1]} (admin)",
            "operationId": f"create_{kind[:-1]}",
            "requestBody": _body(f"{ref}New"),
            "responses": {"201": _json({"$ref": f"#/components/schemas/{ref}"}, "Created"), **WRITE_ERRORS},
        },
    }


def _query(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


NOT_FOUND = {"404": _error("No such object, or not yours to see")}
NUL_IN_QUERY = _error("A parameter holds a NUL character (refused before any view)")

PATHS["/api/v1/concerns"] = {
    "post": {
        "summary": "Log a concern (caseworker, organizer)",
        "operationId": "create_concern",
        "requestBody": _body("ConcernNew"),
        "responses": {
            "201": _json({"$ref": "#/components/schemas/Concern"}, "Created"),
            "200": _json({"$ref": "#/components/schemas/Concern"}, "Already stored under this external_id"),
            "409": _error("The external_id belongs to a concern you cannot see"),
            **WRITE_ERRORS,
        },
    },
    "get": {
        "summary": "List concerns: a caseworker's own; all for organizers and directors",
        "operationId": "list_concerns",
        "parameters": [
            _query("tag", {"type": "string"}, "Tag slug"),
            _query("program", {"type": "string"}, "Program slug"),
            _query("since", {"type": "string", "format": "date"}, "On or after"),
            _query("until", {"type": "string", "format": "date"}, "On or before"),
            _query("page", {"type": "integer", "minimum": 1}, "Page number (50 per page)"),
        ],
        "responses": {
            "200": _json({"$ref": "#/components/schemas/ConcernPage"}),
            "400": NUL_IN_QUERY,
            "422": _error("Invalid filter"),
            **COMMON_ERRORS,
        },
    },
}
PATHS["/api/v1/concerns/{concern_id}"] = {
    "get": {
        "summary": "One concern (author, organizer, director)",
        "operationId": "get_concern",
        "parameters": [{"name": "concern_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "responses": {"200": _json({"$ref": "#/components/schemas/Concern"}), **NOT_FOUND, **COMMON_ERRORS},
    }
}


# --- Patterns and promotion ------------------------------------------------------------------
SCHEMAS["Pattern"] = {
    "type": "object",
    "required": ["key", "tag", "count", "distinct_clients", "previous_count", "programs", "cross_program", "state"],
    "properties": {
        "key": {
            "type": "string",
            "description": "tag:<slug>, or tag:<slug>/<facet>:<value> with a facet of "
            + ", ".join(f.name for f in FACETS)
            + " (tag:no-heat/zip:11226)",
        },
        "grouping": {"type": "string", "enum": list(GROUPINGS)},
        "facet": {"type": "string", "nullable": True, "enum": [f.name for f in FACETS] + [None]},
        "facet_value": NULLABLE_TEXT,
        "tag": {"type": "string"},
        "category": {"type": "string"},
        "program": NULLABLE_TEXT,
        "zip": NULLABLE_TEXT,
        "count": {
            "type": "integer",
            "nullable": True,
            "description": "a published value for tag × ZIP (cell key method) unless the caller has record access",
        },
        "distinct_clients": {"type": "integer", "nullable": True, "description": "null when a small cell (tag × ZIP)"},
        "previous_count": {"type": "integer", "nullable": True, "description": "null when a small cell (tag × ZIP)"},
        "trend": {"type": "number", "nullable": True},
        "programs": {"type": "array", "items": {"type": "string"}},
        "cross_program": {"type": "boolean"},
        "avg_importance": {"type": "number", "nullable": True},
        "wants_involvement": {"type": "integer", "nullable": True},
        "examples": {"type": "array", "items": {"type": "string"}},
        "state": {"type": "string", "enum": ["new", "snoozed", "dismissed", "promoted"]},
        "returned": {"type": "boolean"},
        "campaign_id": {"type": "integer", "nullable": True},
    },
}
SCHEMAS["PatternList"] = {
    "type": "object",
    "required": ["items", "window_days"],
    "properties": {
        "window_days": {"type": "integer"},
        "start": {"type": "string", "format": "date"},
        "end": {"type": "string", "format": "date"},
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/Pattern"}},
    },
}
SCHEMAS["CampaignNew"] = {
    "type": "object",
    "required": ["title", "pattern_keys"],
    "properties": {
        "title": {"type": "string", "minLength": 1, "maxLength": 200},
        "pattern_keys": {"type": "array", "minItems": 1, "maxItems": 20, "items": {"type": "string"}},
        "issue_statement": {"type": "string", "maxLength": 5000},
    },
}
SCHEMAS["CampaignCreated"] = {
    "type": "object",
    "required": ["id", "title", "step", "status", "version", "evidence_count", "pattern_keys"],
    "properties": {
        "id": {"type": "integer"},
        "title": {"type": "string"},
        "step": {"type": "string"},
        "status": {"type": "string"},
        "version": {"type": "integer"},
        "evidence_count": {"type": "integer"},
        "pattern_keys": {"type": "array", "items": {"type": "string"}},
    },
}
PATHS["/api/v1/patterns"] = {
    "get": {
        "summary": "Current patterns (any role)",
        "operationId": "list_patterns",
        "parameters": [
            _query(
                "window_days",
                {"type": "integer", "minimum": 7, "maximum": 730},
                "Window length (default 90). Callers without record access (caseworkers) choose one of "
                "7, 30, 90, 365; other values answer 422. For them the counts of patterns about people "
                '(tag × ZIP) are published values (cell key method) and null where shown as "<11".',
            )
        ],
        "responses": {
            "200": _json({"$ref": "#/components/schemas/PatternList"}),
            "400": NUL_IN_QUERY,
            "422": _error("Invalid window"),
            **COMMON_ERRORS,
        },
    }
}
PATHS["/api/v1/campaigns"] = {
    "post": {
        "summary": "Promote patterns into a campaign (organizer); the patterns' state becomes promoted",
        "operationId": "create_campaign",
        "requestBody": _body("CampaignNew"),
        "responses": {
            "201": _json({"$ref": "#/components/schemas/CampaignCreated"}, "Created"),
            "409": _error(
                "Governance is on: the advisory committee decides which patterns become campaigns; propose it "
                "with POST /api/v1/committee/proposals (errors under `pattern_keys` say what it waits for)"
            ),
            **WRITE_ERRORS,
        },
    }
}

# --- Quarterly summaries ----------------------------------------------------------------------
SCHEMAS["Summary"] = {
    "type": "object",
    "required": ["quarter", "state", "built_at", "data"],
    "properties": {
        "quarter": {"type": "string", "pattern": "^[0-9]{4}-Q[1-4]$"},
        "state": {"type": "string", "enum": ["draft", "signed off"]},
        "built_at": {"type": "string", "format": "date-time"},
        "signed_off_at": {"type": "string", "format": "date-time", "nullable": True},
        "signed_off_by": NULLABLE_TEXT,
        "commentary": {"type": "string"},
        "data": {
            "type": "object",
            "description": "The snapshot: counts by category, program and place (suppressed), patterns, disparities, campaigns, actions, reviews, follow-ups, self-assessment",
        },
    },
}
PATHS["/api/v1/summaries/{quarter}"] = {
    "get": {
        "summary": "The stored quarterly reflection summary (director)",
        "operationId": "get_summary",
        "parameters": [
            {"name": "quarter", "in": "path", "required": True, "schema": {"type": "string"}, "description": "YYYY-Qn"}
        ],
        "responses": {"200": _json({"$ref": "#/components/schemas/Summary"}), **NOT_FOUND, **COMMON_ERRORS},
    }
}

# --- Campaigns: read, move between steps, log actions -----------------------------------------
CAMPAIGN_STEPS = ["learning", "awareness", "vision", "strategy", "action", "reflection"]
ACTION_KIND_VALUES = [
    "meeting",
    "testimony",
    "petition",
    "rally",
    "lobby_visit",
    "public_comment",
    "media",
    "training",
    "convening",
]
COUNT = {"type": "integer", "minimum": 0, "maximum": 99999}
CAMPAIGN_ID = {"name": "campaign_id", "in": "path", "required": True, "schema": {"type": "integer"}}
CAMPAIGN_CONFLICT = {
    "409": _error(
        "Stale `version` (someone else changed the campaign), the campaign is closed (read-only), "
        "or the advisory committee has not approved entering this step (errors under `step`)"
    )
}

SCHEMAS["StepMove"] = {
    "type": "object",
    "required": ["from_step", "to_step", "note", "at"],
    "properties": {
        "from_step": {"type": "string", "enum": CAMPAIGN_STEPS},
        "to_step": {"type": "string", "enum": CAMPAIGN_STEPS},
        "note": {"type": "string"},
        "author": NULLABLE_TEXT,
        "at": {"type": "string", "format": "date-time"},
    },
}
SCHEMAS["Campaign"] = {
    "type": "object",
    "required": ["id", "title", "step", "status", "version", "evidence_count", "pattern_keys", "lead"],
    "properties": {
        "id": {"type": "integer"},
        "title": {"type": "string"},
        "issue_statement": {"type": "string"},
        "step": {"type": "string", "enum": CAMPAIGN_STEPS},
        "step_label": {"type": "string"},
        "status": {"type": "string", "enum": ["active", "paused", "won", "lost", "closed"]},
        "closing_summary": {"type": "string"},
        "version": {"type": "integer", "description": "Send it back with changes (optimistic locking)"},
        "evidence_count": {"type": "integer", "description": "Linked concerns that are not deleted"},
        "pattern_keys": {"type": "array", "items": {"type": "string"}},
        "lead": {**NULLABLE_TEXT, "description": "The lead organizer's e-mail"},
        "moves": {"type": "array", "items": {"$ref": "#/components/schemas/StepMove"}, "description": "Latest first"},
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"},
    },
}
SCHEMAS["CampaignStepChange"] = {
    "type": "object",
    "required": ["step", "note", "version"],
    "properties": {
        "step": {"type": "string", "enum": CAMPAIGN_STEPS, "description": "Any step, forwards or back"},
        "note": {"type": "string", "minLength": 1, "maxLength": 2000, "description": "Why; kept in the history"},
        "version": {"type": "integer", "description": "The campaign's version as you last read it"},
    },
}
SCHEMAS["CampaignActionNew"] = {
    "type": "object",
    "required": ["kind", "occurred_on", "title"],
    "properties": {
        "kind": {"type": "string", "enum": ACTION_KIND_VALUES},
        "occurred_on": {"type": "string", "format": "date", "description": "Not in the future, not before 2000"},
        "title": {"type": "string", "minLength": 1, "maxLength": 200},
        "staff_participants": {**COUNT, "default": 0},
        "constituent_participants": {**COUNT, "default": 0},
        "target_reached": {"type": "string", "maxLength": 300},
        "outcome": {"type": "string", "maxLength": 5000},
        "takeaways": {"type": "string", "maxLength": 5000, "description": "A convening's harvest"},
        "version": {"type": "integer", "description": "Optional: when given, a stale version is refused (409)"},
    },
}
SCHEMAS["CampaignAction"] = {
    "type": "object",
    "required": ["id", "campaign_id", "kind", "occurred_on", "title", "campaign_version"],
    "properties": {
        "id": {"type": "integer"},
        "campaign_id": {"type": "integer"},
        "kind": {"type": "string", "enum": ACTION_KIND_VALUES},
        "occurred_on": {"type": "string", "format": "date"},
        "title": {"type": "string"},
        "staff_participants": {"type": "integer"},
        "constituent_participants": {"type": "integer"},
        "new_leaders": {
            "type": "integer",
            "readOnly": True,
            "description": "Read-only: the people who first spoke, testified or led at this action, counted from "
            "its attendance (POST /api/v1/actions/{id}/attendance); a new_leaders sent with the action is ignored",
        },
        "target_reached": {"type": "string"},
        "outcome": {"type": "string"},
        "takeaways": {"type": "string"},
        "campaign_version": {"type": "integer", "description": "The campaign's version after this change"},
    },
}
PATHS["/api/v1/campaigns/{campaign_id}"] = {
    "get": {
        "summary": "One campaign (organizer, director)",
        "operationId": "get_campaign",
        "parameters": [CAMPAIGN_ID],
        "responses": {"200": _json({"$ref": "#/components/schemas/Campaign"}), **NOT_FOUND, **COMMON_ERRORS},
    }
}
PATHS["/api/v1/campaigns/{campaign_id}/step"] = {
    "post": {
        "summary": "Move the campaign to a step, forwards or back, with a note (organizer)",
        "operationId": "move_campaign_step",
        "parameters": [CAMPAIGN_ID],
        "requestBody": _body("CampaignStepChange"),
        "responses": {
            "200": _json({"$ref": "#/components/schemas/Campaign"}, "Moved"),
            **NOT_FOUND,
            **CAMPAIGN_CONFLICT,
            **WRITE_ERRORS,
        },
    }
}
PATHS["/api/v1/campaigns/{campaign_id}/actions"] = {
    "post": {
        "summary": "Log an organizing action (organizer)",
        "operationId": "create_campaign_action",
        "parameters": [CAMPAIGN_ID],
        "requestBody": _body("CampaignActionNew"),
        "responses": {
            "201": _json({"$ref": "#/components/schemas/CampaignAction"}, "Created"),
            **NOT_FOUND,
            **CAMPAIGN_CONFLICT,
            **WRITE_ERRORS,
        },
    }
}


# --- Common measures and their dated values ------------------------------------------------------
MEASURE_DIMENSIONS = ["race_ethnicity", "zip", "program", "language", "age_band"]
MEASURE_ID = {
    "name": "measure_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
}
NULLABLE_NUMBER = {"type": "number", "nullable": True}
SCHEMAS["Measure"] = {
    "type": "object",
    "required": ["id", "name", "unit", "direction", "frequency", "breakdowns", "counts_people"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "definition": {"type": "string"},
        "unit": {"type": "string"},
        "direction": {"type": "string", "enum": ["lower", "higher"], "description": "Which way is better"},
        "data_source": {"type": "string"},
        "frequency": {"type": "string", "enum": ["monthly", "quarterly", "yearly"]},
        "breakdowns": {"type": "array", "items": {"type": "string", "enum": MEASURE_DIMENSIONS}},
        "counts_people": {"type": "boolean", "description": "Counts go through the disclosure policy"},
        "derived": {**NULLABLE_TEXT, "description": "What Caseflow computes, or null when values are entered"},
        "derived_param": NULLABLE_TEXT,
    },
}
SCHEMAS["MeasureNew"] = {
    "type": "object",
    "required": ["name", "direction", "frequency"],
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 200, "description": "Unique in the library"},
        "definition": {"type": "string", "maxLength": 5000},
        "unit": {"type": "string", "maxLength": 40},
        "direction": {"type": "string", "enum": ["lower", "higher"]},
        "data_source": {"type": "string", "maxLength": 300},
        "frequency": {"type": "string", "enum": ["monthly", "quarterly", "yearly"]},
        "breakdowns": {"type": "array", "items": {"type": "string", "enum": MEASURE_DIMENSIONS}},
        "counts_people": {"type": "boolean", "default": False},
        "derived": {
            "type": "string",
            "enum": ["concerns_per_month", "race_collected_share", "median_days_to_campaign"],
            "description": "Let Caseflow compute it from its own data",
        },
        "derived_param": {"type": "string", "maxLength": 120, "description": "A pattern key, for concerns_per_month"},
    },
}
SCHEMAS["MeasureValue"] = {
    "type": "object",
    "required": ["observed_on", "dimension", "group", "value", "revision"],
    "properties": {
        "id": {"type": "integer", "nullable": True, "description": "null for a value Caseflow computes"},
        "measure_id": {"type": "integer"},
        "campaign_id": {"type": "integer", "nullable": True},
        "observed_on": {"type": "string", "format": "date"},
        "dimension": {"type": "string", "enum": ["all", *MEASURE_DIMENSIONS]},
        "group": {"type": "string", "description": '"" for everyone'},
        "value": {
            **NULLABLE_NUMBER,
            "description": "For a measure that counts people and a caller without record access: the "
            'published value, or null where shown as "<11"',
        },
        "numerator": NULLABLE_NUMBER,
        "denominator": NULLABLE_NUMBER,
        "source_note": {"type": "string"},
        "revision": {"type": "integer", "description": "1, then 2, 3… for corrections (history is kept)"},
        "corrects_id": {"type": "integer", "nullable": True},
    },
}
SCHEMAS["MeasureValueNew"] = {
    "type": "object",
    "required": ["observed_on"],
    "properties": {
        "observed_on": {"type": "string", "format": "date", "description": "Not in the future"},
        "campaign": {"type": "integer", "description": "A campaign tracking this measure; omit for organisation-wide"},
        "dimension": {"type": "string", "enum": ["all", *MEASURE_DIMENSIONS], "default": "all"},
        "group": {"type": "string", "maxLength": 60, "description": "A code of the dimension; omit for everyone"},
        "value": {"type": "number", "description": "Or give numerator and denominator"},
        "numerator": {"type": "number", "minimum": 0},
        "denominator": {"type": "number", "exclusiveMinimum": True, "minimum": 0},
        "source_note": {"type": "string", "maxLength": 500},
        "corrects": {"type": "boolean", "default": False, "description": "Required to replace a recorded value"},
        "revision": {"type": "integer", "description": "With corrects: the revision you correct (stale: 409)"},
    },
}
SCHEMAS["MeasureValueList"] = {
    "type": "object",
    "required": ["measure", "items"],
    "properties": {
        "measure": {"$ref": "#/components/schemas/Measure"},
        "campaign_id": {"type": "integer", "nullable": True},
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/MeasureValue"}},
    },
}
PATHS["/api/v1/measures"] = {
    "get": {
        "summary": "The library of common measures (any staff)",
        "operationId": "list_measures",
        "responses": {"200": _json(_list_of("Measure")), **COMMON_ERRORS},
    },
    "post": {
        "summary": "Add a measure to the library (organizer, director)",
        "operationId": "create_measure",
        "requestBody": _body("MeasureNew"),
        "responses": {"201": _json({"$ref": "#/components/schemas/Measure"}, "Created"), **WRITE_ERRORS},
    },
}
PATHS["/api/v1/measures/{measure_id}/values"] = {
    "get": {
        "summary": "A measure's current values per date and group, organisation-wide or for one campaign",
        "operationId": "list_measure_values",
        "parameters": [
            MEASURE_ID,
            _query("campaign", {"type": "integer", "minimum": 1}, "A campaign's id; omit for organisation-wide"),
        ],
        "responses": {
            "200": _json({"$ref": "#/components/schemas/MeasureValueList"}),
            "400": NUL_IN_QUERY,
            "422": _error("Invalid campaign"),
            **NOT_FOUND,
            **COMMON_ERRORS,
        },
    },
    "post": {
        "summary": "Record a dated value (organizer, director); the same date and group again is 409 unless it corrects",
        "operationId": "create_measure_value",
        "parameters": [MEASURE_ID],
        "requestBody": _body("MeasureValueNew"),
        "responses": {
            "201": _json({"$ref": "#/components/schemas/MeasureValue"}, "Created"),
            "409": _error("Already recorded for this date and group (send corrects: true), or a stale revision"),
            **NOT_FOUND,
            **WRITE_ERRORS,
        },
    },
}


# --- Tag suggestions ----------------------------------------------------------------------------
SCHEMAS["TagSuggestions"] = {
    "type": "object",
    "required": ["suggestions", "model"],
    "properties": {
        "suggestions": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["tag", "name", "score"],
                "properties": {
                    "tag": {"type": "string", "description": "Tag slug"},
                    "name": {"type": "string"},
                    "score": {"type": "number", "minimum": 0, "maximum": 1},
                },
            },
        },
        "model": {
            "type": "object",
            "required": ["trained_at", "examples"],
            "description": "The organisation's tag model; trained_at null and examples 0 while there are too few "
            "tagged concerns to learn from (suggestions then come from the tags' names)",
            "properties": {
                "trained_at": {"type": "string", "format": "date-time", "nullable": True},
                "examples": {"type": "integer", "minimum": 0},
            },
        },
    },
}
PATHS["/api/v1/tags/suggest"] = {
    "get": {
        "summary": "The tags most likely for a text (roles that log concerns); the text is neither stored nor logged",
        "operationId": "suggest_tags",
        "parameters": [
            {
                "name": "text",
                "in": "query",
                "required": True,
                "schema": {"type": "string", "maxLength": 2000},
                "description": "The concern's summary, and the client's own words if any",
            },
            _query("limit", {"type": "integer", "minimum": 1, "maximum": 10}, "How many tags (default 3)"),
        ],
        "responses": {
            "200": _json({"$ref": "#/components/schemas/TagSuggestions"}),
            "400": NUL_IN_QUERY,
            "422": _error("Missing or too long `text`, or `limit` outside 1–10"),
            **COMMON_ERRORS,
        },
    }
}
# --- People (organizer scope), attendance, the committee's decisions ---------------------------
DATE_OR_NULL = {"type": "string", "format": "date", "nullable": True}
DATABASE_ID = {"type": "integer", "minimum": 1, "maximum": 2147483647}
PERSON_ID = {"name": "person_id", "in": "path", "required": True, "schema": DATABASE_ID}
CONVENING_ID = {"name": "convening_id", "in": "path", "required": True, "schema": DATABASE_ID}
ACTION_ID = {"name": "action_id", "in": "path", "required": True, "schema": DATABASE_ID}
CHANNEL_VALUES = ["phone", "sms", "email", "mail", "in_person"]
SCHEMAS["Person"] = {
    "type": "object",
    "description": "An opted-in person. `name`, `phone`, `email` and `address` are present only for tokens whose "
    "user holds the dedicated contact permission (organizers) and that carry the `people:contact` scope; no "
    "answer links a person to a concern. Reading people needs `people:read`, recording them `people:write`.",
    "required": ["id", "channel", "source", "consent_on", "withdrawn", "version", "ladder"],
    "properties": {
        "id": {"type": "integer"},
        "language": NULLABLE_TEXT,
        "channel": {"type": "string", "enum": CHANNEL_VALUES},
        "source": {"type": "string", "enum": ["concern", "organizer"]},
        "consent_on": {"type": "string", "format": "date"},
        "withdrawn": {"type": "boolean"},
        "version": {"type": "integer"},
        "ladder": {
            "type": "object",
            "description": "The date each rung of the leadership ladder was first reached, read from attendance",
            "properties": {r: DATE_OR_NULL for r in ("attended", "spoke", "led", "committee")},
        },
        "name": NULLABLE_TEXT,
        "phone": NULLABLE_TEXT,
        "email": NULLABLE_TEXT,
        "address": NULLABLE_TEXT,
    },
}
SCHEMAS["PersonNew"] = {
    "type": "object",
    "required": ["consent", "name"],
    "properties": {
        "consent": {"type": "boolean", "description": "Must be true: they agreed to be contacted about organizing"},
        "name": {"type": "string", "maxLength": 120},
        "phone": {"type": "string", "maxLength": 30},
        "email": {"type": "string", "maxLength": 254},
        "address": {"type": "string", "maxLength": 300},
        "language": {"type": "string", "maxLength": 40},
        "channel": {"type": "string", "enum": CHANNEL_VALUES, "default": "phone"},
        "campaign_id": {"type": "integer", "description": "A campaign they asked to be involved in"},
    },
}
SCHEMAS["Withdrawal"] = {
    "type": "object",
    "required": ["version"],
    "properties": {"version": {"type": "integer", "description": "The person's version as you last read it"}},
}
ATTENDEE = {
    "type": "object",
    "required": ["person_id", "status"],
    "properties": {
        "person_id": {"type": "integer"},
        "status": {"type": "string", "enum": ["signed_up", "attended", "spoke", "led"]},
    },
}
SCHEMAS["Attendance"] = {
    "type": "object",
    "required": ["people", "staff", "signed_up", "people_came", "staff_came"],
    "properties": {
        "people": {"type": "array", "items": ATTENDEE},
        "staff": {"type": "array", "items": {"type": "integer"}, "description": "User ids of staff who came"},
        "signed_up": {"type": "integer"},
        "people_came": {"type": "integer"},
        "staff_came": {"type": "integer"},
    },
}
SCHEMAS["AttendanceSet"] = {
    "type": "object",
    "description": "Replaces the event's attendance. `signed_up` applies to convenings only.",
    "properties": {
        "people": {"type": "array", "items": ATTENDEE},
        "staff": {"type": "array", "items": {"type": "integer"}},
    },
}
SCHEMAS["CommitteeDecision"] = {
    "type": "object",
    "required": ["id", "kind", "title", "status", "pattern_keys", "votes"],
    "properties": {
        "id": {"type": "integer"},
        "kind": {"type": "string", "enum": ["promote", "enter_step", "general"]},
        "title": {"type": "string"},
        "details": {"type": "string"},
        "status": {"type": "string", "enum": ["waiting", "approved", "rejected"]},
        "pattern_keys": {"type": "array", "items": {"type": "string"}},
        "campaign_id": {"type": "integer", "nullable": True},
        "for_step": {**NULLABLE_TEXT, "description": "For `enter_step`: strategy or action"},
        "meeting_on": DATE_OR_NULL,
        "meeting_id": {"type": "integer", "nullable": True, "description": "The meeting at which it was decided"},
        "decided_at": {"type": "string", "format": "date-time", "nullable": True},
        "votes": {
            "type": "object",
            "required": ["for", "against", "abstain"],
            "properties": {v: {"type": "integer"} for v in ("for", "against", "abstain")},
        },
        "votes_cast": {"type": "array", "items": {"$ref": "#/components/schemas/CommitteeVote"}},
    },
}
VOTE_VALUES = ["for", "against", "abstain"]
SCHEMAS["CommitteeVote"] = {
    "type": "object",
    "required": ["member_id", "vote"],
    "properties": {"member_id": {"type": "integer"}, "vote": {"type": "string", "enum": VOTE_VALUES}},
}
SCHEMAS["CommitteeVotes"] = {
    "type": "object",
    "required": ["meeting_id", "votes"],
    "description": "Quorum: more than half of the members sitting on the meeting's date are present, with at least "
    "one community member; and more than half of the sitting members vote (abstaining counts), with a community "
    "member among them. Only members present and sitting may vote. More for than against carries it.",
    "properties": {
        "meeting_id": {"type": "integer"},
        "votes": {"type": "array", "items": {"$ref": "#/components/schemas/CommitteeVote"}},
    },
}
SCHEMAS["CommitteeMember"] = {
    "type": "object",
    "required": ["id", "seat", "term_start", "sitting"],
    "properties": {
        "id": {"type": "integer"},
        "seat": {"type": "string", "enum": ["community", "staff"]},
        "person_id": {"type": "integer", "nullable": True, "description": "A community member (see /api/v1/people)"},
        "user": {**NULLABLE_TEXT, "description": "A member of staff's e-mail"},
        "term_start": {"type": "string", "format": "date"},
        "term_end": DATE_OR_NULL,
        "sitting": {"type": "boolean", "description": "Their term covers today"},
    },
}
QUORUM = {
    "type": "object",
    "required": ["sitting", "present", "needed", "community_present", "met"],
    "properties": {k: {"type": "integer"} for k in ("sitting", "present", "needed", "community_present")}
    | {"met": {"type": "boolean"}},
}
SCHEMAS["CommitteeMeeting"] = {
    "type": "object",
    "required": ["id", "held_on", "minutes", "version", "present", "quorum"],
    "properties": {
        "id": {"type": "integer"},
        "held_on": {"type": "string", "format": "date"},
        "minutes": {"type": "string"},
        "version": {"type": "integer"},
        "present": {"type": "array", "items": {"type": "integer"}, "description": "Member ids"},
        "quorum": QUORUM,
    },
}
SCHEMAS["CommitteeMeetingNew"] = {
    "type": "object",
    "required": ["held_on"],
    "properties": {
        "held_on": {"type": "string", "format": "date"},
        "minutes": {"type": "string", "maxLength": 50000},
        "present": {
            "type": "array",
            "items": {"type": "integer"},
            "description": "Member ids present; each must sit on the committee on `held_on`",
        },
    },
}
SCHEMAS["CommitteeProposalNew"] = {
    "type": "object",
    "required": ["kind"],
    "properties": {
        "kind": {"type": "string", "enum": ["promote", "enter_step", "general"]},
        "title": {"type": "string", "maxLength": 300, "description": "For `promote`, the campaign's title"},
        "details": {"type": "string", "maxLength": 10000},
        "pattern_keys": {"type": "array", "items": {"type": "string"}, "description": "For `promote`"},
        "campaign_id": {"type": "integer", "description": "For `enter_step`"},
        "for_step": {"type": "string", "enum": ["strategy", "action"], "description": "For `enter_step`"},
    },
}
PATHS["/api/v1/people"] = {
    "get": {
        "summary": "People who opted in (organizer); contact only with the dedicated permission",
        "operationId": "list_people",
        "responses": {"200": _json(_list_of("Person")), **COMMON_ERRORS},
    },
    "post": {
        "summary": "Record a person who agreed to be contacted (organizer)",
        "operationId": "create_person",
        "requestBody": _body("PersonNew"),
        "responses": {"201": _json({"$ref": "#/components/schemas/Person"}, "Created"), **WRITE_ERRORS},
    },
}
PATHS["/api/v1/people/{person_id}"] = {
    "get": {
        "summary": "One opted-in person (organizer)",
        "operationId": "get_person",
        "parameters": [PERSON_ID],
        "responses": {"200": _json({"$ref": "#/components/schemas/Person"}), **NOT_FOUND, **COMMON_ERRORS},
    }
}
PATHS["/api/v1/people/{person_id}/withdraw"] = {
    "post": {
        "summary": "Consent withdrawn: erase contact details and unlink from every concern (organizer)",
        "operationId": "withdraw_person",
        "parameters": [PERSON_ID],
        "requestBody": _body("Withdrawal"),
        "responses": {
            "200": _json({"$ref": "#/components/schemas/Person"}, "Withdrawn"),
            "409": _error("Stale `version`"),
            **NOT_FOUND,
            **WRITE_ERRORS,
        },
    }
}
for path, param, reader, writer in (
    ("/api/v1/convenings/{convening_id}/attendance", CONVENING_ID, "organizer, director", "organizer"),
    ("/api/v1/actions/{action_id}/attendance", ACTION_ID, "organizer", "organizer"),
):
    kind = "convening" if "convenings" in path else "action"
    PATHS[path] = {
        "get": {
            "summary": f"Who signed up for and came to a {kind} ({reader})",
            "operationId": f"get_{kind}_attendance",
            "parameters": [param],
            "responses": {"200": _json({"$ref": "#/components/schemas/Attendance"}), **NOT_FOUND, **COMMON_ERRORS},
        },
        "post": {
            "summary": f"Replace a {kind}'s attendance ({writer}); the leadership ladder reads it",
            "operationId": f"set_{kind}_attendance",
            "parameters": [param],
            "requestBody": _body("AttendanceSet"),
            "responses": {"200": _json({"$ref": "#/components/schemas/Attendance"}), **NOT_FOUND, **WRITE_ERRORS},
        },
    }
PATHS["/api/v1/committee/decisions"] = {
    "get": {
        "summary": "The advisory committee's proposals and decisions with vote tallies (organizer, director)",
        "operationId": "list_committee_decisions",
        "responses": {"200": _json(_list_of("CommitteeDecision")), **COMMON_ERRORS},
    }
}
DECISION_ID = {"name": "decision_id", "in": "path", "required": True, "schema": DATABASE_ID}
PATHS["/api/v1/committee/decisions/{decision_id}"] = {
    "get": {
        "summary": "One proposal or decision, with each member's recorded vote (organizer, director)",
        "operationId": "get_committee_decision",
        "parameters": [DECISION_ID],
        "responses": {
            "200": _json({"$ref": "#/components/schemas/CommitteeDecision"}),
            **NOT_FOUND,
            **COMMON_ERRORS,
        },
    }
}
PATHS["/api/v1/committee/decisions/{decision_id}/votes"] = {
    "post": {
        "summary": "Record the committee's votes on a waiting proposal at a meeting (organizer); quorum is enforced "
        "and an approved promotion creates the campaign",
        "operationId": "vote_committee_decision",
        "parameters": [DECISION_ID],
        "requestBody": _body("CommitteeVotes"),
        "responses": {
            "200": _json({"$ref": "#/components/schemas/CommitteeDecision"}, "Decided"),
            **NOT_FOUND,
            **WRITE_ERRORS,
            "422": _error(
                "Invalid fields, no quorum at the meeting or among the voters, a voter not present, or already "
                "decided; nothing was written"
            ),
        },
    }
}
PATHS["/api/v1/committee/members"] = {
    "get": {
        "summary": "The committee's members and their terms (organizer, director)",
        "operationId": "list_committee_members",
        "responses": {"200": _json(_list_of("CommitteeMember")), **COMMON_ERRORS},
    }
}
PATHS["/api/v1/committee/meetings"] = {
    "get": {
        "summary": "The committee's meetings, who was present and whether there was quorum (organizer, director)",
        "operationId": "list_committee_meetings",
        "responses": {"200": _json(_list_of("CommitteeMeeting")), **COMMON_ERRORS},
    },
    "post": {
        "summary": "Record a meeting with its minutes and the members present (organizer)",
        "operationId": "create_committee_meeting",
        "requestBody": _body("CommitteeMeetingNew"),
        "responses": {
            "201": _json({"$ref": "#/components/schemas/CommitteeMeeting"}, "Created"),
            **WRITE_ERRORS,
        },
    },
}
PATHS["/api/v1/committee/proposals"] = {
    "post": {
        "summary": "Put a proposal to the committee; it waits for a vote at a meeting (organizer)",
        "operationId": "create_committee_proposal",
        "requestBody": _body("CommitteeProposalNew"),
        "responses": {"201": _json({"$ref": "#/components/schemas/CommitteeDecision"}, "Created"), **WRITE_ERRORS},
    }
}


def document() -> dict:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Caseflow API",
            "version": "1.0.0",
            "description": 'Concerns in, patterns and campaigns out. Errors are {"errors": {field: [messages]}}.',
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": (
                        "An API token (`flask users token`, or the API tokens page: for oneself or a service "
                        "account). Each call needs the token's scope for the route (concerns:read, "
                        "concerns:write, patterns:read, campaigns:read, campaigns:write, summaries:read, "
                        "taxonomy:read, taxonomy:write, …) and the owner's role; a missing scope is 403 "
                        '{"errors": {"scope": [...]}}. Tokens expire (90 days by default).'
                    ),
                }
            },
            "schemas": SCHEMAS,
        },
        "paths": PATHS,
    }


@bp.get("/openapi.json")
@public
def openapi_json():
    return jsonify(document())
