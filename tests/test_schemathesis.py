"""The API against its own OpenAPI document (/api/schema/), driven by schemathesis.

Stateless: every documented operation gets a bounded number of generated requests (fixed
seed, derandomized, so a run is repeatable), each checked for a server error and for a
response (status, headers, body) that contradicts the document.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, seed, settings
from schemathesis.checks import CHECKS

EXAMPLES_PER_OPERATION = 8
# A schema-valid request may still be refused (a flow run that does not exist, a limit over
# the server's maximum, CSRF protection off): acceptance is not asserted, conformance is.
CHECKS_EXCLUDED = ["positive_data_acceptance", "negative_data_rejection"]

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Requests go straight to the WSGI application, whose `request_finished` would close the
    test's connection mid-transaction (Django's own test client disconnects it too)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@seed(12)
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_as_documented(case: schemathesis.Case) -> None:
    # The in-process WSGI client does not inflate gzip (GZipMiddleware): ask for none.
    case.call_and_validate(
        headers={"Accept-Encoding": "identity"},
        excluded_checks=[CHECKS.get_one(name) for name in CHECKS_EXCLUDED],
    )
