"""Every operation in the OpenAPI schema, with generated valid and invalid requests: never
a 5xx, and every error answered in JSON.

Marked slow. By default it generates a few examples per operation, enough to keep every
operation and both modes exercised in the everyday loop; `make test` (what CI runs) sets
WIREDESK_SCHEMATHESIS_EXAMPLES=40 for the full run.
"""

import os

import pytest
import schemathesis
from django.core.cache import caches
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from wiredesk.api.services import apikey_create
from wiredesk.wsgi import application

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

EXAMPLES_PER_OPERATION = int(os.environ.get("WIREDESK_SCHEMATHESIS_EXAMPLES", "5"))


@pytest.fixture
def keep_test_connection():
    """Like Django's test client: a WSGI request must not close the test's connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@override_settings(WIREDESK_API_ANON_PER_MINUTE=1_000_000)
def test_no_server_errors(site, keep_test_connection):
    for each in caches.all():  # pages, counters, default
        each.clear()
    _, write_key = apikey_create(name="fuzzer", can_write=True, requests_per_minute=10**6)
    # Loaded inside the database test: every request passes the edition-host middleware.
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8
    checked = []
    cases = [(operation, mode) for operation in operations
             for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)]
    for operation, mode in cases:
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode))
        def exercise(case):
            headers = {"X-API-Key": write_key} if case.method.upper() == "POST" else {}
            response = case.call(headers=headers)
            assert response.status_code < 500, (case.method, case.formatted_path, case.query,
                                                case.body, response.text[:500])
            if response.status_code >= 400:
                content_type = response.headers.get("Content-Type") or \
                    response.headers.get("content-type")
                if isinstance(content_type, list):
                    content_type = content_type[0]
                assert content_type.startswith("application/json"), (case.formatted_path,
                                                                      response.status_code)
            checked.append(response.status_code)

        try:
            exercise()
        except Unsatisfiable:
            # an operation without parameters has no invalid request to generate
            assert mode == GenerationMode.NEGATIVE, operation.label
    assert len(checked) >= len(operations)
