"""Issue 16, items 2 and 3: inputs an outside probe sent that answered 500 or were stored wrongly.

Every one gets 400/422 (or the form's error) and writes nothing."""

from __future__ import annotations

import io

import pytest

from caseflow.validation import ascii_int, json_problem
from tests.test_access_matrix import _diff, snapshot
from tests.test_campaigns_api import ACTION
from tests.test_campaigns_api import campaign as campaign  # noqa: F401 (fixture)

CONCERN = {"program": "housing", "tags": ["no-heat"], "summary": "No heat for a week"}


def _raw_json(client, url, raw: str, headers):
    return client.post(url, data=raw.encode(), content_type="application/json", headers=headers)


@pytest.mark.parametrize(
    "field", ["summary", "narrative", "client_ref", "client_root_cause", "language", "external_id", "program"]
)
def test_lone_surrogate_in_a_concern_field_is_400_and_writes_nothing(client, token_for, taxonomy, db, field):
    headers = token_for("caseworker")
    before = snapshot()
    body = '{"program": "housing", "tags": ["no-heat"], "summary": "No heat", "FIELD": "a\\ud800b"}'
    body = body.replace("FIELD", field)
    response = _raw_json(client, "/api/v1/concerns", body, headers)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert "body" in response.get_json()["errors"]
    assert _diff(before, snapshot()) == []


def test_lone_surrogate_in_a_list_item_or_a_key_is_400(client, token_for, taxonomy):
    headers = token_for("caseworker")
    for body in (
        '{"program": "housing", "tags": ["no-heat", "\\udfff"], "summary": "x"}',
        '{"program": "housing", "tags": ["no-heat"], "summary": "x", "\\ud83d": 1}',
    ):
        assert _raw_json(client, "/api/v1/concerns", body, headers).status_code == 400


def test_lone_surrogate_in_campaign_step_note_and_action_title(client, token_for, campaign, db):  # noqa: F811
    headers = token_for("organizer")
    before = snapshot()
    step = _raw_json(
        client,
        f"/api/v1/campaigns/{campaign.id}/step",
        '{"step": "awareness", "note": "moved \\ud800", "version": 1}',
        headers,
    )
    assert step.status_code == 400
    action = dict(ACTION, title="Testimony \ud800")
    import json

    raw = json.dumps(action)  # ensure_ascii keeps the surrogate as the escape \ud800
    assert _raw_json(client, f"/api/v1/campaigns/{campaign.id}/actions", raw, headers).status_code == 400
    assert _diff(before, snapshot()) == []


@pytest.mark.parametrize("opener,closer", [("[", "]"), ('{"a":', "}")])
def test_json_nested_50000_deep_is_400(client, token_for, taxonomy, db, opener, closer):
    headers = token_for("caseworker")
    before = snapshot()
    raw = opener * 50_000 + "1" + closer * 50_000
    response = _raw_json(client, "/api/v1/concerns", raw, headers)
    assert response.status_code == 400 and "body" in response.get_json()["errors"]
    deep_field = '{"program": "housing", "tags": ["no-heat"], "summary": "x", "narrative": ' + "[" * 40 + "]" * 40 + "}"
    assert _raw_json(client, "/api/v1/concerns", deep_field, headers).status_code == 400
    assert _diff(before, snapshot()) == []


def test_unicode_digits_in_query_parameters_are_never_a_500(client, token_for, login_as, taxonomy, make_concern):
    headers = token_for("caseworker")
    for value in ("²³", "٣٠", "３０", "߉"):
        assert client.get(f"/api/v1/patterns?window_days={value}", headers=headers).status_code == 422
        assert client.get(f"/api/v1/concerns?page={value}", headers=headers).status_code == 422
    login_as("caseworker")
    make_concern()
    for path in ("/patterns/?window_days=²³", "/patterns/?page=²", "/concerns?page=²³", "/concerns?page=٣"):
        assert client.get(path).status_code == 200, path


def test_full_width_zip_and_arabic_importance_are_refused(client, token_for, taxonomy, db):
    headers = token_for("caseworker")
    before = snapshot()
    for field, value in (
        ("zip", "１１２２６"),
        ("zip", "١١٢٢٦"),
        ("client_importance", "٣"),
        ("client_importance", "３"),
    ):
        response = client.post("/api/v1/concerns", json=CONCERN | {field: value}, headers=headers)
        assert response.status_code == 422, (field, value)
        assert field in response.get_json()["errors"]
    assert _diff(before, snapshot()) == []
    ok = client.post("/api/v1/concerns", json=CONCERN | {"zip": "11226", "client_importance": "3"}, headers=headers)
    assert ok.status_code == 201 and ok.get_json()["zip"] == "11226"


def test_full_width_zip_in_the_quick_log_form_stays_at_the_field(client, login_as, taxonomy, db):
    login_as("caseworker")
    before = snapshot()
    response = client.post(
        "/log", data={"program": "housing", "tags": "no-heat", "summary": "No heat", "zip": "１１２２６"}
    )
    assert response.status_code == 422
    assert "5-digit ZIP" in response.get_data(as_text=True)
    assert _diff(before, snapshot()) == []


def test_csv_field_over_the_csv_modules_limit_is_reported_not_a_500(client, login_as, taxonomy, db):
    login_as("organizer")
    before = snapshot()
    csv_text = "program,tags,summary,narrative\nhousing,no-heat,No heat," + "x" * 131_073 + "\n"
    response = client.post(
        "/concerns/import",
        data={"file": (io.BytesIO(csv_text.encode()), "concerns.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422, response.status_code
    assert "cannot be read as CSV" in response.get_data(as_text=True)
    assert _diff(before, snapshot()) == []


def test_ascii_int_and_json_problem():
    assert ascii_int("42") == 42 and ascii_int(" 7 ") == 7 and ascii_int(-3) == -3
    for bad in ("٣", "３", "²", "1_000", "+1", "1.0", True, 1.0, None, "9" * 4001, ""):
        assert ascii_int(bad) is None, bad
    assert ascii_int("6", lo=1, hi=5) is None
    assert json_problem({"a": ["b", {"c": "d"}]}) is None
    assert json_problem({"a": "\ud800"}) and json_problem({"\udc00": 1}) and json_problem([[[["x"]]]], max_depth=3)
