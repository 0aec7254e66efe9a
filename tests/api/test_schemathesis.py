"""Schemathesis against the served OpenAPI document (issue 18 §1): every operation, called
through the WSGI app as a plan user with a token, never answers 5xx and never answers
outside its documented schema.

The schema is loaded from the app when the module is collected (the document names no
data: no database is read); ``schemathesis.pytest.from_fixture`` would load it per test,
but it does not run on pytest 9 (it sets ``node._nodeid``).
"""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from posc.wsgi import application
from tests.api.helpers import token_for

CHECKS = [not_a_server_error, response_schema_conformance]
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture
def plan_token(cca_sco, settings):
    """A token of a plan user (CCA SCO). The app runs on the test's own database
    connection, as under Django's test client: the end of a request would otherwise close
    it, transaction and all."""
    settings.POSC_API_RATE = "100000/minute"  # the limit has its own test (test_tokens.py)
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield token_for(cca_sco)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_api(case, plan_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {plan_token}"}, checks=CHECKS)
