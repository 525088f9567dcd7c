"""`POST /api/flow_runs/`: bodies refused with a 422."""

from __future__ import annotations

import pytest

from flowruns.models import FlowRun

from .helpers import create

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("field", ["id", "created", "state_type", "bogus"])
def test_create_rejects_unknown_fields(api, field):
    response = create(api, **{field: "x"})
    assert response.status_code == 422
    assert response.json()["exception_detail"][0]["type"] == "extra_forbidden"
    assert FlowRun.objects.count() == 0


@pytest.mark.parametrize("field", ["parameters", "context", "tags", "empirical_policy"])
def test_create_rejects_null_for_non_nullable_fields(api, field):
    response = create(api, **{field: None})
    assert response.status_code == 422
    assert response.json()["exception_detail"][0]["loc"][:2] == ["body", field]


def test_create_rejects_parameters_over_the_size_limit(api, settings):
    settings.PREFECT_MAX_PARAMETER_SIZE = 100
    response = create(api, parameters={"x": "y" * 200})
    assert response.status_code == 422
    error = response.json()["exception_detail"][0]
    assert error["type"] == "value_error"
    assert error["loc"] == ["body", "parameters"]
    assert error["msg"] == (
        "Value error, Flow run parameters must be less than 100 bytes when serialized "
        "(got 208 bytes)."
    )


def test_create_state_rejects_client_timestamps(api):
    response = create(api, state={"type": "PENDING", "timestamp": "2020-01-01T00:00:00Z"})
    assert response.status_code == 422
    assert response.json()["exception_detail"][0]["loc"] == ["body", "state", "timestamp"]
