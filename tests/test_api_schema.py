"""schemathesis: generated requests for every documented operation (100 examples each) must
never get a server error, and every answer must match the OpenAPI document."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = (not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance)


@pytest.fixture
def api_schema(app, db, taxonomy, token_for, make_user):
    # One user holding every role that the API serves, so each operation is reachable.
    user = make_user("organizer", "admin", "director")
    pytest.api_headers = token_for(user=user)
    return schemathesis.from_wsgi("/api/openapi.json", app)


pytestmark = pytest.mark.slow
schema = schemathesis.from_pytest_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_document(case):
    response = case.call_wsgi(headers=pytest.api_headers)
    case.validate_response(response, checks=CHECKS)
